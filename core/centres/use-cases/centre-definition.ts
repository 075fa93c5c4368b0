/**
 * The body of PUT /v1/centres/{code}, valid against centre-definition.v1.json (checked at the edge),
 * turned into what the repository writes, with the rules a schema cannot state (every bad field
 * named by its JSON pointer): a time zone that exists, distinct weekdays, dates, services and
 * counter codes, closing after opening, services from the catalogue, counters serving offered services.
 */
import type { Catalogue } from '../../../contracts/src/catalogue';
import type { CentreDefinition as CentreDefinitionBody } from '../../../contracts/src/message.types';
import { DomainError, type FieldError } from '../../shared/errors';
import type { CentreDefinition } from '../centre.repository';
import { DEFAULT_TIME_ZONE, type Centre, type CentreService, type Counter, type Holiday, type IsoWeekday, type OpeningHours } from '../domain/centre';
import { isTimeZone, minutesOf } from '../domain/local-time';

function openingHours(items: CentreDefinitionBody['openingHours'], errors: FieldError[]): OpeningHours[] {
  const seen = new Set<number>();
  const hours: OpeningHours[] = [];
  items.forEach(({ weekday, opens, closes }, i) => {
    const at = `/openingHours/${i}`;
    if (seen.has(weekday)) return void errors.push({ field: `${at}/weekday`, message: 'must be a distinct ISO weekday, 1 (Monday) to 7 (Sunday)' });
    seen.add(weekday);
    if (minutesOf(closes) <= minutesOf(opens)) return void errors.push({ field: `${at}/closes`, message: 'must be HH:MM after opens' });
    hours.push({ weekday: weekday as IsoWeekday, opens, closes });
  });
  return hours.sort((a, b) => a.weekday - b.weekday);
}

function holidays(items: NonNullable<CentreDefinitionBody['holidays']>, errors: FieldError[]): Holiday[] {
  const seen = new Set<string>();
  const result: Holiday[] = [];
  items.forEach(({ date, name }, i) => {
    if (seen.has(date)) return void errors.push({ field: `/holidays/${i}/date`, message: 'must be a distinct date YYYY-MM-DD' });
    seen.add(date);
    result.push({ date, name: name.trim() });
  });
  return result.sort((a, b) => a.date.localeCompare(b.date));
}

function services(items: NonNullable<CentreDefinitionBody['services']>, catalogue: Pick<Catalogue, 'service'>, errors: FieldError[]): CentreService[] {
  const seen = new Set<string>();
  const result: CentreService[] = [];
  items.forEach((item, i) => {
    if (!catalogue.service(item.service) || seen.has(item.service)) {
      return void errors.push({ field: `/services/${i}/service`, message: 'must be a distinct service code from the catalogue' });
    }
    seen.add(item.service);
    result.push({ serviceCode: item.service, ticketLetter: item.ticketLetter ?? null, slotCapacity: item.slotCapacity ?? 0 });
  });
  return result;
}

function counters(items: NonNullable<CentreDefinitionBody['counters']>, offered: Set<string>, errors: FieldError[]): Counter[] {
  const seen = new Set<string>();
  const result: Counter[] = [];
  items.forEach((item, i) => {
    const at = `/counters/${i}`;
    if (seen.has(item.code)) return void errors.push({ field: `${at}/code`, message: 'must be a distinct counter code (letters, digits, dashes; at most 16)' });
    seen.add(item.code);
    if (item.services.some((s) => !offered.has(s))) return void errors.push({ field: `${at}/services`, message: 'must list services the centre offers' });
    result.push({ code: item.code, name: item.name.trim(), services: [...new Set(item.services)].sort() });
  });
  return result;
}

export function centreDefinition(code: string, body: CentreDefinitionBody, existing: Centre | null, catalogue: Pick<Catalogue, 'service'>): CentreDefinition {
  const errors: FieldError[] = [];
  const timeZone = body.timeZone ?? existing?.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(timeZone)) errors.push({ field: '/timeZone', message: 'must be an IANA time zone such as Africa/Nairobi' });
  const definition: CentreDefinition = {
    code,
    name: body.name.trim(),
    county: body.county.trim(),
    timeZone,
    slotMinutes: body.slotMinutes ?? existing?.slotMinutes ?? 30,
    bookingHorizonDays: body.bookingHorizonDays ?? existing?.bookingHorizonDays ?? 30,
    noShowGraceMinutes: body.noShowGraceMinutes ?? existing?.noShowGraceMinutes ?? 15,
    openingHours: openingHours(body.openingHours, errors),
    holidays: holidays(body.holidays ?? [], errors),
  };
  if (body.services) definition.services = services(body.services, catalogue, errors);
  const offered = new Set((definition.services ?? existing?.services ?? []).map((s) => s.serviceCode));
  // Counters not given keep theirs; a service no longer offered drops off them (ON DELETE CASCADE).
  if (body.counters) definition.counters = counters(body.counters, offered, errors);
  if (errors.length) throw new DomainError('invalid', 'validation-failed', 'The centre is not valid.', { errors });
  return definition;
}
