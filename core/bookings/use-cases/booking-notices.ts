import type { Catalogue } from '../../../contracts/src/catalogue';
import type { Centre } from '../../centres/domain/centre';
import type { Notifier, SmsTemplate } from '../../notifications/notifier.port';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { BookingCitizen, BookingRecord } from '../domain/booking';

export type ServiceNames = Pick<Catalogue, 'service'>;

const whenFormats = new Map<string, Intl.DateTimeFormat>();

/** `Tue 24 Nov, 09:30` in the centre's time zone: what a citizen reads on a feature phone. */
export function smsWhen(instant: Date, timeZone: string): string {
  let f = whenFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    whenFormats.set(timeZone, f);
  }
  return f.format(instant);
}

/**
 * SMS about a booking, sent after its database transaction committed. A failed SMS never undoes
 * or fails a booking: it is reported to `onFailure` (without the phone number) and recorded.
 */
export class BookingNotices {
  constructor(
    private readonly notifier: Notifier,
    private readonly services: ServiceNames,
    private readonly vault: PersonalDataVault,
    private readonly onFailure: (message: string) => void,
  ) {}

  /** `citizen`: the caller's own copy, when it has one (a new booking): the sealed one need not be opened. */
  async send(
    template: SmsTemplate,
    booking: BookingRecord,
    centre: Pick<Centre, 'name' | 'timeZone'>,
    extra?: Record<string, string>,
    citizen?: BookingCitizen,
  ): Promise<boolean> {
    try {
      const { phone } = citizen ?? this.vault.openCitizen<BookingCitizen>(booking);
      // Written out, the extra facts copied after: no `{ ...extra }` spread on a booking's path (issue 13).
      const data: Record<string, string> = {
        reference: booking.reference,
        service: this.services.service(booking.serviceCode)?.name ?? booking.serviceCode,
        centre: centre.name,
        when: smsWhen(booking.slotStart, centre.timeZone),
      };
      if (extra) for (const name of Object.keys(extra)) data[name] = extra[name];
      const receipt = await this.notifier.send({ to: phone, template, data });
      if (receipt.status === 'failed') this.onFailure(`${template} SMS for booking ${booking.reference} failed`);
      return receipt.status !== 'failed';
    } catch (error) {
      this.onFailure(`${template} SMS for booking ${booking.reference} not sent: ${(error as Error).message}`);
      return false;
    }
  }
}
