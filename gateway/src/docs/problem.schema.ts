import { ApiResponse, type SchemaObject } from '@nestjs/swagger';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
export const PROBLEM_SCHEMA_NAME = 'Problem';
export const PROBLEM_SCHEMA_REF = `#/components/schemas/${PROBLEM_SCHEMA_NAME}`;

/** RFC 9457 problem details as Kiungo sends them (see http/problem.filter.ts). */
export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance', 'correlationId'],
  properties: {
    type: { type: 'string', format: 'uri', example: 'https://kiungo.dev/problems/validation-failed', description: 'Stable; ends in the error code.' },
    title: { type: 'string', example: 'Invalid request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'The request body does not match the service schema.' },
    instance: { type: 'string', example: '/v1/transactions', description: 'The request path, without the query.' },
    correlationId: { type: 'string', example: '4bf92f3577b34da6a3ce929d0e0e4736', description: 'Quote it when reporting a problem.' },
    errors: {
      type: 'array',
      description: 'For validation problems: each field that failed.',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', example: '/payload/idNumber' },
          message: { type: 'string', example: 'must match pattern "^[0-9]{7,8}$"' },
        },
      },
    },
  },
};

/** Documents one problem+json response: `@ApiProblemResponse(404, 'No such transaction')`. */
export function ApiProblemResponse(status: number, description: string): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status,
    description,
    content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: PROBLEM_SCHEMA_REF } } },
  });
}

/** @nestjs/swagger's metadata key for an operation's security requirements. */
export const SWAGGER_SECURITY_KEY = 'swagger/apiSecurity';
/** Placeholder set by @Public(); buildOpenApiDocument turns `[{}]` into `security: []`. */
export const ANONYMOUS_REQUIREMENT: Readonly<Record<string, string[]>> = Object.freeze({});
