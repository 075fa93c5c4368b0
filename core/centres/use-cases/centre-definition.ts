/**
 * The body of PUT /v1/centres/{code}, checked field by field (every bad field named by its JSON
 * pointer) and against the catalogue: a centre can only offer services that exist.
 */
import type { Catalogue } from '../../../contracts/src/catalogue';
import { DomainError, type FieldError } from '../../shared/errors';
import type { CentreDefinition } from '../centre.repository';
import { COUNTER_CODE, DEFAULT_TIME_ZONE, type Centre, type CentreService, type Counter, type Holiday, type IsoWeekday, type OpeningHours } from '../domain/centre';
import { isRealDate, isTimeZone, LOCAL_TIME, minutesOf } from '../domain/local-time';

type Body = Record<string, unknown>;

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(body: Body, key: string, errors: FieldError[], path: string, max = 120): string {
  const value = body[key];
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    errors.push({ field: `${path}/${key}`, message: `must be a non-empty string of at most ${max} characters` });
    return '';
  }
  return value.trim();
}

function integer(body: Body, key: string, fallback: number, min: number, max: number, errors: FieldError[]): number {
  const value = body[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    errors.push({ field: `/${key}`, message: `must be an integer from ${min} to ${max}` });
    return fallback;
  }
  return value;
}

function list(body: Body, key: string, errors: FieldError[]): unknown[] | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > 500) {
    errors.push({ field: `/${key}`, message: 'must be an array (at most 500 entries)' });
    return undefined;
  }
  return value;
}

function openingHours(items: unknown[], errors: FieldError[]): OpeningHours[] {
  const seen = new Set<number>();
  const hours: OpeningHours[] = [];
  items.forEach((item, i) => {
    const at = `/openingHours/${i}`;
    if (!isObject(item)) return void errors.push({ field: at, message: 'must be { weekday, opens, closes }' });
    const { weekday, opens, closes } = item;
    if (typeof weekday !== 'number' || !Number.isInteger(weekday) || weekday < 1 || weekday > 7 || seen.has(weekday)) {
      return void errors.push({ field: `${at}/weekday`, message: 'must be a distinct ISO weekday, 1 (Monday) to 7 (Sunday)' });
    }
    seen.add(weekday);
    if (typeof opens !== 'string' || !LOCAL_TIME.test(opens)) return void errors.push({ field: `${at}/opens`, message: 'must be HH:MM' });
    if (typeof closes !== 'string' || !LOCAL_TIME.test(closes) || minutesOf(closes) <= minutesOf(opens)) {
      return void errors.push({ field: `${at}/closes`, message: 'must be HH:MM after opens' });
    }
    hours.push({ weekday: weekday as IsoWeekday, opens, closes });
  });
  return hours.sort((a, b) => a.weekday - b.weekday);
}

function holidays(items: unknown[], errors: FieldError[]): Holiday[] {
  const seen = new Set<string>();
  const result: Holiday[] = [];
  items.forEach((item, i) => {
    const at = `/holidays/${i}`;
    if (!isObject(item)) return void errors.push({ field: at, message: 'must be { date, name }' });
    if (typeof item.date !== 'string' || !isRealDate(item.date) || seen.has(item.date)) {
      return void errors.push({ field: `${at}/date`, message: 'must be a distinct date YYYY-MM-DD' });
    }
    seen.add(item.date);
    const name = text(item, 'name', errors, at);
    if (name) result.push({ date: item.date, name });
  });
  return result.sort((a, b) => a.date.localeCompare(b.date));
}

function services(items: unknown[], catalogue: Pick<Catalogue, 'service'>, errors: FieldError[]): CentreService[] {
  const seen = new Set<string>();
  const result: CentreService[] = [];
  items.forEach((item, i) => {
    const at = `/services/${i}`;
    if (!isObject(item)) return void errors.push({ field: at, message: 'must be { service, ticketLetter?, slotCapacity? }' });
    const code = item.service;
    if (typeof code !== 'string' || !catalogue.service(code) || seen.has(code)) {
      return void errors.push({ field: `${at}/service`, message: 'must be a distinct service code from the catalogue' });
    }
    seen.add(code);
    const letter = item.ticketLetter ?? null;
    if (letter !== null && (typeof letter !== 'string' || !/^[A-Z]$/.test(letter))) {
      return void errors.push({ field: `${at}/ticketLetter`, message: 'must be one capital letter A–Z' });
    }
    const capacity = item.slotCapacity ?? 0;
    if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 0 || capacity > 10_000) {
      return void errors.push({ field: `${at}/slotCapacity`, message: 'must be an integer from 0 to 10000' });
    }
    result.push({ serviceCode: code, ticketLetter: letter as string | null, slotCapacity: capacity });
  });
  return result;
}

function counters(items: unknown[], offered: Set<string>, errors: FieldError[]): Counter[] {
  const seen = new Set<string>();
  const result: Counter[] = [];
  items.forEach((item, i) => {
    const at = `/counters/${i}`;
    if (!isObject(item)) return void errors.push({ field: at, message: 'must be { code, name, services }' });
    if (typeof item.code !== 'string' || !COUNTER_CODE.test(item.code) || seen.has(item.code)) {
      return void errors.push({ field: `${at}/code`, message: 'must be a distinct counter code (letters, digits, dashes; at most 16)' });
    }
    seen.add(item.code);
    const name = text(item, 'name', errors, at, 60);
    const served = item.services;
    if (!Array.isArray(served) || served.some((s) => typeof s !== 'string' || !offered.has(s))) {
      return void errors.push({ field: `${at}/services`, message: 'must list services the centre offers' });
    }
    if (name) result.push({ code: item.code, name, services: [...new Set(served as string[])].sort() });
  });
  return result;
}

export function parseCentreDefinition(code: string, body: unknown, existing: Centre | null, catalogue: Pick<Catalogue, 'service'>): CentreDefinition {
  if (!isObject(body)) throw new DomainError('invalid', 'validation-failed', 'The centre is not valid.', { errors: [{ field: '', message: 'must be a JSON object' }] });
  const errors: FieldError[] = [];
  const known = new Set(['name', 'county', 'timeZone', 'slotMinutes', 'bookingHorizonDays', 'noShowGraceMinutes', 'openingHours', 'holidays', 'services', 'counters']);
  for (const key of Object.keys(body)) if (!known.has(key)) errors.push({ field: `/${key}`, message: 'is not a known field' });

  const timeZone = body.timeZone ?? existing?.timeZone ?? DEFAULT_TIME_ZONE;
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) errors.push({ field: '/timeZone', message: 'must be an IANA time zone such as Africa/Nairobi' });
  const hoursList = list(body, 'openingHours', errors);
  if (hoursList === undefined) errors.push({ field: '/openingHours', message: 'is required' });
  const holidayList = list(body, 'holidays', errors) ?? [];
  const serviceList = list(body, 'services', errors);
  const counterList = list(body, 'counters', errors);

  const definition: CentreDefinition = {
    code,
    name: text(body, 'name', errors, ''),
    county: text(body, 'county', errors, '', 60),
    timeZone: typeof timeZone === 'string' ? timeZone : DEFAULT_TIME_ZONE,
    slotMinutes: integer(body, 'slotMinutes', existing?.slotMinutes ?? 30, 5, 240, errors),
    bookingHorizonDays: integer(body, 'bookingHorizonDays', existing?.bookingHorizonDays ?? 30, 1, 365, errors),
    noShowGraceMinutes: integer(body, 'noShowGraceMinutes', existing?.noShowGraceMinutes ?? 15, 0, 240, errors),
    openingHours: openingHours(hoursList ?? [], errors),
    holidays: holidays(holidayList, errors),
  };
  if (serviceList) definition.services = services(serviceList, catalogue, errors);
  const offered = new Set((definition.services ?? existing?.services ?? []).map((s) => s.serviceCode));
  // Counters not given keep theirs; a service no longer offered drops off them (ON DELETE CASCADE).
  if (counterList) definition.counters = counters(counterList, offered, errors);
  if (errors.length) throw new DomainError('invalid', 'validation-failed', 'The centre is not valid.', { errors });
  return definition;
}
