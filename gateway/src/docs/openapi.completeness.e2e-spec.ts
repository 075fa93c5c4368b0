/**
 * DESIGN.md: "OpenAPI at /docs (generated from the code, kept complete)". The routes are read from
 * the controllers' own Nest metadata and compared with GET /docs/json of the running app, so a new
 * route, body, path or query parameter without its OpenAPI description fails here.
 */
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { startTestApp, type TestApp } from '../../../test/factories/app';
import { createTestDatabase, type TestDatabase } from '../../../test/factories/database';
import { MESSAGE_NAMES, messageSchema } from '../../../contracts/src';
import { MessageBodyPipe } from '../http/valid-body';
import { MessageQueryPipe } from '../http/valid-query';
import { COMPONENTS_PREFIX, messageRef } from './message-schemas';
import { PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA_REF } from './problem.schema';

/** POST/PUT routes that take no body: everything they need is in the path and the token. */
const NO_BODY: Readonly<Record<string, string>> = {
  'POST /v1/agencies/{code}/replay/pause': 'the agency code in the path is the whole request',
  'POST /v1/agencies/{code}/replay/resume': 'the agency code in the path is the whole request',
  'POST /v1/transactions/{id}/replay': 'the transaction id in the path is the whole request',
  'POST /v1/bookings/{reference}/cancel': 'the booking reference in the path is the whole request',
  'POST /v1/tickets/{id}/recall': 'the ticket and the counter it was called to say it all',
  'POST /v1/tickets/{id}/no-show': 'the ticket id in the path is the whole request',
  'POST /v1/centres/{code}/counters/{counter}/open': 'centre, counter and the officer (token) say it all',
  'POST /v1/centres/{code}/counters/{counter}/close': 'centre, counter and the officer (token) say it all',
  'POST /v1/centres/{code}/counters/{counter}/call-next': 'the counter picks the next ticket itself',
  'POST /v1/audit/seals': "a seal of every chain head now: the admin's token is the whole request",
  'POST /ops/dev-sign-in': 'embedded mode only: an operator token for the ops page, nothing to say',
  'POST /ops/session': 'the bearer token is the whole request',
  'POST /ops/sign-out': 'drops a cookie, nothing to say',
  'POST /v1/replay-tasks/{id}/pause': 'the task id in the path is the whole request',
  'POST /v1/replay-tasks/{id}/resume': 'the task id in the path is the whole request',
  'POST /v1/replay-tasks/{id}/cancel': 'the task id in the path is the whole request',
};

/**
 * Handlers that take the whole query object (`@Query() query: ListQuery`): the names their parser reads
 * (transactions/list-query.ts), since the metadata cannot tell them.
 */
const WHOLE_QUERY: Readonly<Record<string, readonly string[]>> = {};

/** Routes whose body is still parsed by hand (being moved to @ValidBody, one resource at a time). */
const BODY_NOT_YET_AT_THE_EDGE: ReadonlySet<string> = new Set([]);

/**
 * JSON answers not yet described by a contracts message. None is left, so
 * test/factories/response-contract.ts checks every JSON answer of every e2e run.
 */
const RESPONSE_NOT_YET_A_MESSAGE: ReadonlySet<string> = new Set([]);

/** Routes a caller may use without a token (health probes, the USSD callback with its URL key, hall boards). */
const PUBLIC = ['GET /health/live', 'GET /health/ready', 'POST /v1/channels/ussd', 'GET /v1/centres/{code}/board', 'GET /boards/{code}', 'GET /v1/audit/keys', 'GET /ops', 'POST /ops/dev-sign-in', 'POST /ops/sign-out', 'GET /v1/receipts/keys', 'GET /v1/receipts/verify', 'GET /verify', 'POST /v1/channels/sms'];

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
}
interface Operation {
  summary?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content?: Record<string, MediaType> };
  responses: Record<string, { description?: string; content?: Record<string, MediaType> }>;
  security?: unknown[];
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** What the code of one route takes, from the Nest metadata of its handler. */
interface CodeRoute {
  key: string;
  hasBody: boolean;
  /** The message its body is validated against at the edge (@ValidBody), if any. */
  bodyMessage?: string;
  /** Named @Query('x') parameters; `true` for a whole-object @Query(). */
  query: string[] | true;
  params: string[];
}

const METHODS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
};

describe('OpenAPI document: complete for every route', () => {
  let db: TestDatabase;
  let app: TestApp;
  let document: Document;
  let routes: CodeRoute[];
  const operations = new Map<string, Operation>();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({ databaseUrl: db.url });
    const response = await fetch(`${app.url}/docs/json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) operations.set(`${method.toUpperCase()} ${path}`, operation);
    }
    routes = codeRoutes(app.app);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('documents exactly the routes the controllers serve', () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
    expect([...operations.keys()].sort()).toEqual(routes.map((route) => route.key).sort());
  });

  it('gives every operation a summary', () => {
    const missing = [...operations].filter(([, operation]) => !operation.summary?.trim()).map(([key]) => key);
    expect(missing).toEqual([]);
  });

  it('describes the body of every route that reads one, as an object schema with properties', () => {
    const gaps: string[] = [];
    for (const route of routes) {
      const operation = operations.get(route.key);
      if (!route.hasBody) continue;
      const content = operation?.requestBody?.content ?? {};
      const schemas = Object.values(content).map((media) => media.schema);
      if (schemas.length === 0 || !schemas.every((schema) => schema && hasProperties(schema, document))) gaps.push(route.key);
    }
    expect(gaps).toEqual([]);
  });

  it('validates every body at the edge against exactly the schema the document gives for it', () => {
    const gaps: string[] = [];
    for (const route of routes.filter((candidate) => candidate.hasBody)) {
      if (!route.bodyMessage) {
        if (!BODY_NOT_YET_AT_THE_EDGE.has(route.key)) gaps.push(`${route.key}: reads its body without @ValidBody`);
        continue;
      }
      if (BODY_NOT_YET_AT_THE_EDGE.has(route.key)) gaps.push(`${route.key}: validated at the edge now; take it off BODY_NOT_YET_AT_THE_EDGE`);
      const validated = messageRef(route.bodyMessage as never).$ref;
      const documented = Object.values(operations.get(route.key)?.requestBody?.content ?? {}).map((media) => media.schema?.$ref);
      if (documented.length === 0 || documented.some((ref) => ref !== validated)) {
        gaps.push(`${route.key}: documents ${documented.join(', ') || 'no body'} but validates ${validated}`);
      }
    }
    expect(gaps).toEqual([]);
  });

  it('registers every message schema as a component, with every $ref pointing inside the document', () => {
    const components = document.components?.schemas ?? {};
    const dangling: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (Array.isArray(value)) return value.forEach((item, i) => visit(item, `${where}/${i}`));
      if (typeof value !== 'object' || value === null) return;
      for (const [key, child] of Object.entries(value)) {
        if (key === '$ref' && typeof child === 'string' && resolvePointer(document, child) === undefined) dangling.push(`${where}: ${child}`);
        else visit(child, `${where}/${key}`);
      }
    };
    visit(document, '#');
    expect(dangling).toEqual([]);
    expect(Object.keys(components)).toEqual(expect.arrayContaining(['Problem', 'AgencyModeChange', 'Agency', 'AgencyList', 'StorableText']));
    expect((document as unknown as { openapi: string }).openapi).toBe('3.1.0');
    expect(COMPONENTS_PREFIX).toBe('#/components/schemas/');
  });

  it('lists every POST/PUT/PATCH without a body in NO_BODY, and documents none for them', () => {
    const writes = routes.filter((route) => /^(POST|PUT|PATCH) /.test(route.key));
    expect(writes.filter((route) => !route.hasBody).map((route) => route.key).sort()).toEqual(Object.keys(NO_BODY).sort());
    for (const key of Object.keys(NO_BODY)) expect({ key, requestBody: operations.get(key)?.requestBody }).toEqual({ key, requestBody: undefined });
  });

  it('declares every path parameter, typed, and every query parameter the handler reads', () => {
    const gaps: string[] = [];
    for (const route of routes) {
      const parameters = operations.get(route.key)?.parameters ?? [];
      const template = route.key.split(' ')[1];
      const inPath = [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      for (const name of new Set([...inPath, ...route.params])) {
        const declared = parameters.find((p) => p.in === 'path' && p.name === name);
        if (!declared || declared.required !== true || !declared.schema?.type || !inPath.includes(name)) gaps.push(`${route.key} path:${name}`);
      }
      const query = parameters.filter((p) => p.in === 'query');
      if (route.query === true && !WHOLE_QUERY[route.key]) gaps.push(`${route.key} reads @Query() whole: list its names in WHOLE_QUERY`);
      if (route.query === true && WHOLE_QUERY[route.key]) {
        const documented = query.map((p) => p.name).sort();
        if (documented.join() !== [...WHOLE_QUERY[route.key]].sort().join()) gaps.push(`${route.key} query: documents ${documented.join()}`);
      }
      if (Array.isArray(route.query)) for (const name of route.query) if (!query.some((p) => p.name === name)) gaps.push(`${route.key} query:${name}`);
      for (const p of query) if (!p.schema?.type) gaps.push(`${route.key} query:${p.name} has no type`);
    }
    expect(gaps).toEqual([]);
  });

  it('marks the public routes `security: []` and documents 401 and 403 problems on every other one', () => {
    const open = [...operations].filter(([, operation]) => Array.isArray(operation.security) && operation.security.length === 0).map(([key]) => key);
    expect(open.sort()).toEqual([...PUBLIC].sort());
    const gaps: string[] = [];
    for (const [key, operation] of operations) {
      if (PUBLIC.includes(key)) continue;
      if (operation.security !== undefined && !operation.security.some((requirement) => typeof requirement === 'object' && requirement !== null && 'bearer' in requirement)) {
        gaps.push(`${key} does not ask for the bearer token`);
      }
      for (const status of ['401', '403']) if (!isProblem(operation.responses[status])) gaps.push(`${key} ${status}`);
      if (!/one of the roles: /.test(operation.responses['403']?.description ?? '')) gaps.push(`${key} 403 names no roles`);
    }
    expect(gaps).toEqual([]);
  });

  it('gives every success response a content schema, and every problem response the Problem schema', () => {
    const gaps: string[] = [];
    for (const [key, operation] of operations) {
      const statuses = Object.keys(operation.responses);
      if (!statuses.some((status) => status.startsWith('2'))) gaps.push(`${key}: no success response`);
      for (const [status, response] of Object.entries(operation.responses)) {
        const content = Object.entries(response.content ?? {});
        if (status.startsWith('2') && status !== '204') {
          if (content.length === 0 || content.some(([, media]) => !media.schema)) gaps.push(`${key} ${status}: no content schema`);
        } else if (/^[45]/.test(status) && !isProblem(response) && !(key === 'GET /health/ready' && status === '503')) {
          gaps.push(`${key} ${status}: not a problem+json response`);
        }
      }
    }
    expect(gaps).toEqual([]);
  });

  it('documents every JSON answer with a message schema, the one the test apps check answers against', () => {
    const messages = new Set(MESSAGE_NAMES.map((name) => messageRef(name).$ref));
    const gaps: string[] = [];
    for (const [key, operation] of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const ref = response.content?.['application/json']?.schema?.$ref;
        if (!status.startsWith('2') || !response.content?.['application/json']) continue;
        const described = typeof ref === 'string' && messages.has(ref);
        if (described === RESPONSE_NOT_YET_A_MESSAGE.has(`${key} ${status}`)) gaps.push(`${key} ${status}: ${ref ?? 'an inline schema'}`);
      }
    }
    expect(gaps).toEqual([]);
  });

  it('documents the media types of the USSD callback (form in, text out) and of the board stream', () => {
    const ussd = operations.get('POST /v1/channels/ussd');
    expect(Object.keys(ussd?.requestBody?.content ?? {})).toEqual(['application/x-www-form-urlencoded']);
    expect(Object.keys(ussd?.responses['200']?.content ?? {})).toEqual(['text/plain']);
    expect(Object.keys(operations.get('GET /v1/centres/{code}/board')?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(Object.keys(operations.get('GET /boards/{code}')?.responses['200']?.content ?? {})).toEqual(['text/html']);
    expect(Object.keys(operations.get('GET /v1/transactions/{id}/acknowledgment')?.responses['200']?.content ?? {}).sort()).toEqual([
      'application/pdf',
      'text/html',
    ]);
  });
});

/** Every route handler of every controller in the app, with what it reads from the request. */
function codeRoutes(nest: INestApplication): CodeRoute[] {
  const routes: CodeRoute[] = [];
  for (const module of nest.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (method === undefined || paths === undefined) continue;
        const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { data?: unknown; pipes?: unknown[] }>);
        const of = (type: RouteParamtypes) => args.filter(([key]) => key.split(':')[0] === String(type)).map(([, arg]) => arg.data);
        const queryArgs = args.filter(([key]) => key.split(':')[0] === String(RouteParamtypes.QUERY)).map(([, arg]) => arg);
        // A query validated at the edge (@ValidQuery) reads exactly the properties of its message.
        const queryMessage = queryArgs.flatMap((arg) => arg.pipes ?? []).find((pipe): pipe is MessageQueryPipe => pipe instanceof MessageQueryPipe)?.message;
        const query = queryMessage ? Object.keys((messageSchema(queryMessage).properties ?? {}) as object) : queryArgs.map((arg) => arg.data);
        const bodyPipes = args.filter(([key]) => key.split(':')[0] === String(RouteParamtypes.BODY)).flatMap(([, arg]) => arg.pipes ?? []);
        const bodyMessage = bodyPipes.find((pipe): pipe is MessageBodyPipe => pipe instanceof MessageBodyPipe)?.message;
        for (const prefix of base) {
          for (const path of [paths].flat()) {
            routes.push({
              key: `${METHODS[method] ?? String(method)} ${openApiPath(prefix, path)}`,
              hasBody: of(RouteParamtypes.BODY).length > 0,
              bodyMessage,
              query: query.some((data) => typeof data !== 'string') ? true : (query as string[]),
              params: of(RouteParamtypes.PARAM).filter((data): data is string => typeof data === 'string'),
            });
          }
        }
      }
    }
  }
  return routes;
}

function openApiPath(prefix: string | undefined, path: string): string {
  const joined = `/${[prefix ?? '', path].join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function isProblem(response: { content?: Record<string, MediaType> } | undefined): boolean {
  return response?.content?.[PROBLEM_MEDIA_TYPE]?.schema?.$ref === PROBLEM_SCHEMA_REF;
}

function resolvePointer(document: Document, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const segment of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** An object schema with at least one property ($ref followed; every branch of a oneOf/anyOf). */
function hasProperties(schema: Schema, document: Document, depth = 0): boolean {
  if (depth > 8) return false;
  if (typeof schema.$ref === 'string') {
    const target = document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')];
    return target !== undefined && hasProperties(target, document, depth + 1);
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) return branches.length > 0 && branches.every((branch: Schema) => hasProperties(branch, document, depth + 1));
  }
  const properties = schema.properties;
  return typeof properties === 'object' && properties !== null && Object.keys(properties).length > 0;
}
