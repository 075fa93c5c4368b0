/**
 * The `appointments` capability of a REST agency (agency file: `adapter.appointments` with
 * `reservePath`, `cancelPath` containing {agencyRef}, `agencyRefPointer`). Reserve is a POST with
 * our booking reference as the idempotency key, so a retried reservation never holds two places.
 *   2xx → reserved; businessRejectStatuses → refused (code and reason read from /error/code,
 *   /error/message); anything else → thrown like any agency failure (rest-outcome.ts).
 */
import type { AgencyAppointmentAnswer, AgencyAppointmentRequest } from '../../contracts/src/appointments';
import { AgencyCallError, type AgencyAppointments, type ProbeContext } from '../agency-adapter.port';
import { getByPointer, isRecord } from '../../contracts/src/json-pointer';
import type { RestAgencyConfig, RestAppointmentsConfig } from './rest-config';
import { unsuccessfulStatus, type AgencyResponse } from './rest-outcome';

export type RestSend = (
  ctx: ProbeContext,
  request: { method: 'POST'; url: string; data?: unknown; headers?: Record<string, string> },
) => Promise<AgencyResponse>;

const MAX_REASON_LENGTH = 200;

export class RestAppointments implements AgencyAppointments {
  constructor(
    private readonly settings: RestAppointmentsConfig,
    private readonly agency: Pick<RestAgencyConfig, 'idempotencyHeader' | 'correlationHeader' | 'businessRejectStatuses'>,
    private readonly send: RestSend,
  ) {}

  async reserve(request: AgencyAppointmentRequest, ctx: ProbeContext): Promise<AgencyAppointmentAnswer> {
    const { status, data } = await this.send(ctx, {
      method: 'POST',
      url: this.settings.reservePath,
      data: {
        reference: request.bookingReference,
        service: request.serviceCode,
        centre: request.centreCode,
        slotStart: request.slotStart,
        slotEnd: request.slotEnd,
        citizenRef: request.citizenRef,
      },
      headers: {
        'Content-Type': 'application/json',
        [this.agency.idempotencyHeader]: request.reservationKey ?? request.bookingReference,
        [this.agency.correlationHeader]: request.bookingReference,
      },
    });
    if (status >= 200 && status < 300) {
      const agencyRef = isRecord(data) ? getByPointer(data, this.settings.agencyRefPointer) : undefined;
      if ((typeof agencyRef !== 'string' && typeof agencyRef !== 'number') || agencyRef === '') {
        throw new AgencyCallError('bad_response', `HTTP ${status} without an appointment reference at ${this.settings.agencyRefPointer}`);
      }
      return { kind: 'reserved', agencyRef: String(agencyRef) };
    }
    if (this.agency.businessRejectStatuses.includes(status)) {
      const code = isRecord(data) ? getByPointer(data, '/error/code') : undefined;
      const reason = isRecord(data) ? getByPointer(data, '/error/message') : undefined;
      return {
        kind: 'refused',
        code: typeof code === 'string' && code !== '' ? code : `HTTP_${status}`,
        reason: typeof reason === 'string' && reason !== '' ? reason.slice(0, MAX_REASON_LENGTH) : `the agency refused the appointment (HTTP ${status})`,
      };
    }
    throw unsuccessfulStatus(status);
  }

  async cancel(agencyRef: string, ctx: ProbeContext): Promise<void> {
    const url = this.settings.cancelPath.replace('{agencyRef}', encodeURIComponent(agencyRef));
    const { status } = await this.send(ctx, { method: 'POST', url, headers: { [this.agency.correlationHeader]: agencyRef } });
    // 404: the agency holds no such appointment any more, which is what cancelling wants.
    if ((status >= 200 && status < 300) || status === 404) return;
    throw unsuccessfulStatus(status);
  }
}
