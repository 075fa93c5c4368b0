/**
 * The USSD menu as a state machine: (state, what the citizen typed) → (next state, screen).
 * Book: service → county → centre → day → time → ID number → confirm. Check and cancel: ID number
 * → the caller's bookings. A wrong answer re-prompts the same screen with a short note.
 */
import { NATIONAL_ID, type Phone } from '../bookings/domain/booking';
import { maskIdNumber } from '../shared/personal-data';
import { DomainError } from '../shared/errors';
import type { FollowApplication } from '../follow-up/follow-application';
import { followAnswerText } from '../follow-up/status-text';
import { chosen, clip, listScreen, pageCount, screen, TEXT_LIMIT, toGsm7 } from './domain/screens';
import { menuState, type UssdOption, type UssdReply, type UssdState, type UssdStep } from './domain/ussd-state';
import type { UssdAppointments } from './ussd-appointments.port';

export interface UssdTurn {
  state: UssdState;
  reply: UssdReply;
}

export const NOTES = {
  invalidChoice: 'Invalid choice.',
  invalidId: 'Invalid ID number.',
  noSlots: 'No free slots that day.',
  slotFull: 'That slot is now full.',
  timedOut: 'Session timed out.',
} as const;

const MENU = 'Huduma appointments\n1. Book an appointment\n2. Check my bookings\n3. Cancel a booking\n4. Where is my application?';
const ASK_REFERENCE = 'Enter your application reference (on your receipt, e.g. NRB-7K4Q-2P):';
const ASK_ID = 'Enter your national ID number (7 or 8 digits):';

const LIST_TITLES: Partial<Record<UssdStep, (s: UssdState) => string>> = {
  service: () => 'Choose a service:',
  county: () => 'Choose a county:',
  centre: () => 'Choose a centre:',
  day: () => 'Choose a day:',
  slot: (s) => `Choose a time, ${s.day?.label ?? ''}:`,
  'cancel-pick': () => 'Which booking to cancel?',
};

function con(state: UssdState, note?: string): UssdTurn {
  return { state, reply: { kind: 'CON', text: render(state, note) } };
}

function end(state: UssdState, text: string): UssdTurn {
  return { state, reply: { kind: 'END', text: clip(toGsm7(text), TEXT_LIMIT) } };
}

/** The screen for a state; pure, so a retried callback or a re-prompt shows exactly the same. */
export function render(state: UssdState, note?: string): string {
  const title = LIST_TITLES[state.step];
  if (title) return listScreen(title(state), state.options, state.page, note);
  switch (state.step) {
    case 'id-number':
    case 'lookup-id':
      return screen(note, ASK_ID);
    case 'confirm':
      return screen(
        note,
        `Book ${clip(state.service?.label ?? '', 40)} at ${clip(state.centre?.label ?? '', 30)}, ${state.day?.label} ${state.slot?.label}, ID ${maskIdNumber(state.idNumber ?? '')}?\n1. Confirm\n2. Cancel`,
      );
    case 'status-reference':
      return screen(note, ASK_REFERENCE);
    case 'cancel-confirm':
      return screen(note, `Cancel ${clip(state.reference?.label ?? '', 60)}?\n1. Yes, cancel it\n2. No, keep it`);
    default:
      return screen(note, MENU);
  }
}

export class UssdMenu {
  constructor(
    private readonly appointments: UssdAppointments,
    private readonly applications: Pick<FollowApplication, 'execute'>,
  ) {}

  /** A new conversation (or one that timed out): the main menu. */
  start(note?: string): UssdTurn {
    return con(menuState(), note);
  }

  async answer(state: UssdState, input: string, phone: Phone): Promise<UssdTurn> {
    const typed = input.trim();
    if (LIST_TITLES[state.step]) return this.answerList(state, typed);
    switch (state.step) {
      case 'menu':
        return this.answerMenu(typed);
      case 'id-number':
        if (!NATIONAL_ID.test(typed)) return con(state, NOTES.invalidId);
        return con({ ...state, step: 'confirm', options: [], page: 0, idNumber: typed });
      case 'confirm':
        if (typed === '1') return this.book(state, phone);
        if (typed === '2') return end(menuState(), 'Not booked. Dial again any time.');
        return con(state, NOTES.invalidChoice);
      case 'lookup-id':
        if (!NATIONAL_ID.test(typed)) return con(state, NOTES.invalidId);
        return this.lookup(state, typed, phone);
      case 'status-reference':
        return end(menuState(), followAnswerText(await this.applications.execute(typed, phone)));
      case 'cancel-confirm':
        if (typed === '2') return end(menuState(), `Booking ${state.reference?.value} kept.`);
        if (typed !== '1' || !state.reference) return con(state, NOTES.invalidChoice);
        await this.appointments.cancel(state.reference.value);
        return end(menuState(), `Booking ${state.reference.value} cancelled. An SMS confirms it.`);
      default:
        return this.start();
    }
  }

  private async answerMenu(input: string): Promise<UssdTurn> {
    if (input === '1') {
      const services = await this.appointments.services();
      if (services.length === 0) return end(menuState(), 'No service can be booked by USSD just now. Please try later.');
      return con({ ...menuState(), flow: 'book', step: 'service', options: services });
    }
    if (input === '4') return con({ ...menuState(), flow: 'status', step: 'status-reference' });
    if (input === '2' || input === '3') return con({ ...menuState(), flow: input === '2' ? 'check' : 'cancel', step: 'lookup-id' });
    return con(menuState(), NOTES.invalidChoice);
  }

  private async answerList(state: UssdState, input: string): Promise<UssdTurn> {
    const title = (LIST_TITLES[state.step] as (s: UssdState) => string)(state);
    if (input === '0' && pageCount(title, state.options) > 1) {
      return con({ ...state, page: (state.page + 1) % pageCount(title, state.options) });
    }
    const option = chosen(state.options, input);
    if (!option) return con(state, NOTES.invalidChoice);
    switch (state.step) {
      case 'service':
        return this.enterCounty({ ...state, service: option });
      case 'county':
        return this.enterCentre({ ...state, county: option.value });
      case 'centre':
        return this.enterDay({ ...state, centre: option });
      case 'day':
        return this.enterSlot({ ...state, day: option }, undefined, NOTES.noSlots);
      case 'slot':
        return con({ ...state, step: 'id-number', options: [], page: 0, slot: option });
      default:
        return con({ ...state, step: 'cancel-confirm', options: [], page: 0, reference: option });
    }
  }

  private async enterCounty(state: UssdState): Promise<UssdTurn> {
    const counties = await this.appointments.counties(state.service?.value ?? '');
    if (counties.length === 1) return this.enterCentre({ ...state, county: counties[0] });
    if (counties.length === 0) return end(menuState(), 'This service cannot be booked by USSD just now. Please try later.');
    return con({ ...state, step: 'county', page: 0, options: counties.map((c) => ({ value: c, label: c })) });
  }

  private async enterCentre(state: UssdState): Promise<UssdTurn> {
    const centres = await this.appointments.centres(state.service?.value ?? '', state.county ?? '');
    if (centres.length === 1) return this.enterDay({ ...state, centre: centres[0] });
    return con({ ...state, step: 'centre', page: 0, options: centres });
  }

  private async enterDay(state: UssdState): Promise<UssdTurn> {
    const days = await this.appointments.days(state.centre?.value ?? '');
    if (days.length === 0) return end(menuState(), 'This centre takes no appointments in the coming days. Please try another.');
    return con({ ...state, step: 'day', page: 0, options: days });
  }

  /** The day's free times; with none left, back to the day list with `emptyNote`. */
  private async enterSlot(state: UssdState, note: string | undefined, emptyNote: string): Promise<UssdTurn> {
    const slots = await this.appointments.freeSlots(state.centre?.value ?? '', state.service?.value ?? '', state.day?.value ?? '');
    if (slots.length === 0) return this.enterDay(state).then((turn) => (turn.reply.kind === 'CON' ? con(turn.state, emptyNote) : turn));
    return con({ ...state, step: 'slot', page: 0, options: slots }, note);
  }

  private async book(state: UssdState, phone: string): Promise<UssdTurn> {
    try {
      await this.appointments.book({
        centreCode: state.centre?.value ?? '',
        serviceCode: state.service?.value ?? '',
        slotStart: state.slot?.value ?? '',
        idNumber: state.idNumber ?? '',
        phone,
      });
      return end(menuState(), requestTaken(state));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'slot-full') return this.enterSlot({ ...state, slot: undefined }, NOTES.slotFull, NOTES.slotFull);
      if (error.code === 'already-booked') return end(menuState(), 'You already have a booking for this service that day. Dial again and choose 2 to check it.');
      // Someone else's ID number, already booked from another phone: the screen is the one a fresh
      // booking gets, so a phone cannot learn whether an ID number it typed holds a booking.
      if (error.code === 'already-booked-elsewhere') return end(menuState(), requestTaken(state));
      return end(menuState(), `Sorry, not booked: ${error.message}`);
    }
  }

  private async lookup(state: UssdState, idNumber: string, phone: string): Promise<UssdTurn> {
    const bookings = await this.appointments.upcoming(idNumber, phone);
    if (bookings.length === 0) return end(menuState(), 'No upcoming bookings for this ID number from this phone.');
    if (state.flow === 'cancel') return con({ ...state, step: 'cancel-pick', page: 0, options: bookings });
    return end(menuState(), bookingList(bookings));
  }
}

/**
 * The end of a booking conversation. It carries no reference: the reference goes by SMS to the phone
 * the booking is made for, so this screen is the same whether or not the ID number was booked already.
 */
function requestTaken(state: UssdState): string {
  return `Thank you. ${state.day?.label} ${state.slot?.label} at ${clip(state.centre?.label ?? '', 40)}: the SMS with your reference confirms it. Bring your ID.`;
}

/** As many bookings as fit on one closing screen, then how many more there are. */
function bookingList(bookings: UssdOption[]): string {
  const lines = ['Your bookings:'];
  let used = lines[0].length;
  let shown = 0;
  for (const booking of bookings) {
    const line = clip(booking.label, 60);
    // Keep room for the "+N more" line.
    if (used + 1 + line.length > TEXT_LIMIT - 10) break;
    lines.push(line);
    used += 1 + line.length;
    shown += 1;
  }
  if (shown < bookings.length) lines.push(`+${bookings.length - shown} more`);
  return lines.join('\n');
}
