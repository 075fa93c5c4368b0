import { validateMessage } from '../../../contracts/src';
import { bookingRequest } from './booking-request';

const valid = {
  centre: 'NRB-GPO',
  service: 'id-card-replacement',
  slotStart: '2026-11-24T09:30:00+03:00',
  citizen: { idNumber: '12345678', phone: '0712 345 678' },
  channel: 'ussd',
} as const;

describe('the booking request', () => {
  it('passes its schema and is taken with the phone number in E.164', () => {
    expect(validateMessage('new-booking', valid)).toEqual([]);
    expect(bookingRequest(valid)).toEqual({
      centre: 'NRB-GPO',
      service: 'id-card-replacement',
      slotStart: new Date('2026-11-24T06:30:00Z'),
      citizen: { idNumber: '12345678', phone: '+254712345678' },
      channel: 'ussd',
    });
  });

  it.each(['+254712345678', '254712345678', '0112-345-678', ' +254 712 345 678 '])('takes the phone number %s as a Kenyan mobile', (phone) => {
    const body = { ...valid, citizen: { ...valid.citizen, phone } };
    expect(validateMessage('new-booking', body)).toEqual([]);
    expect(bookingRequest(body).citizen.phone).toMatch(/^\+254[17]\d{8}$/);
  });

  it('is refused by its schema naming every bad field at once, never echoing a value', () => {
    const body = { ...valid, centre: 'gpo', slotStart: '24/11/2026', channel: 'fax', citizen: { idNumber: '987', phone: '+1555999', name: 'x' }, extra: 1 };
    const errors = validateMessage('new-booking', body);
    expect([...new Set(errors.map((e) => e.field))].sort()).toEqual(['', '/centre', '/channel', '/citizen', '/citizen/idNumber', '/citizen/phone', '/slotStart']);
    expect(JSON.stringify(errors)).not.toMatch(/987|555999/);
  });
});
