/**
 * Every response a test app sends is checked against what the OpenAPI document says of it: an
 * error against the Problem schema, a JSON success against the message schema the operation
 * documents for its status (contracts/schemas). So every e2e and fuzz run is also a check that the
 * controllers return the shapes the document promises. Breaches are collected, never thrown
 * mid-request (the caller still gets its answer); response-contract.setup.ts fails the test file
 * that caused them, after its own hooks (so it still closes its database and apps).
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isMessageName, MESSAGE_NAMES, messageTypeName, validateMessage, type MessageName } from '../../contracts/src';
import { buildOpenApiDocument } from '../../gateway/src/docs/openapi';
import { COMPONENTS_PREFIX } from '../../gateway/src/docs/message-schemas';
import { recordResponseViolation } from './response-violations';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

/** `GET /v1/agencies/{code}` → status → media type → message name, or null for a schema that is not a message. */
type Documented = Map<string, Map<string, Map<string, MessageName | null>>>;

const MESSAGE_BY_TYPE_NAME = new Map(MESSAGE_NAMES.map((name) => [messageTypeName(name), name]));

export function checkResponsesAgainstOpenApi(app: NestFastifyApplication): void {
  let documented: Documented | undefined;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (request, reply, payload, done) => {
      try {
        documented ??= documentedResponses(app);
        const broken = violation(documented, request, reply, payload);
        if (broken) recordResponseViolation(broken);
      } catch (error) {
        recordResponseViolation(`${request.method} ${request.url}: the check failed: ${(error as Error).message}`);
      }
      done(null, payload);
    });
}

function documentedResponses(app: NestFastifyApplication): Documented {
  const document = buildOpenApiDocument(app) as unknown as { paths: Record<string, Record<string, Operation>> };
  const out: Documented = new Map();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const statuses = new Map<string, Map<string, MessageName | null>>();
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const media = new Map<string, MessageName | null>();
        for (const [type, { schema }] of Object.entries(response.content ?? {})) {
          const ref = schema?.$ref?.startsWith(COMPONENTS_PREFIX) ? schema.$ref.slice(COMPONENTS_PREFIX.length) : undefined;
          media.set(type, (ref && MESSAGE_BY_TYPE_NAME.get(ref)) || null);
        }
        statuses.set(status, media);
      }
      out.set(`${method.toUpperCase()} ${path}`, statuses);
    }
  }
  return out;
}

function violation(documented: Documented, request: FastifyRequest, reply: FastifyReply, payload: unknown): string | undefined {
  const mediaType = String(reply.getHeader('content-type') ?? '').split(';')[0].trim();
  if (mediaType !== 'application/json' && mediaType !== 'application/problem+json') return undefined;
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return undefined;
  const route = request.routeOptions?.url;
  const key = `${request.method} ${route ? route.replace(/:([A-Za-z0-9_]+)/g, '{$1}') : request.url}`;
  const status = reply.statusCode;
  let body: unknown;
  try {
    body = JSON.parse(payload.toString());
  } catch {
    return `${key} ${status}: the ${mediaType} body is not JSON`;
  }
  let message: MessageName;
  if (status >= 400) {
    message = 'problem';
  } else {
    const responses = documented.get(key);
    if (!responses) return undefined; // not a documented route (docs, a test's own route)
    const documentedMessage = responses.get(String(status))?.get(mediaType);
    if (documentedMessage === undefined) return `${key} answered ${status} ${mediaType}, which the OpenAPI document does not describe`;
    // A schema that is not one of the contracts' messages yet: described, but not checkable here.
    if (documentedMessage === null || !isMessageName(documentedMessage)) return undefined;
    message = documentedMessage;
  }
  const errors = validateMessage(message, body);
  if (errors.length === 0) return undefined;
  const fields = errors
    .slice(0, 5)
    .map((error) => `${error.field || '(root)'} ${error.message}`)
    .join('; ');
  return `${key} ${status}: the body is not a valid ${message}: ${fields}`;
}
