import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import type { ServiceDefinition } from '../../../contracts/src/catalogue.types';
import type { Service, ServiceList } from '../../../contracts/src/message.types';
import { DomainError } from '../../../core/shared/errors';
import { Can } from '../auth';
import { Catalogue } from '../../../contracts/src/catalogue';

type ServiceSummary = ServiceList['items'][number];

@ApiTags('services')
@ApiBearerAuth()
@Controller('v1/services')
export class ServicesController {
  constructor(private readonly catalogue: Catalogue) {}

  @Get()
  @Can('catalogue.read')
  @ApiOperation({ summary: 'The service catalogue' })
  @ApiMessageResponse(200, 'service-list')
  list(): ServiceList {
    return { items: this.catalogue.services().map(summary) };
  }

  @Get(':code')
  @Can('catalogue.read')
  @ApiOperation({ summary: 'One service, with the JSON Schema its request payload must satisfy' })
  @ApiParam({ name: 'code', example: 'id-card-replacement' })
  @ApiMessageResponse(200, 'service')
  @ApiProblemResponse(404, 'No such service')
  get(@Param('code') code: string): Service {
    const service = this.catalogue.service(code);
    if (!service) throw new DomainError('not_found', 'service-not-found', `No service with code "${code.slice(0, 64)}"; see GET /v1/services.`);
    const validator = this.catalogue.validator;
    return {
      ...summary(service),
      manualInstructions: service.manualInstructions,
      requestSchema: validator.requestSchema(code) ?? {},
      responseSchema: validator.responseSchema(code) ?? null,
    };
  }
}

function summary(service: ServiceDefinition): ServiceSummary {
  return {
    code: service.code,
    name: service.name,
    description: service.description,
    agency: service.agencyCode,
    fallback: service.fallback,
    bookable: service.bookable,
    feeKes: service.feeKes,
  };
}
