import type { Catalogue } from '../../contracts/src/catalogue';
import type { MaintenanceCalendar, MaintenanceWindowSpan } from '../bookings/maintenance-calendar';
import type { Clock } from '../shared/clock';
import type { AgencyModes } from './agency-modes';

/** The bookings' view of the agencies' scheduled maintenance: a window not yet over, for the service's agency. */
export class AgencyMaintenanceCalendar implements MaintenanceCalendar {
  constructor(
    private readonly catalogue: Pick<Catalogue, 'agencyOfService'>,
    private readonly modes: Pick<AgencyModes, 'setting'>,
    private readonly clock: Clock,
  ) {}

  async windowFor(serviceCode: string): Promise<MaintenanceWindowSpan | null> {
    const agency = this.catalogue.agencyOfService(serviceCode);
    if (!agency) return null;
    const setting = await this.modes.setting(agency.code);
    if (setting.mode !== 'maintenance' || !setting.window || setting.window.end.getTime() <= this.clock.now().getTime()) return null;
    return setting.window;
  }
}
