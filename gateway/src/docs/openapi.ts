import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { version } from '../../../package.json';
import { messageComponents } from './message-schemas';
import { PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA_REF } from './problem.schema';
import { serveSwaggerUi } from './swagger-ui';

const TITLE = 'Kiungo API';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs/json';

/**
 * The OpenAPI document generated from the controllers, with bearer auth; request and response
 * bodies are the contracts' message schemas (components, see message-schemas.ts). OpenAPI 3.1,
 * whose schema objects are the JSON Schema 2020-12 the schema files are written in.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(TITLE)
    .setDescription(
      'One normalized API for every channel of a one-stop government service centre. ' +
        'Errors are RFC 9457 application/problem+json (schema `Problem`), the HTTP layer\'s own included ' +
          '(400 unparsable request, 408 request too slow, 413 body too large, 414 URL too long, 431 headers too large, 429 rate limit); ' +
          'every response carries X-Correlation-Id.',
    )
    .setVersion(version)
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An OIDC access token (Keycloak), or in embedded mode one from `npm run token`.' },
      'bearer',
    )
    // Every operation needs the token unless marked @Public(), which sets its own empty list.
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...messageComponents() } };
  for (const [route, path] of Object.entries(document.paths)) {
    for (const operation of Object.values(path)) {
      if (!isOperation(operation)) continue;
      if (isAnonymousOnly(operation.security)) operation.security = [];
      // Every route but the probes counts against the caller's budget (http/rate-limit.guard.ts).
      if (!route.startsWith('/health')) operation.responses['429'] ??= TOO_MANY_REQUESTS;
    }
  }
  return document;
}

/** Serves the UI at /docs and the document at /docs/json; both public (plain routes, no guard). */
export function setupOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: DOCS_JSON_PATH, raw: ['json'], ui: false });
  serveSwaggerUi(app.getHttpAdapter().getInstance(), `/${DOCS_PATH}`, `/${DOCS_JSON_PATH}`, TITLE);
  return document;
}

const TOO_MANY_REQUESTS = {
  description: "Over the caller's rate limit (per client, or per IP / phone on public routes); Retry-After says when to try again",
  headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
  content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: PROBLEM_SCHEMA_REF } } },
};

function isOperation(value: unknown): value is { security?: unknown[]; responses: Record<string, unknown> } {
  return typeof value === 'object' && value !== null && 'responses' in value;
}

/** `[{}]`, as @Public() leaves it (see auth.decorators.ts). */
function isAnonymousOnly(security: unknown[] | undefined): boolean {
  return (
    Array.isArray(security) &&
    security.length > 0 &&
    security.every((requirement) => typeof requirement === 'object' && requirement !== null && Object.keys(requirement).length === 0)
  );
}
