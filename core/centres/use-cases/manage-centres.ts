import type { Catalogue } from '../../../contracts/src/catalogue';
import type { CapacityChange, CentreDefinition as CentreDefinitionBody } from '../../../contracts/src/message.types';
import { authorize, type Actor } from '../../authorization';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import type { CentreRepository } from '../centre.repository';
import { CENTRE_CODE, type Centre, type CentreSummary } from '../domain/centre';
import { centreDefinition } from './centre-definition';

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
  async put(code: string, body: CentreDefinitionBody, actor: Actor): Promise<{ centre: Centre; created: boolean }> {
    authorize(actor, 'centre.write');
    if (!CENTRE_CODE.test(code)) {
      throw new DomainError('invalid', 'validation-failed', 'The centre code is not valid.', {
        errors: [{ field: 'path:code', message: 'must be three capitals, a dash, then 2–12 capitals or digits (NRB-GPO)' }],
      });
    }
    const existing = await this.centres.findByCode(code);
    const definition = centreDefinition(code, body, existing, this.catalogue);
    return this.centres.save(definition, {
      entityType: 'centre',
      entityId: code,
      type: 'configured',
      actor: actor.subject,
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
  async setCapacity(code: string, change: CapacityChange, actor: Actor): Promise<Centre> {
    authorize(actor, 'centre.write');
    const centre = await this.get(code);
    const { service, slotCapacity: capacity } = change;
    if (!centre.services.some((s) => s.serviceCode === service)) {
      throw new DomainError('invalid', 'validation-failed', 'The capacity change is not valid.', {
        errors: [{ field: '/service', message: `must be a service offered at ${centre.code}` }],
      });
    }
    const now = this.clock.now();
    const updated = await this.centres.setSlotCapacity(centre.code, service, capacity, now, {
      entityType: 'centre',
      entityId: centre.code,
      type: 'capacity_set',
      actor: actor.subject,
      data: { service, slotCapacity: capacity },
      occurredAt: now,
    });
    if (!updated) throw new DomainError('not_found', 'centre-not-found', `There is no centre ${code}.`);
    return updated;
  }
}
