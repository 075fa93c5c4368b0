import type { ListFilter, TransactionRepository } from '../transaction.repository';
import { toTransactionSummary, type ServiceInstructions, type TransactionSummary } from '../transaction.view';

export interface TransactionPage {
  items: TransactionSummary[];
  /** Where the next page starts; null on the last page. */
  next: NonNullable<ListFilter['after']> | null;
}

/** Transactions in one state, oldest first: the parked list, the open conflicts, any other state. */
export class ListTransactions {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly services: ServiceInstructions,
  ) {}

  async page(filter: ListFilter): Promise<TransactionPage> {
    const found = await this.transactions.list(filter);
    const last = found.at(-1);
    return {
      items: found.map((tx) => toTransactionSummary(tx, this.services)),
      next: last && found.length === filter.limit ? { createdAt: last.createdAt, id: last.id } : null,
    };
  }
}
