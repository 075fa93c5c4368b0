import { normalisePhone } from '../bookings/domain/booking';
import { DomainError } from '../shared/errors';
import { USSD_SCREEN_LIMIT, replyBody, type UssdOption, type UssdState } from './domain/ussd-state';
import type { UssdAppointments, UssdBookingRequest } from './ussd-appointments.port';
import { isGsm7, toGsm7 } from './domain/screens';
import { UssdMenu, type UssdTurn } from './ussd-menu';
import type { FollowAnswer } from '../follow-up/follow-application';

/** An in-memory Service by Appointment: lists as given, bookings kept in arrays. */
class Appointments implements UssdAppointments {
  booked: UssdBookingRequest[] = [];
  cancelled: string[] = [];
  slotsLeft: UssdOption[] = [
    { value: '2026-11-24T05:00:00.000Z', label: '08:00' },
    { value: '2026-11-24T05:30:00.000Z', label: '08:30' },
  ];
  bookError?: DomainError;

  constructor(
    private readonly serviceList: UssdOption[],
    private readonly countyList: string[] = ['Mombasa', 'Nairobi'],
  ) {}

  async services() {
    return this.serviceList;
  }
  async counties() {
    return this.countyList;
  }
  async centres(_service: string, county: string) {
    return county === 'Nairobi'
      ? [
          { value: 'NRB-GPO', label: 'Huduma Centre GPO' },
          { value: 'NRB-CSQ', label: 'Huduma Centre City Square' },
        ]
      : [{ value: 'MSA-CBD', label: 'Huduma Centre Mombasa' }];
  }
  async days() {
    return [
      { value: '2026-11-23', label: 'Mon 23 Nov' },
      { value: '2026-11-24', label: 'Tue 24 Nov' },
    ];
  }
  async freeSlots(_centre: string, _service: string, date: string) {
    return date === '2026-11-24' ? this.slotsLeft : [];
  }
  async book(request: UssdBookingRequest) {
    if (this.bookError) throw this.bookError;
    this.booked.push(request);
    return { reference: 'K7QM-4X3P' };
  }
  async upcoming(idNumber: string, phone: string) {
    return idNumber === '12345678' && phone === PHONE ? [{ value: 'K7QM-4X3P', label: 'K7QM-4X3P Tue 24 Nov, 08:00 ID card' }] : [];
  }
  async cancel(reference: string) {
    this.cancelled.push(reference);
  }
}

const PHONE = normalisePhone('+254712345678');
/** The status look-up is not what these cases test (test/e2e/application-status.e2e-spec.ts does, on the real database). */
const NO_APPLICATIONS = { execute: async (): Promise<FollowAnswer> => ({ kind: 'not-a-reference' }) };
const BOOKED_0830_CSQ = 'Thank you. Tue 24 Nov 08:30 at Huduma Centre City Square: the SMS with your reference confirms it. Bring your ID.';
const ONE_SERVICE = [{ value: 'id-card', label: 'Replacement of a lost national ID card' }];

/** Every screen fits and is in the GSM-7 alphabet (issue 10: `…` is not). */
function expectShowable(turn: UssdTurn): void {
  const body = replyBody(turn.reply);
  expect(body.length).toBeLessThanOrEqual(USSD_SCREEN_LIMIT);
  expect({ body, gsm7: isGsm7(body) }).toEqual({ body, gsm7: true });
}

/** Plays answers from the main menu, checking every screen's length and alphabet on the way. */
async function play(menu: UssdMenu, answers: string[]): Promise<UssdTurn> {
  let turn = menu.start();
  for (const answer of answers) {
    expectShowable(turn);
    expect(turn.reply.kind).toBe('CON');
    // The state goes through JSON between callbacks (sealed in PostgreSQL): so must it here.
    turn = await menu.answer(JSON.parse(JSON.stringify(turn.state)) as UssdState, answer, PHONE);
  }
  expectShowable(turn);
  return turn;
}

describe('UssdMenu', () => {
  it('books: service, county, centre, day, time, ID number, confirm', async () => {
    const appointments = new Appointments(ONE_SERVICE);
    const turn = await play(new UssdMenu(appointments, NO_APPLICATIONS), ['1', '1', '2', '2', '2', '2', '12345678', '1']);
    expect(turn.reply).toEqual({ kind: 'END', text: BOOKED_0830_CSQ });
    expect(appointments.booked).toEqual([
      { centreCode: 'NRB-CSQ', serviceCode: 'id-card', slotStart: '2026-11-24T05:30:00.000Z', idNumber: '12345678', phone: PHONE },
    ]);
  });

  it('skips the county and centre screens when there is only one to choose', async () => {
    const turn = await play(new UssdMenu(new Appointments(ONE_SERVICE, ['Mombasa']), NO_APPLICATIONS), ['1', '1']);
    expect(turn.reply.text).toBe('Choose a day:\n1. Mon 23 Nov\n2. Tue 24 Nov');
    expect(turn.state.centre?.value).toBe('MSA-CBD');
  });

  it('re-prompts wrong choices and malformed ID numbers without moving on', async () => {
    const menu = new UssdMenu(new Appointments(ONE_SERVICE), NO_APPLICATIONS);
    expect((await play(menu, ['9'])).reply.text).toMatch(/^Invalid choice\.\nHuduma appointments/);
    expect((await play(menu, ['1', 'x'])).reply.text).toBe('Invalid choice.\nChoose a service:\n1. Replacement of a lost national ID card');
    const badId = await play(menu, ['1', '1', '2', '1', '2', '1', '1234']);
    expect(badId.reply.text).toBe('Invalid ID number.\nEnter your national ID number (7 or 8 digits):');
    expect(badId.state.step).toBe('id-number');
  });

  it('sends the citizen back to the days when the chosen day has no free time left', async () => {
    const turn = await play(new UssdMenu(new Appointments(ONE_SERVICE), NO_APPLICATIONS), ['1', '1', '1', '1']);
    expect(turn.reply.text).toBe('No free slots that day.\nChoose a day:\n1. Mon 23 Nov\n2. Tue 24 Nov');
  });

  it('shows the times again when the slot filled up during the conversation', async () => {
    const appointments = new Appointments(ONE_SERVICE);
    appointments.bookError = new DomainError('conflict', 'slot-full', 'The slot is full.');
    const turn = await play(new UssdMenu(appointments, NO_APPLICATIONS), ['1', '1', '1', '1', '2', '1', '12345678', '1']);
    expect(turn.reply.kind).toBe('CON');
    expect(turn.reply.text).toMatch(/^That slot is now full\.\nChoose a time, Tue 24 Nov:\n1\. 08:00/);
    expect(turn.state.step).toBe('slot');
  });

  it('ends clearly when the citizen already holds a booking that day', async () => {
    const appointments = new Appointments(ONE_SERVICE);
    appointments.bookError = new DomainError('conflict', 'already-booked', 'Already booked.');
    const turn = await play(new UssdMenu(appointments, NO_APPLICATIONS), ['1', '1', '1', '1', '2', '1', '12345678', '1']);
    expect(turn.reply).toEqual({ kind: 'END', text: 'You already have a booking for this service that day. Dial again and choose 2 to check it.' });
  });

  it("answers someone else's ID number, booked from another phone, exactly as a fresh booking", async () => {
    const appointments = new Appointments(ONE_SERVICE);
    appointments.bookError = new DomainError('conflict', 'already-booked-elsewhere', 'Booked from another phone.');
    const turn = await play(new UssdMenu(appointments, NO_APPLICATIONS), ['1', '1', '2', '2', '2', '2', '12345678', '1']);
    expect(turn.reply).toEqual({ kind: 'END', text: BOOKED_0830_CSQ });
    expect(appointments.booked).toEqual([]);
  });

  it('pages long lists within 182 characters, numbers running on, 0 for more', async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ value: `svc-${i + 1}`, label: `Service number ${i + 1} with a really long catalogue name` }));
    const menu = new UssdMenu(new Appointments(many), NO_APPLICATIONS);
    const first = await play(menu, ['1']);
    expect(first.reply.text).toMatch(/^Choose a service:\n1\. Service number 1 [^]*\n0 More$/);
    const second = await play(menu, ['1', '0']);
    expect(second.reply.text).not.toContain('\n1. ');
    const shown = /\n(\d+)\. Service number (\d+)/.exec(second.reply.text);
    expect(shown?.[1]).toBe(shown?.[2]);
    // A number from the second page picks that service.
    const picked = await play(menu, ['1', '0', shown?.[1] ?? '']);
    expect(picked.state.service?.value).toBe(`svc-${shown?.[1]}`);
    // Paging on wraps round to the first page and keeps every page within the limit.
    let turn = first;
    for (let i = 0; i < 30 && (i === 0 || turn.state.page !== 0); i += 1) {
      turn = await menu.answer(turn.state, '0', PHONE);
      expect(replyBody(turn.reply).length).toBeLessThanOrEqual(USSD_SCREEN_LIMIT);
    }
    expect(turn.state.page).toBe(0);
  });

  it('checks bookings, and says so when there are none', async () => {
    const menu = new UssdMenu(new Appointments(ONE_SERVICE), NO_APPLICATIONS);
    expect((await play(menu, ['2', '12345678'])).reply).toEqual({ kind: 'END', text: 'Your bookings:\nK7QM-4X3P Tue 24 Nov, 08:00 ID card' });
    expect((await play(menu, ['2', '87654321'])).reply).toEqual({ kind: 'END', text: 'No upcoming bookings for this ID number from this phone.' });
  });

  it('cancels a booking after asking, or keeps it', async () => {
    const appointments = new Appointments(ONE_SERVICE);
    const menu = new UssdMenu(appointments, NO_APPLICATIONS);
    expect((await play(menu, ['3', '12345678', '1', '2'])).reply).toEqual({ kind: 'END', text: 'Booking K7QM-4X3P kept.' });
    expect(appointments.cancelled).toEqual([]);
    const turn = await play(menu, ['3', '12345678', '1', '1']);
    expect(turn.reply).toEqual({ kind: 'END', text: 'Booking K7QM-4X3P cancelled. An SMS confirms it.' });
    expect(appointments.cancelled).toEqual(['K7QM-4X3P']);
  });

  it('shows every screen in GSM-7, whatever the catalogue names hold: look-alikes, plain letters, `?` for the rest, `...` for a cut', async () => {
    const services = [
      { value: 'id-card', label: 'Murang\u2019a \u2013 replacement of a lost national ID card \u2026 and more words than fit' },
      { value: 'dl', label: 'Leseni ya udereva (\u0101) \ud83d\ude97 \u201cnew\u201d' },
    ];
    const appointments = new Appointments(services, ['Murang\u2019a', 'Nairobi']);
    appointments.bookError = new DomainError('unavailable', 'agency-down', 'Mfumo haupatikani \u2014 jaribu tena\u2026');
    // Every screen of the booking flow, from the menu to the agency's (non-GSM) refusal.
    const refused = await play(new UssdMenu(appointments, NO_APPLICATIONS), ['1', '2', '1', '2', '2', '1', '12345678', '1']);
    expect(refused.reply.text).toBe('Sorry, not booked: Mfumo haupatikani - jaribu tena...');
    const list = await play(new UssdMenu(appointments, NO_APPLICATIONS), ['1']);
    expect(list.reply.text).toContain("Murang'a - replacement of a lost nati...");
    expect(list.reply.text).toContain('Leseni ya udereva (a) ? "new"');
    expect((await play(new UssdMenu(appointments, NO_APPLICATIONS), ['1', '1'])).reply.text).toBe("Choose a county:\n1. Murang'a\n2. Nairobi");
    expect(toGsm7('Ł\u00e9\u00e7\u0131 \u20ac')).toBe('?\u00e9c? \u20ac');
  });
});
