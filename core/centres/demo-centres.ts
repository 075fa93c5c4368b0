/**
 * Demo data: a few real Huduma Centres, offering every service of the catalogue (bookable ones by
 * appointment). Seeding inserts only centres that do not exist, so it is safe on every start and
 * never overwrites what an admin changed.
 */
import type { Catalogue } from '../../contracts/src/catalogue';
import type { CentreDefinition } from './centre.repository';
import { DEFAULT_TIME_ZONE, type Holiday, type OpeningHours } from './domain/centre';

const WEEKDAYS: OpeningHours[] = [1, 2, 3, 4, 5].map((weekday) => ({ weekday: weekday as OpeningHours['weekday'], opens: '08:00', closes: '17:00' }));
const SATURDAY: OpeningHours = { weekday: 6, opens: '08:00', closes: '13:00' };

/** Kenyan public holidays (fixed dates and the announced movable ones) for the demo's booking horizon. */
export const KENYA_HOLIDAYS: Holiday[] = [
  { date: '2026-12-12', name: 'Jamhuri Day' },
  { date: '2026-12-25', name: 'Christmas Day' },
  { date: '2026-12-26', name: 'Boxing Day' },
  { date: '2027-01-01', name: "New Year's Day" },
  { date: '2027-03-26', name: 'Good Friday' },
  { date: '2027-03-29', name: 'Easter Monday' },
  { date: '2027-05-01', name: 'Labour Day' },
  { date: '2027-06-01', name: 'Madaraka Day' },
  { date: '2027-10-10', name: 'Mazingira Day' },
  { date: '2027-10-20', name: 'Mashujaa Day' },
];

const CENTRES = [
  { code: 'NRB-GPO', name: 'Huduma Centre GPO', county: 'Nairobi', counters: 8, saturday: true },
  { code: 'NRB-CSQ', name: 'Huduma Centre City Square', county: 'Nairobi', counters: 6, saturday: true },
  { code: 'MSA-CBD', name: 'Huduma Centre Mombasa', county: 'Mombasa', counters: 6, saturday: true },
  { code: 'KSM-CBD', name: 'Huduma Centre Kisumu', county: 'Kisumu', counters: 5, saturday: false },
  { code: 'NKU-CBD', name: 'Huduma Centre Nakuru', county: 'Nakuru', counters: 5, saturday: false },
  { code: 'ELD-CBD', name: 'Huduma Centre Eldoret', county: 'Uasin Gishu', counters: 4, saturday: false },
];

/** Places per 30-minute slot for a bookable service: the rest of the centre's capacity stays for walk-ins. */
const DEMO_SLOT_CAPACITY = 10;

export function demoCentres(catalogue: Pick<Catalogue, 'agencies'>): CentreDefinition[] {
  const services = catalogue.agencies.flatMap((a) => a.services).slice(0, 26);
  return CENTRES.map((c) => {
    const offered = services.map((s, i) => ({
      serviceCode: s.code,
      ticketLetter: String.fromCharCode(65 + i),
      slotCapacity: s.bookable ? DEMO_SLOT_CAPACITY : 0,
    }));
    const all = offered.map((s) => s.serviceCode);
    const bookable = offered.filter((s) => s.slotCapacity > 0).map((s) => s.serviceCode);
    return {
      code: c.code,
      name: c.name,
      county: c.county,
      timeZone: DEFAULT_TIME_ZONE,
      slotMinutes: 30,
      bookingHorizonDays: 30,
      noShowGraceMinutes: 15,
      openingHours: c.saturday ? [...WEEKDAYS, SATURDAY] : WEEKDAYS,
      holidays: KENYA_HOLIDAYS,
      services: offered,
      // Most counters serve everything; the last one is kept for appointments, as centres do.
      counters: Array.from({ length: c.counters }, (_, i) => ({
        code: String(i + 1),
        name: `Counter ${i + 1}`,
        services: i === c.counters - 1 && bookable.length > 0 ? bookable : all,
      })),
    };
  });
}
