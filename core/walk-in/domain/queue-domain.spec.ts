import type { Centre } from '../../centres/domain/centre';
import { zonedInstant } from '../../centres/domain/local-time';
import { openForWalkIns } from './opening';
import { validateMessage, type MessageName } from '../../../contracts/src';
import { completedTransactions, feedbackRequest, ticketRequest } from './queue-requests';
import { serviceRank, ticketNumber } from './ticket';

const nairobi = (date: string, time: string) => {
  const [h, m] = time.split(':').map(Number);
  return zonedInstant(date, h * 60 + m, 'Africa/Nairobi');
};

/** The fields a body fails its schema on (the edge's check), each once, sorted. */
function fieldsOf(message: MessageName, body: unknown): string[] {
  return [...new Set(validateMessage(message, body).map((e) => e.field))].sort();
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
    expect(validateMessage('ticket-request', { service: 'id-card-replacement' })).toEqual([]);
    expect(ticketRequest({ service: 'id-card-replacement' })).toEqual({ kind: 'walk-in', serviceCode: 'id-card-replacement', priority: 'none', phone: null });
    expect(ticketRequest({ service: 'id-card-replacement', phone: '+254712345678' })).toMatchObject({ kind: 'walk-in', phone: '+254712345678' });
    expect(ticketRequest({ bookingReference: ' K7QM-4X3P ' })).toEqual({ kind: 'check-in', bookingReference: 'K7QM-4X3P' });
    expect(fieldsOf('ticket-request', { bookingReference: 'K7QM-4X3P', service: 'x' })).toEqual(['/service']);
    expect(fieldsOf('ticket-request', { priority: 'vip', extra: 1 })).toEqual(['', '/priority', '/service']);
    expect(fieldsOf('ticket-request', [])).toEqual(['']);
  });

  it('checks transfers, completions and feedback field by field', () => {
    expect(fieldsOf('ticket-transfer', {})).toEqual(['/service']);
    expect(completedTransactions({})).toEqual([]);
    expect(completedTransactions({ transactionIds: ['0E4AC851-346E-4EBF-91CB-1D27ECCDF9CF', '0e4ac851-346e-4ebf-91cb-1d27eccdf9cf'] })).toEqual([
      '0e4ac851-346e-4ebf-91cb-1d27eccdf9cf',
    ]);
    expect(fieldsOf('ticket-completion', { transactionIds: ['nope'] })).toEqual(['/transactionIds/0']);
    expect(feedbackRequest({ rating: 5, comment: '  ' })).toEqual({ rating: 5, comment: null });
    expect(fieldsOf('feedback', { rating: 7 })).toEqual(['/rating']);
    expect(fieldsOf('feedback', { rating: 3.5, comment: 'x'.repeat(501) })).toEqual(['/comment', '/rating']);
  });
});
