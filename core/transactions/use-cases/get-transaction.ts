import { DomainError } from '../../shared/errors';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { TransactionRepository } from '../transaction.repository';
import { toTransactionView, type TransactionView } from '../transaction.view';

export interface Reader {
  subject: string;
  roles: readonly string[];
  centre?: string;
  agency?: string;
}

/** GET /v1/transactions/{id}: state, agency reference, attempts and history, as the reader may see it. */
export class GetTransaction {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly vault: PersonalDataVault,
  ) {}

  async execute(id: string, reader: Reader): Promise<TransactionView> {
    const record = await this.transactions.findById(id);
    // An agency sees only its own transactions; to anyone else it does not exist.
    const hidden = record && reader.roles.length === 1 && reader.roles[0] === 'agency' && record.agencyCode !== reader.agency;
    if (!record || hidden) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    const history = await this.transactions.history(id);
    return toTransactionView(record, this.vault, { history, showPersonalData: reader.roles.includes('personal-data') });
  }
}
