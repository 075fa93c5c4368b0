import { Logger, type Provider } from '@nestjs/common';
import { DEFAULT_REPLAY } from '../../../contracts/src/catalogue.types';
import { AgencyHealthProbe } from '../../../core/agencies/agency-health.port';
import { AgencyModeRepository } from '../../../core/agencies/agency-mode.repository';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { PgAgencyModeRepository } from '../../../core/agencies/pg/agency-mode.pg-repository';
import { PauseReplay } from '../../../core/agencies/use-cases/pause-replay';
import { SetAgencyMode } from '../../../core/agencies/use-cases/set-agency-mode';
import { CompletionNotifier, type CompletionNotice } from '../../../core/transactions/completion-notifier.port';
import { FallbackRepository } from '../../../core/transactions/fallback.repository';
import { PgFallbackRepository } from '../../../core/transactions/pg/fallback.pg-repository';
import { AcceptUnderFallback } from '../../../core/transactions/use-cases/accept-under-fallback';
import { HoldForFallback } from '../../../core/transactions/use-cases/hold-for-fallback';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { RecordManualOutcome } from '../../../core/transactions/use-cases/record-manual-outcome';
import { ReplayParked } from '../../../core/transactions/use-cases/replay-parked';
import { ReplayStoredTransactions } from '../../../core/transactions/use-cases/replay-stored';
import { ResolveConflict } from '../../../core/transactions/use-cases/resolve-conflict';
import type { KiungoRuntime } from '../runtime/runtime';
import { RegistryHealthProbe } from './registry-health.probe';

/**
 * The citizen notice when a stored transaction completes on replay. The notice itself is kept in
 * `citizen_notices` (once per transaction) before this runs; this driver only logs, without
 * personal data. Production SMS goes through core/notifications once it has this template.
 */
class LogCompletionNotifier extends CompletionNotifier {
  private readonly logger = new Logger('CitizenNotice');

  async transactionCompleted(notice: CompletionNotice): Promise<void> {
    this.logger.log(`transaction ${notice.transactionId} (${notice.provisionalRef ?? 'no provisional ref'}) completed as ${notice.agencyRef}`);
  }
}

/** Manual fallback (issue 4): agency modes, fallback at submit, replay, parked list, reconciliation. */
export function fallbackProviders(runtime: KiungoRuntime): Provider[] {
  const degradedAfterMs = (agencyCode: string): number =>
    (runtime.catalogue.agency(agencyCode)?.replay ?? DEFAULT_REPLAY).degradedAfterMs;
  return [
    { provide: AgencyHealthProbe, useFactory: () => new RegistryHealthProbe(runtime.agencies, () => runtime.clock.now()) },
    { provide: AgencyModeRepository, useFactory: () => new PgAgencyModeRepository(runtime.pool, runtime.audit) },
    { provide: FallbackRepository, useFactory: () => new PgFallbackRepository(runtime.pool, runtime.audit) },
    { provide: CompletionNotifier, useClass: LogCompletionNotifier },
    {
      provide: AgencyModes,
      inject: [AgencyModeRepository, AgencyHealthProbe],
      useFactory: (repository: AgencyModeRepository, health: AgencyHealthProbe) => new AgencyModes(repository, health, runtime.clock, degradedAfterMs),
    },
    {
      provide: SetAgencyMode,
      inject: [AgencyModeRepository, AgencyModes],
      useFactory: (repository: AgencyModeRepository, modes: AgencyModes) => new SetAgencyMode(runtime.catalogue, repository, modes, runtime.clock),
    },
    {
      provide: PauseReplay,
      inject: [AgencyModeRepository, AgencyModes],
      useFactory: (repository: AgencyModeRepository, modes: AgencyModes) => new PauseReplay(runtime.catalogue, repository, modes, runtime.clock),
    },
    {
      provide: AcceptUnderFallback,
      inject: [AgencyModes, FallbackRepository],
      useFactory: (modes: AgencyModes, fallbacks: FallbackRepository) => new AcceptUnderFallback(modes, fallbacks),
    },
    {
      provide: ReplayStoredTransactions,
      inject: [FallbackRepository, CompletionNotifier],
      useFactory: (fallbacks: FallbackRepository, notifier: CompletionNotifier) =>
        new ReplayStoredTransactions(fallbacks, runtime.catalogue, runtime.agencies, runtime.vault, runtime.clock, notifier),
    },
    {
      provide: HoldForFallback,
      inject: [AgencyModes, TransactionRepository, FallbackRepository],
      useFactory: (modes: AgencyModes, transactions: TransactionRepository, fallbacks: FallbackRepository) =>
        new HoldForFallback(modes, transactions, fallbacks, runtime.catalogue, runtime.clock),
    },
    { provide: RecordManualOutcome, inject: [FallbackRepository], useFactory: (f: FallbackRepository) => new RecordManualOutcome(f, runtime.clock) },
    { provide: ReplayParked, inject: [FallbackRepository], useFactory: (f: FallbackRepository) => new ReplayParked(f, runtime.clock) },
    { provide: ResolveConflict, inject: [FallbackRepository], useFactory: (f: FallbackRepository) => new ResolveConflict(f, runtime.clock) },
  ];
}

/** What the providers above make available to controllers and the worker. */
export const FALLBACK_EXPORTS = [
  AgencyHealthProbe,
  AgencyModeRepository,
  FallbackRepository,
  CompletionNotifier,
  AgencyModes,
  SetAgencyMode,
  PauseReplay,
  AcceptUnderFallback,
  HoldForFallback,
  ReplayStoredTransactions,
  RecordManualOutcome,
  ReplayParked,
  ResolveConflict,
];
