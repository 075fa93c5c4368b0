import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PRIORITY_CLASSES, TICKET_STATES, WALK_IN_PRIORITIES } from '../../../../core/walk-in/domain/ticket';

/** OpenAPI shapes of the queue endpoints (the core checks the bodies; these only document them). */
export const TICKET_REQUEST_BODY: SchemaObject = {
  oneOf: [
    {
      type: 'object',
      required: ['service'],
      additionalProperties: false,
      properties: { service: { type: 'string', example: 'id-card-replacement' }, priority: { type: 'string', enum: [...WALK_IN_PRIORITIES], default: 'none' } },
    },
    { type: 'object', required: ['bookingReference'], additionalProperties: false, properties: { bookingReference: { type: 'string', example: 'K7QM-4X3P' } } },
  ],
};

export const TICKET_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    centre: { type: 'string', example: 'NRB-GPO' },
    number: { type: 'string', example: 'A042' },
    service: { type: 'string' },
    priority: { type: 'string', enum: [...PRIORITY_CLASSES] },
    bookingReference: { type: 'string', nullable: true },
    state: { type: 'string', enum: [...TICKET_STATES] },
    arrivedAt: { type: 'string', format: 'date-time' },
    counter: { type: 'string', nullable: true },
    calledAt: { type: 'string', format: 'date-time', nullable: true },
    recalls: { type: 'integer' },
    endedAt: { type: 'string', format: 'date-time', nullable: true },
    transactionIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
    position: { type: 'integer', nullable: true, description: 'Only when taking a ticket: 1 = next for its service' },
    estimatedWaitSeconds: { type: 'integer', nullable: true, description: 'Only when taking a ticket' },
  },
};

export const TRANSFER_BODY: SchemaObject = { type: 'object', required: ['service'], properties: { service: { type: 'string' } } };

export const COMPLETE_BODY: SchemaObject = {
  type: 'object',
  properties: { transactionIds: { type: 'array', maxItems: 50, items: { type: 'string', format: 'uuid' } } },
};

export const FEEDBACK_BODY: SchemaObject = {
  type: 'object',
  required: ['rating'],
  properties: { rating: { type: 'integer', minimum: 1, maximum: 5 }, comment: { type: 'string', maxLength: 500 } },
};
