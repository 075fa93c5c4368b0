/**
 * Where a citizen is in the USSD menu. Plain data: stored sealed between callbacks (it holds the
 * phone number and, once typed, the national ID number), so any replica can take the next one.
 */
export type UssdFlow = 'book' | 'check' | 'cancel' | 'status';

export type UssdStep =
  | 'menu'
  | 'service'
  | 'county'
  | 'centre'
  | 'day'
  | 'slot'
  | 'id-number'
  | 'confirm'
  | 'lookup-id'
  | 'cancel-pick'
  | 'cancel-confirm'
  | 'status-reference';

/** One numbered line of a list screen: what the citizen reads and what choosing it means. */
export interface UssdOption {
  value: string;
  label: string;
}

export interface UssdState {
  flow?: UssdFlow;
  step: UssdStep;
  /** The choices shown on the current list step, frozen when the step began (numbers keep their meaning). */
  options: UssdOption[];
  /** Current page of a long list. */
  page: number;
  service?: UssdOption;
  county?: string;
  centre?: UssdOption;
  day?: UssdOption;
  slot?: UssdOption;
  idNumber?: string;
  reference?: UssdOption;
}

export function menuState(): UssdState {
  return { step: 'menu', options: [], page: 0 };
}

/** A reply to Africa's Talking: `CON` keeps the session open, `END` closes it. */
export interface UssdReply {
  kind: 'CON' | 'END';
  text: string;
}

/** Africa's Talking shows at most 182 characters per screen; longer ones are cut or refused by networks. */
export const USSD_SCREEN_LIMIT = 182;

/** The reply body as sent: `CON …` or `END …`. */
export function replyBody(reply: UssdReply): string {
  return `${reply.kind} ${reply.text}`;
}
