import type { ApplicationProgress } from '../transactions/domain/application-progress';
import type { FollowAnswer } from './follow-application';
import { fitGsm7 } from './gsm7';

/** One SMS segment; a USSD screen (178 after `END `) holds it too. */
export const STATUS_TEXT_LIMIT = 160;

const HOW_TO = 'Send STATUS and your reference, e.g. STATUS NRB-7K4Q-2P';

function statusLine(reference: string, p: ApplicationProgress): string {
  const agencyRef = p.agencyReference ? ` Agency ref ${p.agencyReference}.` : '';
  switch (p.status) {
    case 'received':
      return `${reference} is received and is being sent to the agency.`;
    case 'waiting-for-agency':
      return `${reference} is received. The agency system is down; it will be submitted when it is back. You will get an SMS.`;
    case 'submitted':
      return `${reference} is with the agency, waiting for its answer.`;
    case 'completed':
      return `${reference} is completed.${agencyRef}${p.collectionDate ? ` Collect from ${p.collectionDate}.` : ''}`;
    case 'ready-for-collection':
      return `${reference} is ready for collection.${agencyRef} Bring your ID.`;
    case 'rejected':
      return `${reference} was not accepted by the agency (${p.reason ?? 'rejected'}). Ask at the centre.`;
    case 'cancelled':
      return `${reference} was cancelled.`;
    case 'under-review':
      return `${reference} is being checked at the centre. Nothing to do for now.`;
  }
}

/**
 * The one screen (USSD) or SMS that answers a status look-up: GSM-7 only, at most 160 characters,
 * whatever an agency put in its reference or code.
 */
export function followAnswerText(answer: FollowAnswer): string {
  switch (answer.kind) {
    case 'status':
      return fitGsm7(`Huduma: ${statusLine(answer.reference, answer.progress)}`, STATUS_TEXT_LIMIT);
    case 'unknown':
      return fitGsm7(`Huduma: no application has reference ${answer.reference}. Check it and try again.`, STATUS_TEXT_LIMIT);
    case 'not-a-reference':
      return `Huduma: that is not a reference. ${HOW_TO}.`;
    case 'limited':
      return 'Huduma: too many status requests from this phone. Please try again in an hour.';
  }
}
