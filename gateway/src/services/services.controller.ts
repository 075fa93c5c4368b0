import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import type { ServiceDefinition } from '../../../contracts/src/catalogue.types';
import type { Service, ServiceList } from '../../../contracts/src/message.types';
import { DomainError } from '../../../core/shared/errors';
import { Can } from '../auth';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { serviceAvailability } from '../../../core/agencies/domain/agency-mode';

type ServiceSummary = ServiceList['items'][number];

@ApiTags('services')
@ApiBearerAuth()
@Controller('v1/services')
export class ServicesController {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly modes: AgencyModes,
  ) {}

  @Get()
  @Can('catalogue.read')
  @ApiOperation({ summary: "The service catalogue, with each service's availability now (agency mode, the fallback a request would meet, until when)" })
  @ApiMessageResponse(200, 'service-list')
  async list(): Promise<ServiceList> {
    return { items: await Promise.all(this.catalogue.services().map((service) => this.summary(service))) };
  }

  @Get(':code')
  @Can('catalogue.read')
  @ApiOperation({ summary: 'One service, with the JSON Schema its request payload must satisfy' })
  @ApiParam({ name: 'code', example: 'id-card-replacement' })
  @ApiMessageResponse(200, 'service')
  @ApiProblemResponse(404, 'No such service')
  async get(@Param('code') code: string): Promise<Service> {
    const service = this.catalogue.service(code);
    if (!service) throw new DomainError('not_found', 'service-not-found', `No service with code "${code.slice(0, 64)}"; see GET /v1/services.`);
    const validator = this.catalogue.validator;
    return {
      ...(await this.summary(service)),
      manualInstructions: service.manualInstructions,
      requestSchema: validator.requestSchema(code) ?? {},
      responseSchema: validator.responseSchema(code) ?? null,
    };
  }

  /** A service as listed: its definition and whether it can be served now (before the citizen fills the form). */
  private async summary(service: ServiceDefinition): Promise<ServiceSummary> {
    const [mode, setting] = await Promise.all([this.modes.effective(service.agencyCode), this.modes.setting(service.agencyCode)]);
    const availability = serviceAvailability(service.fallback, mode, setting);
    return {
      code: service.code,
      name: service.name,
      description: service.description,
      agency: service.agencyCode,
      fallback: service.fallback,
      bookable: service.bookable,
      feeKes: service.feeKes,
      availability: { ...availability, until: availability.until?.toISOString() ?? null },
    };
  }
}
