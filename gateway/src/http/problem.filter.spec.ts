import { Body, Controller, Get, Module, Param, Post, Put, Req } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { version as packageVersion } from '../../../package.json';
import { DomainError, ERROR_CATEGORIES, type ErrorCategory } from '../../../core/shared/errors';
import { Public } from '../auth';
import { loadConfig } from '../config/env.schema';
import { createRootLogger } from '../logging/logger';
import { PlatformModule, createHttpApp } from '../platform';
import { ERROR_STATUS } from './error-status.map';

@Public()
@Controller('probe')
class ProbeController {
  @Get('domain/:category')
  domain(@Param('category') category: ErrorCategory): never {
    throw new DomainError(category, `probe-${category.replace('_', '-')}`, `A ${category} problem.`, {
      errors: category === 'invalid' ? [{ field: '/payload/idNumber', message: 'must be 8 digits' }] : undefined,
      retryAfterSeconds: category === 'unavailable' ? 30 : undefined,
    });
  }

  @Get('reused-key')
  reusedKey(): never {
    throw new DomainError('invalid', 'idempotency-key-reused', 'This Idempotency-Key was already used with a different request.');
  }

  @Get('boom')
  boom(): never {
    throw new Error('duplicate key value violates unique constraint "citizens_id_number_key" (SELECT 12345678)');
  }

  @Post('echo')
  echo(@Body() body: unknown, @Req() request: FastifyRequest): unknown {
    // The handler hands the id on explicitly: Fastify's request id, decided before body parsing.
    return { body, correlationId: request.id };
  }

  @Put('echo')
  put(@Body() body: unknown): unknown {
    return { body };
  }
}

describe('problem filter and HTTP platform (real HTTP)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-http-'));
  const lines: string[] = [];
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    const config = loadConfig({ KIUNGO_DATA_DIR: dataDir, KIUNGO_BODY_LIMIT_BYTES: '2048' });
    const logger = createRootLogger('debug', { write: (line: string) => void lines.push(line) });
    @Module({ imports: [PlatformModule.forRoot(config, { logger })], controllers: [ProbeController] })
    class ProbeModule {}
    app = await createHttpApp(ProbeModule, config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function call(path: string, init: RequestInit = {}) {
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    const json = /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, text, json };
  }

  it.each(ERROR_CATEGORIES.map((category) => [category]))('answers a DomainError of category %s as problem+json', async (category) => {
    const res = await call(`/probe/domain/${category}?secret=1`, { headers: { 'X-Correlation-Id': `probe-${category}` } });
    expect(res.status).toBe(ERROR_STATUS[category]);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.json).toMatchObject({
      type: `https://kiungo.dev/problems/probe-${category.replace('_', '-')}`,
      status: ERROR_STATUS[category],
      detail: `A ${category} problem.`,
      instance: `/probe/domain/${category}`,
      correlationId: `probe-${category}`,
    });
    expect(typeof res.json.title).toBe('string');
    expect(res.headers.get('x-correlation-id')).toBe(`probe-${category}`);
  });

  it('lists field errors and sets Retry-After and WWW-Authenticate where they belong', async () => {
    const invalid = await call('/probe/domain/invalid');
    expect(invalid.json.errors).toEqual([{ field: '/payload/idNumber', message: 'must be 8 digits' }]);
    const unavailable = await call('/probe/domain/unavailable');
    expect(unavailable.headers.get('retry-after')).toBe('30');
    expect(unavailable.json.errors).toBeUndefined();
    const unauthenticated = await call('/probe/domain/unauthenticated');
    expect(unauthenticated.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('answers a reused Idempotency-Key (invalid) with 422', async () => {
    const res = await call('/probe/reused-key');
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ status: 422, title: 'Invalid request', type: 'https://kiungo.dev/problems/idempotency-key-reused' });
  });

  it('hides an unknown error behind a generic 500 and logs it with the correlation id', async () => {
    const res = await call('/probe/boom', { headers: { 'X-Correlation-Id': 'boom-1' } });
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({ type: 'https://kiungo.dev/problems/internal', status: 500, correlationId: 'boom-1' });
    expect(res.text).not.toMatch(/SELECT|12345678|constraint|at /);
    const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.correlationId === 'boom-1');
    expect(logged).toMatchObject({ level: 'error', context: 'ProblemFilter', status: 500 });
    expect(logged.err.message).toContain('unique constraint');
  });

  it('answers a body that is not JSON with 400 malformed-json', async () => {
    const res = await call('/probe/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.json.type).toBe('https://kiungo.dev/problems/malformed-json');
    expect(res.headers.get('x-correlation-id')).toBe(res.json.correlationId);
  });

  it('refuses prototype poisoning as malformed JSON', async () => {
    const res = await call('/probe/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"__proto__":{"admin":true}}' });
    expect(res.status).toBe(400);
    expect(res.json.type).toBe('https://kiungo.dev/problems/malformed-json');
  });

  it('answers a body over the limit with 413', async () => {
    const res = await call('/probe/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filler: 'x'.repeat(8000) }),
    });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ type: 'https://kiungo.dev/problems/payload-too-large', status: 413, instance: '/probe/echo' });
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await call('/probe/echo', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
    expect(res.json.type).toBe('https://kiungo.dev/problems/unsupported-media-type');
  });

  it('parses JSON and hands the handler the correlation id as the request id', async () => {
    const res = await call('/probe/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'X-Correlation-Id': 'given.1' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ body: { hello: 'world' }, correlationId: 'given.1' });
  });

  it('writes one line per request with its correlation id, route pattern and status, never the path or query', async () => {
    await call('/probe/domain/not_found?idNumber=12345678', { headers: { 'X-Correlation-Id': 'one-line.1' } });
    await call('/nowhere/12345678', { headers: { 'X-Correlation-Id': 'one-line.2' } });
    const requestLines = (id: string) => lines.map((line) => JSON.parse(line)).filter((entry) => entry.correlationId === id && entry.msg === 'request');
    expect(requestLines('one-line.1')).toEqual([
      expect.objectContaining({ level: 'info', method: 'GET', route: '/probe/domain/:category', status: 404, ms: expect.any(Number) }),
    ]);
    expect(requestLines('one-line.2')).toEqual([expect.objectContaining({ route: null, status: 404 })]);
    expect(JSON.stringify([...requestLines('one-line.1'), ...requestLines('one-line.2')])).not.toContain('12345678');
  });

  it('answers an unknown route with 404 and a known path with the wrong method with 405', async () => {
    const unknown = await call('/nowhere?x=1');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ type: 'https://kiungo.dev/problems/route-not-found', instance: '/nowhere' });
    expect(unknown.headers.get('x-correlation-id')).toBe(unknown.json.correlationId);

    const wrongMethod = await call('/probe/echo', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, PUT');
    expect(wrongMethod.json.type).toBe('https://kiungo.dev/problems/method-not-allowed');
  });

  describe('correlation id', () => {
    it('echoes a well-formed X-Correlation-Id', async () => {
      const res = await call('/probe/domain/not_found', { headers: { 'X-Correlation-Id': 'abc:DEF-123_4.5' } });
      expect(res.headers.get('x-correlation-id')).toBe('abc:DEF-123_4.5');
    });

    it('replaces a malformed or too long one with a generated UUID', async () => {
      for (const given of ['has spaces in it', 'x'.repeat(129), 'semi;colon']) {
        const res = await call('/probe/domain/not_found', { headers: { 'X-Correlation-Id': given } });
        expect(res.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.json.correlationId).toBe(res.headers.get('x-correlation-id'));
      }
    });

    it('takes the trace-id of a valid traceparent, and ignores an invalid one', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const valid = await call('/nowhere', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
      expect(valid.headers.get('x-correlation-id')).toBe(traceId);
      const zeros = await call('/nowhere', { headers: { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` } });
      expect(zeros.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('prefers X-Correlation-Id over traceparent, and generates distinct ids when neither is sent', async () => {
      const both = await call('/nowhere', {
        headers: { 'X-Correlation-Id': 'mine', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      });
      expect(both.headers.get('x-correlation-id')).toBe('mine');
      const [a, b] = await Promise.all([call('/nowhere'), call('/nowhere')]);
      expect(a.headers.get('x-correlation-id')).not.toBe(b.headers.get('x-correlation-id'));
    });
  });

  describe('OpenAPI', () => {
    it('serves the document with bearer auth, the Problem schema and the package version', async () => {
      const res = await call('/docs/json');
      expect(res.status).toBe(200);
      expect(res.json.info).toMatchObject({ title: 'Kiungo API', version: packageVersion });
      expect(res.json.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(res.json.components.schemas.Problem.required).toContain('correlationId');
      expect(res.json.security).toEqual([{ bearer: [] }]);
      // @Public() on the controller clears the requirement for its operations.
      expect(res.json.paths['/probe/echo'].post.security).toEqual([]);
    });

    it('serves the UI without a token', async () => {
      const res = await call('/docs');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toContain('/docs/swagger-ui-bundle.js');
      const bundle = await call('/docs/swagger-ui-bundle.js');
      expect(bundle.status).toBe(200);
      expect(bundle.text).toContain('SwaggerUIBundle');
      const init = await call('/docs/swagger-ui-init.js');
      expect(init.text).toContain('"/docs/json"');
    });
  });
});
