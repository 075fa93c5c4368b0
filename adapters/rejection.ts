import type { AgencyOutcome, RejectionGrounds } from '../contracts/src/dispatch';

export type Rejection = Extract<AgencyOutcome, { kind: 'rejected' }>;

/**
 * Codes with which agencies say they could not read a request, rather than refuse an application
 * on its merits: our mapping or the citizen's data needs a person before anything is sent again.
 */
const MALFORMED_REQUEST_CODE = /MALFORMED|INVALID|BAD_REQUEST|VALIDATION|SCHEMA/i;

/**
 * An agency's refusal as the core understands it. `code` undefined: the agency gave no business
 * code at all (a bare client-error status), which says the request was malformed. `grounds` is
 * set only for a malformed request: a refusal on the merits is the ordinary case.
 */
export function rejection(code: string | undefined, fallbackCode: string, reason: string): Rejection {
  const grounds: RejectionGrounds = code === undefined || MALFORMED_REQUEST_CODE.test(code) ? 'malformed-request' : 'merits';
  return { kind: 'rejected', code: code ?? fallbackCode, reason, ...(grounds === 'malformed-request' ? { grounds } : {}) };
}
