import { AgencyCallError, type ProbeContext } from '../agency-adapter.port';
import { probeContext, restAgencyDefinition } from '../testing/agency-fixtures';
import { RestAdapter } from './rest.adapter';
import { useMockHttp } from '../testing/mock-http';

const BASE = 'http://agency.test';
const APPOINTMENTS = { reservePath: '/api/v1/appointments', cancelPath: '/api/v1/appointments/{agencyRef}/cancel' };
const REQUEST = {
  bookingReference: 'K7QM-4X3P',
  serviceCode: 'permit-apply',
  centreCode: 'NRB-GPO',
  slotStart: '2026-11-24T06:00:00.000Z',
  slotEnd: '2026-11-24T06:30:00.000Z',
  citizenRef: 'pseudonym',
};

function ctx(): ProbeContext {
  return probeContext(5000);
}

describe('RestAdapter appointments capability', () => {
  const http = useMockHttp();
  const adapterFor = (appointments?: Record<string, unknown>): RestAdapter =>
    http.opened(new RestAdapter(restAgencyDefinition({ adapter: appointments ? { appointments } : {} }), http.options()));


  it('is absent unless the agency file declares it', () => {
    expect(adapterFor().appointments).toBeUndefined();
    expect(adapterFor(APPOINTMENTS).appointments).toBeDefined();
  });

  it('reserves with the booking reference as idempotency key, reading the reference by pointer', async () => {
    http
      .on(BASE, 'POST', '/api/v1/appointments', {
        json: { reference: 'K7QM-4X3P', service: 'permit-apply', centre: 'NRB-GPO', slotStart: REQUEST.slotStart, slotEnd: REQUEST.slotEnd, citizenRef: 'pseudonym' },
        headers: { 'idempotency-key': 'K7QM-4X3P' },
      })
      .reply(201, { data: { appointmentNo: 'APT-77' } });
    const answer = await adapterFor({ ...APPOINTMENTS, agencyRefPointer: '/data/appointmentNo' }).appointments?.reserve(REQUEST, ctx());
    expect(answer).toEqual({ kind: 'reserved', agencyRef: 'APT-77' });
  });

  it('returns a business refusal, and throws for what is transient or unusable', async () => {
    const appointments = adapterFor(APPOINTMENTS).appointments;
    http.on(BASE, 'POST', '/api/v1/appointments').reply(409, { error: { code: 'SLOT_FULL', message: 'No place left' } });
    expect(await appointments?.reserve(REQUEST, ctx())).toEqual({ kind: 'refused', code: 'SLOT_FULL', reason: 'No place left' });

    http.on(BASE, 'POST', '/api/v1/appointments').reply(503, {});
    await expect(appointments?.reserve(REQUEST, ctx())).rejects.toMatchObject({ code: 'unavailable' });

    http.on(BASE, 'POST', '/api/v1/appointments').reply(201, { nothing: true });
    const error = await appointments?.reserve(REQUEST, ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgencyCallError);
    expect((error as AgencyCallError).code).toBe('bad_response');
  });

  it('cancels by reference; an appointment the agency no longer knows counts as cancelled', async () => {
    const appointments = adapterFor(APPOINTMENTS).appointments;
    http.on(BASE, 'POST', '/api/v1/appointments/APT%2F1/cancel').reply(200, { status: 'cancelled' });
    await expect(appointments?.cancel('APT/1', ctx())).resolves.toBeUndefined();
    http.on(BASE, 'POST', '/api/v1/appointments/APT-2/cancel').reply(404, {});
    await expect(appointments?.cancel('APT-2', ctx())).resolves.toBeUndefined();
    http.on(BASE, 'POST', '/api/v1/appointments/APT-3/cancel').reply(500, {});
    await expect(appointments?.cancel('APT-3', ctx())).rejects.toBeInstanceOf(AgencyCallError);
  });
});
