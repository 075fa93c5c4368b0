/**
 * The `lean` scenario's server: the least a Node process on this box must do for one transaction
 * submit, as a floor to hold the gateway against. A bare Fastify app with one route,
 * POST /v1/transactions, making the repository calls and statements the gateway's submit makes
 * (SubmitTransaction, DispatchAttempt, the IdempotencyKeyGuard and answerOnce), with the project's own pieces —
 * - the Idempotency-Key as the gateway keeps it (RunOnce.runInline with an InlineKey): claimed in
 *   the recording statement and answered in the completing one, the body hashed once (fingerprintOf);
 * - the record before any agency call, its `received` event, and the completing step with its
 *   events and the caller's answer (PgTransactionRepository.record / .apply, AuditLog): the same
 *   two named prepared statements per submit; the step decided by the domain (nextState,
 *   afterChange), the personal data sealed under a per-record data key (PersonalDataVault);
 * - the answer built once (toTransactionView with the caller's citizen, statusUrl set on it) and
 *   sent as the JSON text stored with the key (answerJson);
 * - the agency call as the REST adapter maps it (parseRestOperation, buildRequestBody,
 *   submitOutcome) over an undici pool with keep-alive, the inline timeout as deadline —
 * and nothing else: no Nest, no guards, interceptors or CLS, no token check, no schema validation
 * (the bench sends a valid body), no breaker, bulkhead or rate limit, no re-read of the row.
 * Configured by the gateway deployment's own variables (DATABASE_URL, KIUNGO_DATA_KEY,
 * DB_POOL_MAX, KIUNGO_CATALOGUE_DIR, the agency's base URL variable) and PORT.
 * Answers 200 with the transaction view when the agency accepted, 502 otherwise (a bench check).
 */
import Fastify from 'fastify';
import { Pool as AgencyPool } from 'undici';
import { parseRestAgencyConfig, parseRestOperation } from '../../adapters/rest/rest-config';
import { buildRequestBody, submitOutcome } from '../../adapters/rest/rest-outcome';
import { loadCatalogue } from '../../contracts/src/catalogue.loader';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import type { AgencyOutcome } from '../../contracts/src/dispatch';
import type { Transaction as TransactionMessage } from '../../contracts/src/message.types';
import { AuditLog } from '../../core/audit/audit-log';
import { createPool } from '../../core/db/pool';
import { answerJson, fingerprintOf, InlineKey, KeyAlreadyClaimed, type StoredAnswer } from '../../core/idempotency/domain/idempotent-request';
import { PgIdempotencyRepository } from '../../core/idempotency/pg/idempotency.pg-repository';
import { RunOnce } from '../../core/idempotency/use-cases/run-once';
import { PersonalDataVault } from '../../core/shared/personal-data';
import { timeOrderedUuid } from '../../core/shared/uuid';
import { nextState } from '../../core/transactions/domain/agency-outcome';
import { duplicateReferenceMatters } from '../../core/transactions/domain/conflicts';
import { transactionEvent } from '../../core/transactions/domain/transaction-events';
import { afterChange, isFinalForCaller, type Citizen, type NewTransaction, type Transaction } from '../../core/transactions/domain/transaction';
import { PgTransactionRepository } from '../../core/transactions/pg/transaction.pg-repository';
import { toTransactionView } from '../../core/transactions/transaction.view';

/** The one scope every request is recorded under (the gateway uses the token's subject). */
const SUBMITTER = 'bench';
const ROUTE = 'POST /v1/transactions';
/** As SubmitTransaction: slack on top of the inline timeout before the sweeper may take over. */
const INLINE_LEASE_MARGIN_MS = 2000;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

interface AgencyClient {
  pool: AgencyPool;
  headers: Record<string, string>;
  idempotencyHeader: string;
  correlationHeader: string;
  rejectStatuses: readonly number[];
  inlineTimeoutMs: number;
}

interface Envelope {
  service: string;
  channel: NewTransaction['channel'];
  centre?: string;
  citizen: Citizen;
  payload: Record<string, unknown>;
}

async function main(): Promise<void> {
  const env = process.env;
  const catalogue = loadCatalogue(required('KIUNGO_CATALOGUE_DIR'));
  const pool = createPool({ url: required('DATABASE_URL'), max: Number(env.DB_POOL_MAX ?? 20), applicationName: 'kiungo-bench-lean' });
  const audit = await AuditLog.open(pool);
  const transactions = new PgTransactionRepository(pool, audit, true);
  const vault = new PersonalDataVault(Buffer.from(required('KIUNGO_DATA_KEY'), 'base64'));
  const runOnce = new RunOnce(new PgIdempotencyRepository(pool));
  const agencies = new Map<string, AgencyClient>();

  const app = Fastify({ logger: false });
  app.post('/v1/transactions', async (request, reply) => {
    const body = request.body as Envelope;
    // As the IdempotencyKeyGuard on a route marked @IdempotencyInStatements: the body hashed once, an InlineKey.
    const key = new InlineKey({ scope: SUBMITTER, key: String(request.headers['idempotency-key'] ?? ''), route: ROUTE, fingerprint: fingerprintOf(body) });
    try {
      // As answerOnce: the key claimed in the record's statement, the answer stored in the completing one.
      const { answer } = await runOnce.runInline(key, () => submit(body, key));
      const view = answer.body as TransactionMessage;
      if (view.statusUrl) reply.header('location', view.statusUrl);
      return reply.code(answer.status).type(JSON_CONTENT_TYPE).send(answerJson(answer.body));
    } catch (error) {
      return reply.code(502).send({ detail: error instanceof Error ? error.message : String(error) });
    }
  });

  /** Record, call the agency inline, record its answer with the caller's: the answer, or a throw (502). */
  async function submit(body: Envelope, key: InlineKey): Promise<StoredAnswer> {
    const service = catalogue.service(body.service);
    const agencyDefinition = service && catalogue.agency(service.agencyCode);
    if (!service || !agencyDefinition) throw new Error(`unknown service ${body.service}`);
    const now = new Date();
    const id = timeOrderedUuid(now);
    // RunOnce took the key itself when the record's statement found it claimed (see InlineKey).
    const inline = key.inline;
    const dataKey = vault.newDataKey();
    const recorded = await transactions.record(
      {
        id,
        serviceCode: service.code,
        agencyCode: service.agencyCode,
        channel: body.channel,
        centreCode: body.centre ?? null,
        officerId: null,
        submittedBy: SUBMITTER,
        channelClient: null,
        citizenIdHash: vault.lookupHash(body.citizen.idNumber),
        citizenSealed: vault.seal(body.citizen, dataKey),
        payloadSealed: vault.seal(body.payload, dataKey),
        dataKeySealed: dataKey.sealed,
        state: 'received',
        attempts: 1,
        maxAttempts: service.retry.maxAttempts,
        nextAttemptAt: new Date(now.getTime() + agencyDefinition.resilience.inlineTimeoutMs + INLINE_LEASE_MARGIN_MS),
        idempotencyScope: key.request.scope,
        idempotencyKey: key.request.key,
        requestHash: key.request.fingerprint,
        fallback: null,
        provisionalRef: null,
        replayPending: false,
      },
      [
        transactionEvent(id, 'received', SUBMITTER, now, {
          service: service.code,
          agency: service.agencyCode,
          channel: body.channel,
          centre: body.centre ?? null,
          client: null,
        }),
      ],
      { claim: inline ? key.request : undefined },
    );
    if (recorded.kind === 'key-claimed') throw new KeyAlreadyClaimed();
    if (inline) key.claimed = true;
    if (recorded.kind !== 'created') throw new Error(`not recorded: ${recorded.kind}`);

    const agency = agencyClient(agencyDefinition);
    const operation = parseRestOperation(service.operation);
    const sentAt = new Date();
    let outcome: AgencyOutcome;
    try {
      const response = await agency.pool.request({
        method: operation.method as 'POST',
        path: operation.path,
        headers: { ...agency.headers, [agency.idempotencyHeader]: id, [agency.correlationHeader]: id },
        body: JSON.stringify(buildRequestBody(body.payload, operation)),
        signal: AbortSignal.timeout(agency.inlineTimeoutMs),
      });
      const data: unknown = await response.body.json().catch(() => undefined);
      outcome = submitOutcome({ status: response.statusCode, data }, operation, agency.rejectStatuses);
    } catch (error) {
      outcome = { kind: 'transient', code: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
    }
    const at = new Date();
    const step = nextState(recorded.transaction, outcome, { via: 'attempt', actor: SUBMITTER, sentAt, inline: true }, { now: at, retry: service.retry, fallback: service.fallback });
    if (!step) throw new Error(`no step for the agency's outcome (${outcome.kind})`);
    // As DispatchAttempt: the answer built once for the row as the step leaves it, stored with the step.
    const after = afterChange(recorded.transaction, step.change, at);
    const answer = answerFor(after, body.citizen);
    const applied = await transactions.apply(id, step, {
      findDuplicateReference: step.change.state === 'completed' && duplicateReferenceMatters(service),
      answer: inline ? { request: key.request, answer, transaction: after, at } : undefined,
    });
    if (inline && applied?.answered) key.answered = true;
    if (!applied || applied.transaction.state !== 'completed') throw new Error(`the agency call ended ${applied?.transaction.state ?? 'unrecorded'} (${outcome.kind})`);
    return answer;
  }

  /** As the gateway's controller: the view with the caller's own citizen, statusUrl set on it (not spread into a copy). */
  function answerFor(transaction: Transaction, citizen: Citizen): StoredAnswer {
    const view: TransactionMessage = toTransactionView(transaction, vault, catalogue, { citizen });
    view.statusUrl = `/v1/transactions/${transaction.id}`;
    return { status: isFinalForCaller(transaction.state) ? 200 : 202, body: view };
  }

  /** One undici pool per agency, sized like the REST adapter's sockets (its bulkhead, plus one). */
  function agencyClient(definition: AgencyDefinition): AgencyClient {
    const known = agencies.get(definition.code);
    if (known) return known;
    const config = parseRestAgencyConfig(definition.adapter);
    const baseUrl = (config.baseUrlEnv && env[config.baseUrlEnv]) || config.baseUrl;
    if (!baseUrl) throw new Error(`agency ${definition.code}: no base URL`);
    const client: AgencyClient = {
      pool: new AgencyPool(baseUrl, { connections: definition.resilience.concurrency + 1, pipelining: 1 }),
      headers: { ...config.headers, accept: 'application/json', 'content-type': 'application/json' },
      idempotencyHeader: config.idempotencyHeader,
      correlationHeader: config.correlationHeader,
      rejectStatuses: config.businessRejectStatuses,
      inlineTimeoutMs: definition.resilience.inlineTimeoutMs,
    };
    agencies.set(definition.code, client);
    return client;
  }
  app.get('/health/ready', async () => ({ status: 'ok' }));

  const close = (): void => {
    void app
      .close()
      .then(() => Promise.all([...agencies.values()].map((a) => a.pool.close())))
      .then(() => pool.end())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  await app.listen({ port: Number(required('PORT')), host: '127.0.0.1' });
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch((error: unknown) => {
  process.stderr.write(`lean server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
