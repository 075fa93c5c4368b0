/**
 * A REST agency over real HTTP (Fastify), for integration tests, the embedded demo and
 * load tests. It keeps applications by idempotency key like a well-behaved agency should,
 * and can be told to misbehave (slow, flaky, down, hang, reject) from code or over HTTP:
 *   POST /api/v1/:resource           submit (Idempotency-Key required)
 *   GET  /api/v1/applications/:ref   status of an application
 *   GET  /health                     200, or 503 when down
 *   PUT  /_control  GET /_stats  POST /_reset
 * A payload with `idNumber: "00000000"` is always rejected (422 ID_NOT_FOUND); one with
 * `idNumber: "99999999"` is poisonous: it crashes the agency's handler (500) every time, while
 * the agency stays healthy for everyone else.
 */
import Fastify, { type FastifyReply } from 'fastify';
import type { AddressInfo } from 'node:net';
import { HeldRequests } from '../held-requests';
import {
  REST_AGENCY_MODES,
  RestAgencyState,
  type Disruption,
  type ModeOptions,
  type ResetOptions,
  type RestAgencyMode,
  type RestAgencyStats,
} from './rest-agency.state';
import { AgencyAppointmentBook, type AgencyAppointmentRecord } from './rest-agency.appointments';

export type { ModeOptions, ResetOptions, RestAgencyMode, RestAgencyStats } from './rest-agency.state';
export type { AgencyAppointmentRecord } from './rest-agency.appointments';

export interface RestAgencyOptions {
  port?: number;
  host?: string;
  /** References look like `<PREFIX>-000001`. Default `AG`. */
  referencePrefix?: string;
  name?: string;
  /** When set, submissions and status requests need `Authorization: Bearer <token>` (else 401). */
  bearerToken?: string;
  /** Places per slot in the agency's own appointment system (POST /api/v1/appointments). Default: no limit. */
  appointmentCapacity?: number;
  /**
   * Every new application gets this same reference: an agency that maps two of our transactions to
   * one application (the reconciliation e2e). Default: a fresh reference per application.
   */
  fixedReference?: string;
}

export interface RestAgencySimulator {
  readonly url: string;
  readonly port: number;
  readonly name: string;
  setMode(mode: RestAgencyMode, opts?: ModeOptions): void;
  /** The next `n` submissions answer 503, whatever the mode. */
  failNext(n: number): void;
  stats(): RestAgencyStats;
  reset(options?: ResetOptions): void;
  /** What the agency's own appointment system holds. */
  appointments(): AgencyAppointmentRecord[];
  /** Ends held (hanging, slow) requests, then stops the server. */
  close(): Promise<void>;
}

interface ControlBody extends ModeOptions {
  mode?: RestAgencyMode;
  failNext?: number;
}

/** A request the agency never survives (see the file comment). */
export const POISONOUS_ID_NUMBER = '99999999';

const UNAVAILABLE = { error: { code: 'UNAVAILABLE', message: 'The service is temporarily unavailable' } };

export async function startRestAgency(options: RestAgencyOptions = {}): Promise<RestAgencySimulator> {
  const { port = 0, host = '127.0.0.1', referencePrefix = 'AG', bearerToken } = options;
  const name = options.name ?? `${referencePrefix} simulator`;
  const state = new RestAgencyState(referencePrefix, options.fixedReference);
  /** Requests held by `hang` and `slow`, so that close() can end them. */
  const held = new HeldRequests();
  let closing = false;
  const hold = (ms: number | null): Promise<void> => held.hold(ms);

  const app = Fastify({ logger: false, forceCloseConnections: true });
  // Any other content type arrives as text: control calls need no body, and a submission that
  // is not JSON gets the agency's own 400 rather than Fastify's 415.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (_request, reply) => {
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished && !closing) state.aborted++;
    });
  });

  /** Answers for the disruption; returns true when the request has been dealt with. */
  async function disturb(disruption: Disruption, reply: FastifyReply): Promise<boolean> {
    switch (disruption.kind) {
      case 'none':
        return false;
      case 'delay':
        await hold(disruption.ms);
        return false;
      case 'fail':
        await reply.code(503).send(UNAVAILABLE);
        return true;
      case 'reject':
        await reply.code(422).send({ error: { code: 'APPLICATION_REJECTED', message: 'The agency rejected this application' } });
        return true;
      case 'hang': {
        reply.hijack();
        state.hanging++;
        const clientGone = new Promise<void>((resolve) => reply.raw.once('close', () => resolve()));
        await Promise.race([hold(null), clientGone]);
        state.hanging--;
        if (!reply.raw.destroyed && !reply.raw.writableEnded) {
          reply.raw.writeHead(503, { 'content-type': 'application/json' });
          reply.raw.end(JSON.stringify(UNAVAILABLE));
        }
        return true;
      }
    }
  }

  const authorized = (authorization: string | undefined): boolean => !bearerToken || authorization === `Bearer ${bearerToken}`;

  app.post<{ Params: { resource: string } }>('/api/v1/:resource', async (request, reply) => {
    // Infrastructure trouble hits before the application looks at anything; a business
    // rejection (reject mode) comes after the idempotency store, like at a real agency.
    const disruption = state.nextSubmission();
    if (disruption.kind !== 'reject' && (await disturb(disruption, reply))) return reply;
    if (!authorized(request.headers.authorization)) {
      return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'Missing or wrong credentials' } });
    }
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key.trim() === '') {
      return reply.code(400).send({ error: { code: 'IDEMPOTENCY_KEY_REQUIRED', message: 'The Idempotency-Key header is required' } });
    }
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply.code(400).send({ error: { code: 'INVALID_BODY', message: 'A JSON object is required' } });
    }
    if ((body as Record<string, unknown>).idNumber === POISONOUS_ID_NUMBER) {
      state.poisoned++;
      return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: 'Unexpected error' } });
    }
    const previous = state.existing(key);
    if (previous) return reply.code(200).send(applicationBody(previous.reference, previous.fields));
    const fields = body as Record<string, unknown>;
    if (fields.idNumber === '00000000') {
      return reply.code(422).send({ error: { code: 'ID_NOT_FOUND', message: 'No person is registered under this ID number' } });
    }
    if (disruption.kind === 'reject') {
      await disturb(disruption, reply);
      return reply;
    }
    const application = state.create(key, request.params.resource, fields);
    return reply.code(201).send(applicationBody(application.reference, fields));
  });

  app.get<{ Params: { ref: string } }>('/api/v1/applications/:ref', async (request, reply) => {
    if (await disturb(state.probeDisruption(), reply)) return reply;
    if (!authorized(request.headers.authorization)) {
      return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'Missing or wrong credentials' } });
    }
    const application = state.application(request.params.ref);
    if (!application) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'No such application' } });
    const { reference, resource, status, receivedAt } = application;
    return { reference, resource, status, receivedAt };
  });

  const appointmentBook = new AgencyAppointmentBook();
  appointmentBook.register(app, { state, disturb, authorized, capacity: options.appointmentCapacity, referencePrefix });

  app.get('/health', async (_request, reply) => {
    if (await disturb(state.probeDisruption(), reply)) return reply;
    return { status: 'up', name };
  });

  app.put<{ Body: ControlBody | undefined }>('/_control', async (request, reply) => {
    const body = request.body ?? {};
    try {
      if (body.mode !== undefined || body.delayMs !== undefined || body.failEvery !== undefined) {
        state.setMode(body.mode ?? state.mode, { delayMs: body.delayMs, failEvery: body.failEvery });
      }
      if (body.failNext !== undefined) state.failNext(body.failNext);
    } catch (error) {
      const modes = REST_AGENCY_MODES.join(', ');
      return reply.code(400).send({ error: { code: 'BAD_CONTROL', message: `${(error as Error).message} (modes: ${modes})` } });
    }
    return state.stats();
  });
  app.get('/_stats', async () => state.stats());
  // Over HTTP the simulator stands beside a gateway whose database remembers every reference it
  // gave, as a real agency's would: a reset clears the stats and the applications, never the
  // numbering (a reissued reference is, rightly, a conflict for Kiungo).
  app.post('/_reset', async () => {
    state.reset({ keepNumbering: true });
    return state.stats();
  });

  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    name,
    setMode: (mode, opts) => state.setMode(mode, opts),
    failNext: (n) => state.failNext(n),
    stats: () => state.stats(),
    reset: (resetOptions) => {
      state.reset(resetOptions);
      appointmentBook.reset();
    },
    appointments: () => appointmentBook.list(),
    close: async () => {
      if (closing) return;
      closing = true;
      held.releaseAll();
      await app.close();
    },
  };
}

function applicationBody(reference: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { ...fields, reference, status: 'accepted' };
}
