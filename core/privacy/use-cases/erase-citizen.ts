import { randomUUID } from 'node:crypto';
import { authorize, type Actor } from '../../authorization';
import { normalisePhone, phoneLookupHash, type Phone } from '../../bookings/domain/booking';
import { DomainError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { SessionPayload } from '../../ussd/use-cases/answer-ussd-callback';
import type { ErasureCounts, PersonalDataStore, SealedPhoneRow } from '../personal-data-store';
import { tombstones } from './tombstones';

export interface EraseCitizenCommand {
  idNumber: string;
  /** A phone the citizen used where no ID number was asked (a walk-in ticket, a USSD or SMS look-up), beside those their rows hold. */
  phone?: string;
  /** Why (the request's reference, the legal ground); kept in the audit event. */
  reason: string;
  actor: Actor;
}

export interface Erasure extends ErasureCounts {
  /** The audit event's entity id: `GET /v1/audit/events?entityId=…` shows who erased, when and why. */
  id: string;
  erasedAt: Date;
}

/** Whether a USSD conversation holds this ID number: the menu's, or one of the answers sent last. */
function typedIn(session: SessionPayload, idNumber: string): boolean {
  return session.menu.idNumber === idNumber || session.lastText.split('*').includes(idNumber);
}

/**
 * One citizen's personal data erased on request (a data subject's right to erasure): every
 * transaction and booking found by the ID number loses the citizen's numbers and the request
 * payload; wherever their phones (those the rows held, and the one the request names) appear,
 * the phone goes: the SMS log, the notice outbox, walk-in tickets (and the feedback of the
 * citizen's visits), phone rate limits; live USSD sessions of those phones or
 * holding the ID number are ended; stored Idempotency-Key answers naming their rows are dropped
 * (README, "Retention and erasure": every table, and how). What was done for whom stays as
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
    // One spelling per phone (a transaction may hold `0712 345 678`), as every keyed hash of a phone is taken.
    const phones = new Set<Phone>(command.phone ? [normalisePhone(command.phone)] : []);
    const phoneHashes = new Set<string>();
    const counts = await this.store.eraseCitizen(
      this.vault.lookupHash(command.idNumber),
      (records) => {
        for (const row of [...records.transactions, ...records.bookings]) {
          const phone = this.vault.openCitizen<{ idNumber: string; phone?: string }>(row).phone;
          if (phone) phones.add(normalisePhone(phone));
        }
        for (const phone of phones) phoneHashes.add(phoneLookupHash(this.vault, phone));
        return [...phoneHashes];
      },
      (rows) => {
        open = { transactions: rows.transactions.filter((r) => r.open).length, bookings: rows.bookings.filter((r) => r.open).length };
        if (open.transactions + open.bookings > 0) return null;
        // A row with a keyed hash is known by it; one written before rows kept it is opened.
        const theirs = (sealed: SealedPhoneRow[]): string[] =>
          sealed
            .filter((r) => (r.phoneHash !== null ? phoneHashes.has(r.phoneHash) : phones.has(normalisePhone(this.vault.open<string>(r.phoneSealed)))))
            .map((r) => r.id);
        return {
          phoneHashes: [...phoneHashes],
          ticketIds: theirs(rows.walkInPhones),
          noticeIds: theirs(rows.noticePhones),
          ussdSessionIds: rows.ussdSessions
            .filter((s) => phoneHashes.has(s.phoneHash) || typedIn(this.vault.open<SessionPayload>(s.stateSealed), command.idNumber))
            .map((s) => s.id),
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
