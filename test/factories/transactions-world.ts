/**
 * The transaction use cases wired as the gateway wires them, on a real database, the real
 * adapters' registry and a real agency (the REST simulator over HTTP), without Nest and without
 * the HTTP API: the middle test tier (as immich's medium tests).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgencyRegistry } from '../../adapters/registry';
import type { Catalogue } from '../../contracts/src/catalogue';
import { loadCatalogue } from '../../contracts/src/catalogue.loader';
import { AgencyModes } from '../../core/agencies/agency-modes';
import type { AgencyMode } from '../../core/agencies/domain/agency-mode';
import { PgAgencyModeRepository } from '../../core/agencies/pg/agency-mode.pg-repository';
import { AuditLog } from '../../core/audit/audit-log';
import { fingerprintOf } from '../../core/idempotency/domain/idempotent-request';
import { InProcessRetryQueue } from '../../core/retry-queue/in-process.retry-queue';
import type { RetryQueue } from '../../core/retry-queue/retry-queue.port';
import { SystemClock } from '../../core/shared/clock';
import { PersonalDataVault } from '../../core/shared/personal-data';
import type { Transaction, TransactionState } from '../../core/transactions/domain/transaction';
import { PgTransactionRepository } from '../../core/transactions/pg/transaction.pg-repository';
import { AcceptUnderFallback } from '../../core/transactions/use-cases/accept-under-fallback';
import { AgencyCall } from '../../core/transactions/use-cases/agency-call';
import { DispatchAttempt } from '../../core/transactions/use-cases/dispatch-attempt';
import { HoldForFallback } from '../../core/transactions/use-cases/hold-for-fallback';
import { RecordManualOutcome } from '../../core/transactions/use-cases/record-manual-outcome';
import { REPLAY_IDLE_MS, ReplayBacklog, type ReplayPacer } from '../../core/transactions/use-cases/replay-backlog';
import { ReplayParked } from '../../core/transactions/use-cases/replay-parked';
import { ResolveConflict } from '../../core/transactions/use-cases/resolve-conflict';
import { RetryTransaction } from '../../core/transactions/use-cases/retry-transaction';
import { SweepOverdueTransactions } from '../../core/transactions/use-cases/sweep-overdue';
import { SubmitTransaction, type Submitter } from '../../core/transactions/use-cases/submit-transaction';
import { RegistryHealthProbe } from '../../gateway/src/agencies/registry-health.probe';
import { nrbEnvelope } from '../e2e/transactions.helpers';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { FAST_CATALOGUE } from './app';
import { createTestDatabase, type TestDatabase } from './database';

export interface TransactionsWorld {
  db: TestDatabase;
  agency: RestAgencySimulator;
  catalogue: Catalogue;
  /** The adapters' registry: the agencies behind their breakers. */
  agencies: AgencyRegistry;
  retries: RetryQueue;
  vault: PersonalDataVault;
  audit: AuditLog;
  transactions: PgTransactionRepository;
  modes: AgencyModes;
  submit: SubmitTransaction;
  retry: RetryTransaction;
  sweeper: SweepOverdueTransactions;
  dispatch: DispatchAttempt;
  replay: ReplayBacklog;
  manualOutcome: RecordManualOutcome;
  replayParked: ReplayParked;
  resolve: ResolveConflict;
  officer: Submitter;
  /** Submits an ID-card replacement (or another NRB service) as an officer of NRB-GPO. */
  submitNrb(options?: { service?: string; idNumber?: string; key?: string }): Promise<Transaction>;
  /** Stores the agency's mode (the replay's claim reads the stored mode itself). */
  setMode(mode: AgencyMode, reason?: string): Promise<void>;
  /**
   * Replays the agency's backlog as the worker's loop does (sessions, resting between them) until
   * it is empty: the breaker may still be open from an earlier outage. Times out after 10 s.
   */
  drainReplay(): Promise<void>;
  /** Makes a `retrying` transaction due now, as if its backoff had passed. */
  makeDue(id: string): Promise<void>;
  eventTypes(id: string): Promise<string[]>;
  stateOf(id: string): Promise<TransactionState | undefined>;
  close(): Promise<void>;
}

export interface TransactionsWorldOptions {
  /** Default: the fast test catalogue (test/fixtures/catalogue-fast). */
  catalogueDir?: string;
  /** Default: the in-process driver. */
  retries?: RetryQueue;
  /** Default: PgTransactionRepository itself (a subclass may count what it is asked). */
  repository?: typeof PgTransactionRepository;
  /** The sweeper's grace and batch; default as the gateway's (2 s, 500). */
  sweep?: { graceMs: number; batch: number };
}

export async function startTransactionsWorld(options: TransactionsWorldOptions = {}): Promise<TransactionsWorld> {
  const db = await createTestDatabase();
  const agency = await startRestAgency({ referencePrefix: 'NRB' });
  const catalogue = loadCatalogue(options.catalogueDir ?? FAST_CATALOGUE);
  const clock = new SystemClock();
  const audit = await AuditLog.open(db.pool);
  const vault = new PersonalDataVault(randomBytes(32));
  const agencies = new AgencyRegistry(catalogue.agencies, { endpointOverrides: { nrb: agency.url } });
  const retries = options.retries ?? new InProcessRetryQueue({ logger: { warn: () => undefined, error: () => undefined } });
  const transactions = new (options.repository ?? PgTransactionRepository)(db.pool, audit);
  const modeRepository = new PgAgencyModeRepository(db.pool, audit);
  const health = new RegistryHealthProbe(agencies, clock);
  // No cache: every read sees the stored mode (the gateway caches for a second).
  const modes = new AgencyModes(modeRepository, health, clock, () => 60_000, { cacheMs: 0 });
  const call = new AgencyCall(transactions, catalogue, agencies, vault, clock);
  const hold = new HoldForFallback(modes, transactions, catalogue, clock);
  const dispatch = new DispatchAttempt(transactions, catalogue, call, retries, clock, hold);
  const accept = new AcceptUnderFallback(modes, transactions, clock);
  const officer: Submitter = { subject: 'officer-otieno', roles: ['officer'], centre: 'NRB-GPO' };
  const submit = new SubmitTransaction(transactions, catalogue, dispatch, vault, clock, accept);
  const replay = new ReplayBacklog(transactions, catalogue, modes, modeRepository, health, call, vault, clock);

  return {
    db,
    agency,
    catalogue,
    agencies,
    retries,
    vault,
    audit,
    transactions,
    modes,
    submit,
    retry: new RetryTransaction(transactions, dispatch, 10_000, clock, call, hold),
    sweeper: new SweepOverdueTransactions(transactions, retries, options.sweep ?? { graceMs: 2000, batch: 500 }, dispatch, clock, call),
    dispatch,
    replay,
    manualOutcome: new RecordManualOutcome(transactions, clock),
    replayParked: new ReplayParked(transactions, clock),
    resolve: new ResolveConflict(transactions, clock),
    officer,
    async submitNrb(options = {}) {
      const body = { ...nrbEnvelope(options.idNumber ? { idNumber: options.idNumber } : {}), ...(options.service ? { service: options.service } : {}) };
      const idempotency = { scope: officer.subject, key: options.key ?? randomUUID(), route: 'POST /v1/transactions', fingerprint: fingerprintOf(body) };
      return (await submit.execute({ envelope: body, submitter: officer, idempotency })).transaction;
    },
    async setMode(mode, reason = 'test') {
      const window = mode === 'maintenance' ? { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 3_600_000) } : null;
      await modeRepository.setMode({ agencyCode: 'nrb', mode, reason, window, changedBy: 'ops-test', changedAt: new Date() }, {
        entityType: 'agency',
        entityId: 'nrb',
        type: 'mode_changed',
        actor: 'ops-test',
        data: { to: mode },
        occurredAt: new Date(),
      });
    },
    async drainReplay() {
      const pacer: ReplayPacer = { now: () => performance.now(), wait: (ms) => sleep(Math.max(0, ms)), stopping: () => false };
      const deadline = performance.now() + 10_000;
      while (await transactions.hasBacklog('nrb')) {
        if (performance.now() > deadline) throw new Error('the replay backlog did not drain within 10 s');
        if ((await replay.session('nrb', 'worker-test', pacer)) === 0) await sleep(REPLAY_IDLE_MS);
      }
    },
    async makeDue(id) {
      // On the world's clock, as the worker's claim compares it (not PostgreSQL's, which may differ).
      await db.pool.query(`UPDATE transactions SET next_attempt_at = $2 WHERE id = $1`, [id, new Date(clock.now().getTime() - 1_000)]);
    },
    async eventTypes(id) {
      return (await audit.history(db.pool, 'transaction', id)).map((event) => event.type);
    },
    async stateOf(id) {
      return (await transactions.find(id))?.state;
    },
    async close() {
      await retries.close();
      await agencies.close();
      await agency.close();
      await db.close();
    },
  };
}
