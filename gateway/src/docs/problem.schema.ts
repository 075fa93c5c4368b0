import { ApiResponse } from '@nestjs/swagger';
import { messageRef } from './message-schemas';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
/** RFC 9457 problem details as Kiungo sends them (http/problem.filter.ts): contracts/schemas/problem.v1.json. */
export const PROBLEM_SCHEMA_REF = messageRef('problem').$ref;

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
