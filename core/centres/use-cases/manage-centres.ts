import type { Catalogue } from '../../../contracts/src/catalogue';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import type { CentreRepository } from '../centre.repository';
import { CENTRE_CODE, type Centre, type CentreSummary } from '../domain/centre';
import { parseCentreDefinition } from './centre-definition';

/** GET/PUT /v1/centres…: the admin's view of centres, their hours, services, counters and capacity. */
export class ManageCentres {
  constructor(
    private readonly centres: CentreRepository,
    private readonly catalogue: Pick<Catalogue, 'service'>,
    private readonly clock: Clock,
  ) {}

  list(): Promise<CentreSummary[]> {
    return this.centres.list();
  }

  async get(code: string): Promise<Centre> {
    const centre = CENTRE_CODE.test(code) ? await this.centres.findByCode(code) : null;
    if (!centre) throw new DomainError('not_found', 'centre-not-found', `There is no centre ${code.slice(0, 20)}.`);
    return centre;
  }

  /** Creates or replaces a centre; `created` says which (201 versus 200). */
  async put(code: string, body: unknown, actor: string): Promise<{ centre: Centre; created: boolean }> {
    if (!CENTRE_CODE.test(code)) {
      throw new DomainError('invalid', 'validation-failed', 'The centre code is not valid.', {
        errors: [{ field: 'path:code', message: 'must be three capitals, a dash, then 2–12 capitals or digits (NRB-GPO)' }],
      });
    }
    const existing = await this.centres.findByCode(code);
    const definition = parseCentreDefinition(code, body, existing, this.catalogue);
    return this.centres.save(definition, {
      entityType: 'centre',
      entityId: code,
      type: 'configured',
      actor,
      data: {
        openingHours: definition.openingHours.length,
        holidays: definition.holidays.map((h) => h.date),
        services: definition.services?.map((s) => `${s.serviceCode}:${s.slotCapacity}`) ?? 'unchanged',
        counters: definition.counters?.map((k) => k.code) ?? 'unchanged',
      },
      occurredAt: this.clock.now(),
    });
  }

  /** PUT /v1/centres/{code}/capacity `{ service, slotCapacity }`: appointments per slot from now on. */
  async setCapacity(code: string, body: unknown, actor: string): Promise<Centre> {
    const centre = await this.get(code);
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const errors = [];
    const service = fields.service;
    if (typeof service !== 'string' || !centre.services.some((s) => s.serviceCode === service)) {
      errors.push({ field: '/service', message: `must be a service offered at ${centre.code}` });
    }
    const capacity = fields.slotCapacity;
    if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 0 || capacity > 10_000) {
      errors.push({ field: '/slotCapacity', message: 'must be an integer from 0 to 10000' });
    }
    if (errors.length) throw new DomainError('invalid', 'validation-failed', 'The capacity change is not valid.', { errors });
    const now = this.clock.now();
    const updated = await this.centres.setSlotCapacity(centre.code, service as string, capacity as number, now, {
      entityType: 'centre',
      entityId: centre.code,
      type: 'capacity_set',
      actor,
      data: { service, slotCapacity: capacity },
      occurredAt: now,
    });
    if (!updated) throw new DomainError('not_found', 'centre-not-found', `There is no centre ${code}.`);
    return updated;
  }
}
