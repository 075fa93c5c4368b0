/**
 * The loaded service catalogue: agencies, their services, and the validator built from
 * their schemas. Immutable after loading; build it with `loadCatalogue`.
 */
import type { AgencyDefinition, ServiceDefinition } from './catalogue.types';
import type { ContractValidator } from './contract-validator';

export class Catalogue {
  private readonly agencyByCode: ReadonlyMap<string, AgencyDefinition>;
  private readonly serviceByCode: ReadonlyMap<string, ServiceDefinition>;
  private readonly allServices: readonly ServiceDefinition[];

  constructor(
    readonly agencies: readonly AgencyDefinition[],
    readonly validator: ContractValidator,
  ) {
    this.agencyByCode = new Map(agencies.map((agency) => [agency.code, agency]));
    this.allServices = Object.freeze(agencies.flatMap((agency) => agency.services));
    this.serviceByCode = new Map(this.allServices.map((service) => [service.code, service]));
  }

  agency(code: string): AgencyDefinition | undefined {
    return this.agencyByCode.get(code);
  }

  service(code: string): ServiceDefinition | undefined {
    return this.serviceByCode.get(code);
  }

  /** The agency that provides a service. */
  agencyOfService(serviceCode: string): AgencyDefinition | undefined {
    const service = this.serviceByCode.get(serviceCode);
    return service && this.agencyByCode.get(service.agencyCode);
  }

  /** Every service of every agency, in catalogue order (agencies by folder name, services as listed). */
  services(): readonly ServiceDefinition[] {
    return this.allServices;
  }
}
