import type { Centre } from '../../centres/domain/centre';
import { zonedInstant } from '../../centres/domain/local-time';
import { openForWalkIns } from './opening';
import { parseCompleteRequest, parseFeedbackRequest, parseTicketRequest, parseTransferRequest } from './queue-requests';
import { serviceRank, ticketNumber } from './ticket';

const nairobi = (date: string, time: string) => {
  const [h, m] = time.split(':').map(Number);
  return zonedInstant(date, h * 60 + m, 'Africa/Nairobi');
};

function fieldsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    return ((error as { details?: { errors?: Array<{ field: string }> } }).details?.errors ?? []).map((e) => e.field);
  }
  throw new Error('expected a validation error');
}

describe('tickets', () => {
  it('numbers tickets with the letter and three digits', () => {
    expect(ticketNumber('A', 42)).toBe('A042');
    expect(ticketNumber('C', 1000)).toBe('C1000');
  });

  it('ranks appointments near their slot first, then protected classes, then everyone', () => {
    const now = nairobi('2026-11-24', '10:00');
    expect(serviceRank({ priorityClass: 'appointment', slotStart: nairobi('2026-11-24', '10:15') }, now)).toBe(0);
    expect(serviceRank({ priorityClass: 'appointment', slotStart: nairobi('2026-11-24', '09:30') }, now)).toBe(0);
    // Too early for the slot: waits like a walk-in.
    expect(serviceRank({ priorityClass: 'appointment', slotStart: nairobi('2026-11-24', '10:16') }, now)).toBe(2);
    for (const priorityClass of ['elderly', 'disability', 'expectant'] as const) expect(serviceRank({ priorityClass, slotStart: null }, now)).toBe(1);
    expect(serviceRank({ priorityClass: 'none', slotStart: null }, now)).toBe(2);
  });
});

describe('opening hours for walk-ins', () => {
  const centre: Pick<Centre, 'timeZone' | 'openingHours' | 'holidays'> = {
    timeZone: 'Africa/Nairobi',
    openingHours: [{ weekday: 2, opens: '08:00', closes: '17:00' }],
    holidays: [{ date: '2026-12-01', name: 'Test holiday' }],
  };

  it('is open from opening time to just before closing time, local', () => {
    expect(openForWalkIns(centre, nairobi('2026-11-24', '07:59'))).toEqual({ open: false, reason: 'opens at 08:00' });
    expect(openForWalkIns(centre, nairobi('2026-11-24', '08:00'))).toEqual({ open: true });
    expect(openForWalkIns(centre, nairobi('2026-11-24', '16:59'))).toEqual({ open: true });
    expect(openForWalkIns(centre, nairobi('2026-11-24', '17:00'))).toEqual({ open: false, reason: 'closed at 17:00' });
  });

  it('is closed on a day without hours and on a holiday', () => {
    expect(openForWalkIns(centre, nairobi('2026-11-25', '10:00'))).toEqual({ open: false, reason: 'closed today' });
    expect(openForWalkIns(centre, nairobi('2026-12-01', '10:00'))).toEqual({ open: false, reason: 'closed today (Test holiday)' });
  });
});

describe('queue request bodies', () => {
  it('reads a walk-in or a check-in, never both', () => {
    expect(parseTicketRequest({ service: 'id-card-replacement' })).toEqual({ kind: 'walk-in', serviceCode: 'id-card-replacement', priority: 'none' });
    expect(parseTicketRequest({ bookingReference: ' K7QM-4X3P ' })).toEqual({ kind: 'check-in', bookingReference: 'K7QM-4X3P' });
    expect(fieldsOf(() => parseTicketRequest({ bookingReference: 'K7QM-4X3P', service: 'x' }))).toEqual(['/service']);
    expect(fieldsOf(() => parseTicketRequest({ priority: 'vip', extra: 1 }))).toEqual(['/extra', '/service', '/priority']);
    expect(fieldsOf(() => parseTicketRequest([]))).toEqual(['']);
  });

  it('checks transfers, completions and feedback field by field', () => {
    expect(fieldsOf(() => parseTransferRequest({}))).toEqual(['/service']);
    expect(parseCompleteRequest(undefined)).toEqual({ transactionIds: [] });
    expect(fieldsOf(() => parseCompleteRequest({ transactionIds: ['nope'] }))).toEqual(['/transactionIds/0']);
    expect(parseFeedbackRequest({ rating: 5, comment: '  ' })).toEqual({ rating: 5, comment: null });
    expect(fieldsOf(() => parseFeedbackRequest({ rating: 7 }))).toEqual(['/rating']);
    expect(fieldsOf(() => parseFeedbackRequest({ rating: 3.5, comment: 'x'.repeat(501) }))).toEqual(['/rating', '/comment']);
  });
});
