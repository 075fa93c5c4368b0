import { DomainError } from '../../shared/errors';
import { parseBookingRequest } from './booking-request';

const valid = {
  centre: 'NRB-GPO',
  service: 'id-card-replacement',
  slotStart: '2026-11-24T09:30:00+03:00',
  citizen: { idNumber: '12345678', phone: '0712 345 678' },
  channel: 'ussd',
};

function fieldsOf(body: unknown): string[] {
  try {
    parseBookingRequest(body);
  } catch (error) {
    if (error instanceof DomainError) return (error.details.errors ?? []).map((e) => e.field);
    throw error;
  }
  return [];
}

describe('the booking request', () => {
  it('is parsed with the phone number in E.164', () => {
    expect(parseBookingRequest(valid)).toEqual({
      centre: 'NRB-GPO',
      service: 'id-card-replacement',
      slotStart: new Date('2026-11-24T06:30:00Z'),
      citizen: { idNumber: '12345678', phone: '+254712345678' },
      channel: 'ussd',
    });
  });

  it('names every bad field at once, never echoing a value', () => {
    const body = { ...valid, centre: 'gpo', slotStart: '24/11/2026', channel: 'fax', citizen: { idNumber: '987', phone: '+1555999', name: 'x' }, extra: 1 };
    expect(fieldsOf(body).sort()).toEqual(['/centre', '/channel', '/citizen/idNumber', '/citizen/name', '/citizen/phone', '/extra', '/slotStart']);
    let refusal: unknown;
    try {
      parseBookingRequest(body);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect(JSON.stringify((refusal as DomainError).details)).not.toMatch(/987|555999/);
  });

  it('refuses what is not an object', () => {
    expect(fieldsOf([valid])).toEqual(['']);
    expect(fieldsOf(null)).toEqual(['']);
  });
});
