import { Controller, Get, Module, Param } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Public } from '../auth';
import { loadConfig } from '../config/env.schema';
import { createRootLogger } from '../logging/logger';
import { PlatformModule, createHttpApp } from '../platform';

@Public()
@Controller('things')
class ThingsController {
  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    return { id };
  }
}

/** Found by the fuzzer (test/fuzz): Fastify's router answered these in its own JSON, echoing the path. */
describe('URLs the router refuses', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-router-'));
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    const config = loadConfig({ KIUNGO_DATA_DIR: dataDir });
    @Module({ imports: [PlatformModule.forRoot(config, { logger: createRootLogger('silent') })], controllers: [ThingsController] })
    class RouterProbeModule {}
    app = await createHttpApp(RouterProbeModule, config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** node:http, because fetch would normalise the path. */
  function get(path: string): Promise<{ status: number; contentType: string; correlationId: string; body: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port, path, headers: { 'x-correlation-id': 'router-probe' } }, (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            contentType: String(incoming.headers['content-type']),
            correlationId: String(incoming.headers['x-correlation-id']),
            body: JSON.parse(text) as Record<string, unknown>,
          }),
        );
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  it('answers a path that does not percent-decode with a 400 problem, without echoing it', async () => {
    const response = await get('/things/12345678%');
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.correlationId).toBe('router-probe');
    expect(response.body).toMatchObject({ type: 'https://kiungo.dev/problems/bad-request', status: 400, title: 'Bad Request', correlationId: 'router-probe' });
    expect(typeof response.body.detail).toBe('string');
    // `instance` is the path, as on every problem; the detail does not repeat it.
    expect(response.body.detail).not.toContain('12345678');
  });

  it('answers an over-long path parameter with a 414 problem', async () => {
    const response = await get(`/things/${'x'.repeat(300)}`);
    expect(response.status).toBe(414);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: 'https://kiungo.dev/problems/uri-too-long', status: 414 });
    expect(response.body.detail).not.toContain('xxx');
    expect(String(response.body.instance).length).toBeLessThanOrEqual(100);
  });

  it('still routes a good path', async () => {
    expect(await get('/things/abc')).toMatchObject({ status: 200, body: { id: 'abc' } });
  });
});
