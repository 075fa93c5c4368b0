/**
 * The simulated agency's own appointment system (REST adapter capability `appointments`):
 *   POST /api/v1/appointments               reserve (Idempotency-Key = our booking reference)
 *        201 { reference, status: 'reserved' }; same key again → 200 with the same reference;
 *        409 SLOT_FULL when the agency's own capacity for the slot is used up;
 *        409 SLOT_REFUSED in `reject` mode; 503 when down (the agency's modes apply).
 *   POST /api/v1/appointments/:ref/cancel   200 { reference, status: 'cancelled' } or 404
 *   GET  /_appointments                      what the agency holds (tests)
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Disruption, RestAgencyState } from './rest-agency.state';

export interface AgencyAppointmentRecord {
  reference: string;
  key: string;
  /** Our booking reference (the body's `reference`). */
  booking: string;
  service: string;
  centre: string;
  slotStart: string;
  citizenRef: string;
  status: 'reserved' | 'cancelled';
}

export interface AppointmentRoutesDeps {
  state: RestAgencyState;
  disturb: (disruption: Disruption, reply: FastifyReply) => Promise<boolean>;
  authorized: (authorization: string | undefined) => boolean;
  /** Places per (centre, service, slot) in the agency's own system. Default: no limit. */
  capacity?: number;
  referencePrefix: string;
}

export class AgencyAppointmentBook {
  private readonly byKey = new Map<string, AgencyAppointmentRecord>();
  private sequence = 0;

  list(): AgencyAppointmentRecord[] {
    return [...this.byKey.values()].map((a) => ({ ...a }));
  }

  reset(): void {
    this.byKey.clear();
    this.sequence = 0;
  }

  register(app: FastifyInstance, deps: AppointmentRoutesDeps): void {
    app.post('/api/v1/appointments', async (request, reply) => {
      const disruption = deps.state.nextSubmission();
      if (disruption.kind !== 'reject' && (await deps.disturb(disruption, reply))) return reply;
      if (!deps.authorized(request.headers.authorization)) return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'Missing or wrong credentials' } });
      const key = request.headers['idempotency-key'];
      const body = request.body as Record<string, unknown> | null;
      if (typeof key !== 'string' || key === '' || typeof body !== 'object' || body === null) {
        return reply.code(400).send({ error: { code: 'BAD_REQUEST', message: 'Idempotency-Key and a JSON body are required' } });
      }
      const previous = this.byKey.get(key);
      if (previous && previous.status === 'reserved') return reply.code(200).send({ reference: previous.reference, status: previous.status });
      if (disruption.kind === 'reject') return reply.code(409).send({ error: { code: 'SLOT_REFUSED', message: 'The agency does not take this appointment' } });
      const slot = { service: String(body.service), centre: String(body.centre), slotStart: String(body.slotStart) };
      const taken = this.list().filter((a) => a.status === 'reserved' && a.service === slot.service && a.centre === slot.centre && a.slotStart === slot.slotStart);
      if (taken.length >= (deps.capacity ?? Number.POSITIVE_INFINITY)) {
        return reply.code(409).send({ error: { code: 'SLOT_FULL', message: 'The agency has no place left in this slot' } });
      }
      this.sequence += 1;
      const record: AgencyAppointmentRecord = {
        reference: `${deps.referencePrefix}-APT-${String(this.sequence).padStart(6, '0')}`,
        key,
        booking: String(body.reference),
        ...slot,
        citizenRef: String(body.citizenRef),
        status: 'reserved',
      };
      this.byKey.set(key, record);
      return reply.code(201).send({ reference: record.reference, status: record.status });
    });

    app.post<{ Params: { ref: string } }>('/api/v1/appointments/:ref/cancel', async (request, reply) => {
      if (await deps.disturb(deps.state.probeDisruption(), reply)) return reply;
      if (!deps.authorized(request.headers.authorization)) return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'Missing or wrong credentials' } });
      const record = [...this.byKey.values()].find((a) => a.reference === request.params.ref);
      if (!record) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'No such appointment' } });
      record.status = 'cancelled';
      return { reference: record.reference, status: record.status };
    });

    app.get('/_appointments', async () => this.list());
  }
}
