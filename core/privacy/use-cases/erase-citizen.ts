import { randomUUID } from 'node:crypto';
import { authorize, type Actor } from '../../authorization';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { ErasureCounts, PersonalDataStore } from '../personal-data-store';
import { tombstones } from './tombstones';

export interface EraseCitizenCommand {
  idNumber: string;
  /** Why (the request's reference, the legal ground); kept in the audit event. */
  reason: string;
  actor: Actor;
}

export interface Erasure extends ErasureCounts {
  /** The audit event's entity id: `GET /v1/audit/events?entityId=…` shows who erased, when and why. */
  id: string;
  erasedAt: Date;
}

/**
 * One citizen's personal data erased on request (a data subject's right to erasure): every
 * transaction and booking found by the ID number loses the citizen's numbers and the request
 * payload, and the SMS log loses the phone numbers they held. What was done for whom stays as
 * facts with no name (states, services, centres, agency references), so the audit chain still
 * verifies. Refused while the citizen has business still open (a transaction not yet ended, a
 * booking to come): erasing it would lose the application.
 */
export class EraseCitizen {
  constructor(
    private readonly store: PersonalDataStore,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
  ) {}

  async execute(command: EraseCitizenCommand): Promise<Erasure> {
    authorize(command.actor, 'personal-data.erase');
    const at = this.clock.now();
    const id = randomUUID();
    let open = { transactions: 0, bookings: 0 };
    const counts = await this.store.eraseCitizen(
      this.vault.lookupHash(command.idNumber),
      (rows) => {
        open = { transactions: rows.transactions.filter((r) => r.open).length, bookings: rows.bookings.filter((r) => r.open).length };
        if (open.transactions + open.bookings > 0) return null;
        const phones = new Set<string>();
        for (const row of [...rows.transactions, ...rows.bookings]) {
          const phone = this.vault.open<{ phone?: string }>(row.citizenSealed).phone;
          if (phone) phones.add(this.vault.lookupHash(phone));
        }
        return {
          phoneHashes: [...phones],
          event: (erased) => ({
            entityType: 'erasure',
            entityId: id,
            type: 'personal_data_erased',
            actor: command.actor.subject,
            data: { reason: command.reason, ...erased },
            occurredAt: at,
          }),
        };
      },
      tombstones(this.vault),
      at,
    );
    if (!counts) {
      throw new DomainError(
        'conflict',
        'citizen-has-open-business',
        `This citizen has ${open.transactions} transaction(s) not yet ended and ${open.bookings} booking(s) to come; ` +
          'erase once they have ended (or cancel them first). Nothing was erased.',
      );
    }
    return { id, erasedAt: at, ...counts };
  }
}
