import { DomainError } from '../shared/errors';

export interface MaintenanceWindowSpan {
  start: Date;
  end: Date;
}

/**
 * When a service cannot be booked because its agency has scheduled maintenance (issue 14.2): the
 * window of the agency's `maintenance` mode, as long as it has not ended. Slots overlapping it are
 * closed for booking and rescheduling (core/agencies/agency-maintenance-calendar.ts answers it).
 */
export interface MaintenanceCalendar {
  windowFor(serviceCode: string): Promise<MaintenanceWindowSpan | null>;
}

export const NO_MAINTENANCE: MaintenanceCalendar = { windowFor: async () => null };

export function overlapsWindow(slot: { start: Date; end: Date }, window: MaintenanceWindowSpan | null): boolean {
  return window !== null && slot.start.getTime() < window.end.getTime() && slot.end.getTime() > window.start.getTime();
}

/** Refuses a slot inside the agency's maintenance window: 409 `agency-maintenance`, naming the field. */
export async function assertOutsideMaintenance(calendar: MaintenanceCalendar, serviceCode: string, slot: { start: Date; end: Date }, field: string): Promise<void> {
  const window = await calendar.windowFor(serviceCode);
  if (overlapsWindow(slot, window)) {
    throw new DomainError('conflict', 'agency-maintenance', `The agency of ${serviceCode} has scheduled maintenance from ${window?.start.toISOString()} to ${window?.end.toISOString()}; choose a slot outside it.`, {
      errors: [{ field, message: 'falls in the agency’s maintenance window' }],
    });
  }
}
