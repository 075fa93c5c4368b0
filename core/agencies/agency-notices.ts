import type { Catalogue } from '../../contracts/src/catalogue';
import type { Centre } from '../centres/domain/centre';
import type { AgencyModes } from './agency-modes';
import type { EffectiveMode } from './domain/agency-mode';
import { serviceNotice, type ServiceNotice } from './domain/service-notice';
import type { OutageRepository } from './outage.repository';

/**
 * The notice lines of services whose agency is down: for a ticket being issued (the agency's mode
 * as this process acts on it, so the line says what the counter will do) and for a centre's hall
 * board (the open outages the worker recorded, so every replica's board shows the same).
 */
export class AgencyNotices {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly modes: Pick<AgencyModes, 'effective' | 'setting'>,
    private readonly outages: Pick<OutageRepository, 'open'>,
    private readonly centres: { findByCode(code: string): Promise<Pick<Centre, 'services' | 'timeZone'> | null> },
  ) {}

  async forService(serviceCode: string, timeZone: string): Promise<ServiceNotice | null> {
    const agency = this.catalogue.agencyOfService(serviceCode);
    if (!agency) return null;
    const mode = await this.modes.effective(agency.code);
    if (mode === 'auto') return null;
    const setting = await this.modes.setting(agency.code);
    return this.notice(serviceCode, mode, mode === 'maintenance' ? (setting.window?.end ?? null) : null, timeZone);
  }

  /** One line per service the centre offers whose agency has an open outage, in the centre's service order. */
  async forCentre(centreCode: string): Promise<ServiceNotice[]> {
    const open = new Map((await this.outages.open()).map((outage) => [outage.agencyCode, outage]));
    if (open.size === 0) return [];
    const centre = await this.centres.findByCode(centreCode);
    if (!centre) return [];
    const lines: ServiceNotice[] = [];
    for (const { serviceCode } of centre.services) {
      const outage = open.get(this.catalogue.agencyOfService(serviceCode)?.code ?? '');
      const line = outage && this.notice(serviceCode, outage.mode, outage.until, centre.timeZone);
      if (line) lines.push(line);
    }
    return lines;
  }

  private notice(serviceCode: string, mode: EffectiveMode, until: Date | null, timeZone: string): ServiceNotice | null {
    const service = this.catalogue.service(serviceCode);
    const agency = this.catalogue.agencyOfService(serviceCode);
    if (!service || !agency) return null;
    return serviceNotice({ serviceCode, serviceName: service.name, agencyCode: agency.code, agencyName: agency.name, fallback: service.fallback, mode, until, timeZone });
  }
}
