import type { TransactionRepository } from '../../../core/transactions/transaction.repository';
import type { KiungoMetrics } from './kiungo-metrics';

type Metered = Pick<TransactionRepository, 'record' | 'apply'>;

/**
 * The transaction port with a counter on it: every transaction recorded (`received`) and every
 * step that changed a state is counted in `kiungo_transactions_total`, by the process that wrote
 * it. Every change goes through `record` and `apply` (the port's rule), so nothing is missed, and
 * the core never hears of Prometheus.
 *
 * Only those two are wrapped, and they hand their arguments on whole; every other method is the
 * inner repository's own (a Proxy), so a method or an argument added to the port reaches the
 * database without a line here (a hand-written pass-through twice dropped new arguments).
 */
export function meteredTransactions(inner: TransactionRepository, metrics: KiungoMetrics): TransactionRepository {
  const metered: Metered = {
    async record(...args) {
      const recording = await inner.record(...args);
      if (recording.kind === 'created') {
        // Recorded straight past `received` (its agency's breaker was open, or a fallback took it): it entered both.
        const [, events] = args;
        if (recording.transaction.state !== 'received' && events[0]?.type === 'received') metrics.transactionEntered(recording.transaction, 'received');
        metrics.transactionEntered(recording.transaction);
      }
      return recording;
    },
    async apply(...args) {
      const applied = await inner.apply(...args);
      if (applied) {
        metrics.transactionEntered(applied.transaction);
        if (args[1].change.replayed) metrics.replayed(applied.transaction);
      }
      return applied;
    },
  };
  return new Proxy(inner, {
    get: (target, key) => (key === 'record' || key === 'apply' ? metered[key] : Reflect.get(target, key, target)),
  });
}
