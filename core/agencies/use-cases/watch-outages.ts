import { randomUUID } from 'node:crypto';
import type { Catalogue } from '../../../contracts/src/catalogue';
import type { BookingCitizen } from '../../bookings/domain/booking';
import type { CentreRepository } from '../../centres/centre.repository';
import type { NoticeOutbox } from '../../notifications/notice-outbox';
import { renderSms } from '../../notifications/sms-templates';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { AgencyModes } from '../agency-modes';
import type { AgencyNotices } from '../agency-notices';
import { outageNoticeKey, type AgencyOutage, type OutageRepository } from '../outage.repository';

/** Citizens booked this far ahead hear of an outage (those waiting in a hall always do). */
export const OUTAGE_NOTICE_HORIZON_MS = 3 * 3_600_000;

/**
 * The worker's outage watch (issue 14.1): each pass compares every agency's effective mode with
 * the outages on record. An agency leaving `auto` opens an outage: the hall boards of the centres
 * offering its services get their notice lines, and each citizen waiting for one of them with a
 * checked-in booking, or booked for one in the next hours, gets one SMS: a notice in the outbox,
 * once per outage and booking whoever runs the pass, sent by the worker with retries (a provider
 * failure at the moment of an outage loses nothing). Every pass while the outage lasts tells the
 * citizens whose booking has come within the horizon since. Back in `auto`, the outage closes and
 * the lines go away.
 */
export class WatchOutages {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly modes: Pick<AgencyModes, 'effective' | 'setting'>,
    private readonly outages: OutageRepository,
    private readonly notices: Pick<AgencyNotices, 'forCentre'>,
    private readonly centres: Pick<CentreRepository, 'list' | 'findByCode'>,
    private readonly boards: { noticesChanged(centreCode: string, at: Date): Promise<void> },
    private readonly outbox: Pick<NoticeOutbox, 'enqueue'>,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
  ) {}

  /** One pass; returns the agencies whose outage opened, changed or closed. */
  async pass(): Promise<string[]> {
    const now = this.clock.now();
    const open = new Map((await this.outages.open()).map((outage) => [outage.agencyCode, outage]));
    const changed: string[] = [];
    for (const agency of this.catalogue.agencies) {
      const mode = await this.modes.effective(agency.code);
      const current = open.get(agency.code);
      if (mode === 'auto') {
        if (current) await this.outages.end(current.id, now);
        if (current) changed.push(agency.code);
        continue;
      }
      const until = mode === 'maintenance' ? ((await this.modes.setting(agency.code)).window?.end ?? null) : null;
      if (!current) {
        const started = await this.outages.start({ id: randomUUID(), agencyCode: agency.code, mode, until, startedAt: now });
        if (started) await this.tellCitizens(started, now);
        changed.push(agency.code);
      } else {
        if (current.mode !== mode || current.until?.getTime() !== until?.getTime()) {
          await this.outages.update(current.id, mode, until);
          changed.push(agency.code);
        }
        await this.tellCitizens(current, now);
      }
    }
    if (changed.length > 0) await this.refreshBoards(changed, now);
    return changed;
  }

  private async refreshBoards(agencyCodes: string[], at: Date): Promise<void> {
    const services = new Set(this.catalogue.services().filter((s) => agencyCodes.includes(s.agencyCode)).map((s) => s.code));
    for (const summary of await this.centres.list()) {
      const centre = await this.centres.findByCode(summary.code);
      if (centre?.services.some((s) => services.has(s.serviceCode))) await this.boards.noticesChanged(centre.code, at);
    }
  }

  private async tellCitizens(outage: AgencyOutage, now: Date): Promise<void> {
    const services = this.catalogue.services().filter((s) => s.agencyCode === outage.agencyCode).map((s) => s.code);
    const lines = new Map<string, Awaited<ReturnType<AgencyNotices['forCentre']>>>();
    for (const recipient of await this.outages.recipients(outage.id, services, now, new Date(now.getTime() + OUTAGE_NOTICE_HORIZON_MS))) {
      if (!lines.has(recipient.centreCode)) lines.set(recipient.centreCode, await this.notices.forCentre(recipient.centreCode));
      const line = lines.get(recipient.centreCode)?.find((l) => l.service === recipient.serviceCode);
      if (!line) continue;
      const { phone } = this.vault.openCitizen<BookingCitizen>(recipient);
      await this.outbox.enqueue({
        kind: 'agency-outage',
        text: renderSms('agency-outage', { centre: recipient.centreCode, line: line.text.en }),
        phone,
        key: outageNoticeKey(outage.id, recipient.bookingId),
      });
    }
  }
}
