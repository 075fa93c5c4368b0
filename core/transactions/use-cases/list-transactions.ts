import { authorize, type Actor } from '../../authorization';
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

  /** Narrowed to the reader's scope: a query for another agency than the reader's finds nothing. */
  async page(filter: ListFilter, reader: Actor): Promise<TransactionPage> {
    const scope = authorize(reader, 'transaction.list');
    if (scope.agency !== undefined && filter.agencyCode !== undefined && filter.agencyCode !== scope.agency) return { items: [], next: null };
    const found = await this.transactions.list({ ...filter, centreCode: scope.centre, agencyCode: scope.agency ?? filter.agencyCode });
    const last = found.at(-1);
    return {
      items: found.map((tx) => toTransactionSummary(tx, this.services)),
      next: last && found.length === filter.limit ? { createdAt: last.createdAt, id: last.id } : null,
    };
  }
}
