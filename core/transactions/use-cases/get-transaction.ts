import { authorize, type Action, type Actor, type Scope } from '../../authorization';
import type { PersonalDataReads } from '../../audit/personal-data-reads';
import { DomainError } from '../../shared/errors';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { Transaction } from '../domain/transaction';
import type { TransactionRepository } from '../transaction.repository';
import { toTransactionView, type ServiceInstructions, type TransactionView } from '../transaction.view';

/** Who reads: the policy confines them (core/authorization, `transaction.read`). */
export type Reader = Actor;

/**
 * GET /v1/transactions/{id} (and the acknowledgment): a transaction as the reader may see it. One
 * outside the reader's scope (another centre's, another agency's, another channel's) does not
 * exist for them; an unmasked read is an audit event.
 */
export class GetTransaction {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly vault: PersonalDataVault,
    private readonly services: ServiceInstructions,
    private readonly personalDataReads: PersonalDataReads,
  ) {}

  async execute(id: string, reader: Reader): Promise<TransactionView> {
    const { tx, scope } = await this.visible(id, reader, 'transaction.read');
    const history = await this.transactions.history(id);
    if (scope.personalData) await this.personalDataReads.record(reader, [{ entityType: 'transaction', entityId: tx.id }]);
    return toTransactionView(tx, this.vault, this.services, { history, showPersonalData: scope.personalData });
  }

  /** The transaction whose acknowledgment the reader prints (it shows the ID number masked only). */
  async forAcknowledgment(id: string, reader: Reader): Promise<Transaction> {
    return (await this.visible(id, reader, 'transaction.acknowledgment')).tx;
  }

  private async visible(id: string, reader: Reader, action: Action): Promise<{ tx: Transaction; scope: Scope }> {
    const notFound = () => new DomainError('not_found', 'transaction-not-found', `No transaction ${id}.`);
    authorize(reader, action);
    const tx = await this.transactions.find(id);
    if (!tx) throw notFound();
    const scope = authorize(reader, action, transactionFacts(tx), notFound);
    return { tx, scope };
  }
}

/** Where a transaction belongs and who submitted it, as the policy sees it. */
export function transactionFacts(tx: Transaction): { centre: string | null; agency: string; creator: string } {
  return { centre: tx.centreCode, agency: tx.agencyCode, creator: tx.submittedBy };
}
