import { DomainError } from '../../shared/errors';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { TransactionRepository } from '../transaction.repository';
import { toTransactionView, type ServiceInstructions, type TransactionView } from '../transaction.view';

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
    private readonly services: ServiceInstructions,
  ) {}

  async execute(id: string, reader: Reader): Promise<TransactionView> {
    const tx = await this.transactions.find(id);
    // An agency sees only its own transactions; to anyone else it does not exist.
    const hidden = tx && reader.roles.length === 1 && reader.roles[0] === 'agency' && tx.agencyCode !== reader.agency;
    if (!tx || hidden) throw new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    const history = await this.transactions.history(id);
    return toTransactionView(tx, this.vault, this.services, { history, showPersonalData: reader.roles.includes('personal-data') });
  }
}
