/** A one-stop service centre as the core sees it: plain data, no SQL, no HTTP. */

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface OpeningHours {
  weekday: IsoWeekday;
  /** Local wall-clock time `HH:MM` in the centre's time zone. */
  opens: string;
  closes: string;
}

export interface Holiday {
  /** Local date `YYYY-MM-DD`. */
  date: string;
  name: string;
}

export interface CentreService {
  serviceCode: string;
  /** Letter of this service's walk-in ticket numbers at this centre (`A` → A042); null = none assigned. */
  ticketLetter: string | null;
  /** Appointments per slot; 0 = walk-in only. */
  slotCapacity: number;
}

export interface Counter {
  code: string;
  name: string;
  /** Service codes this counter serves (each one offered by the centre). */
  services: string[];
}

export interface Centre {
  code: string;
  name: string;
  county: string;
  timeZone: string;
  slotMinutes: number;
  bookingHorizonDays: number;
  noShowGraceMinutes: number;
  /** Sorted by weekday; a weekday absent is a closed day. */
  openingHours: OpeningHours[];
  /** Sorted by date. */
  holidays: Holiday[];
  services: CentreService[];
  counters: Counter[];
}

export type CentreSummary = Pick<Centre, 'code' | 'name' | 'county' | 'timeZone'> & { services: number; counters: number };

export const CENTRE_CODE = /^[A-Z]{3}-[A-Z0-9]{2,12}$/;
export const COUNTER_CODE = /^[A-Za-z0-9-]{1,16}$/;
export const DEFAULT_TIME_ZONE = 'Africa/Nairobi';

export function hoursOn(centre: Pick<Centre, 'openingHours'>, weekday: IsoWeekday): OpeningHours | undefined {
  return centre.openingHours.find((h) => h.weekday === weekday);
}

export function offers(centre: Pick<Centre, 'services'>, serviceCode: string): CentreService | undefined {
  return centre.services.find((s) => s.serviceCode === serviceCode);
}
