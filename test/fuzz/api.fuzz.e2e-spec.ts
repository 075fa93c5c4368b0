import { transactionEnvelopeSchema } from '../../contracts/src';
import { CLOCK_SCENARIOS } from '../factories/clock';
import { describeWithPostgres } from '../factories/services';
import { ALL_ROUTES_TEST_TIMEOUT_MS, FUZZ_RUNS, FUZZ_SEED } from './fuzz.config';
import { startFuzzWorld, type FuzzWorld } from './fuzz-world';
import { send } from './http-probe';
import { fetchOpenApi, routesOf, type FuzzRoute, type JsonSchemaNode } from './openapi-routes';
import { fuzzRoute, type RouteFuzzResult } from './route-fuzzer';

/**
 * The fuzzer: every route of the OpenAPI document, with generated and hostile path parameters,
 * query strings, headers, tokens and bodies (from the OpenAPI DTOs and the contract schemas).
 * Invariants on every response: never a 5xx, a problem+json for every 4xx, no national ID,
 * stack trace or SQL in an error, nothing stored for a rejected request, an answer within the
 * time budget. Seed and runs: see fuzz.config.ts (KIUNGO_FUZZ_SEED, KIUNGO_FUZZ_RUNS). Run twice,
 * on the app's clock: with every centre closed (Sunday 02:00 in Nairobi) and in opening hours.
 */
describeWithPostgres('fuzz: every route of the OpenAPI document', () => {
  describe.each(CLOCK_SCENARIOS)('$name', ({ name, at }) => {
    let world: FuzzWorld;
    let routes: FuzzRoute[];
    const results: RouteFuzzResult[] = [];
    const started = Date.now();

    beforeAll(async () => {
      world = await startFuzzWorld(at);
      routes = routesOf(await fetchOpenApi(world.app.url));
    });

    afterAll(async () => {
      const requests = results.reduce((sum, result) => sum + result.runs, 0);
      // The figures docs/RELIABILITY.md quotes: printed by every run.
      console.log(`[fuzz] ${name}: seed=${FUZZ_SEED} runs/route=${FUZZ_RUNS} routes=${routes?.length ?? 0} requests=${requests} duration=${((Date.now() - started) / 1000).toFixed(1)}s`);
      await world?.close();
    });

    it('reads every documented route, with the roles each needs', () => {
      expect(routes.length).toBeGreaterThanOrEqual(30);
      const submit = routes.find((route) => route.method === 'POST' && route.template === '/v1/transactions');
      expect(submit).toMatchObject({ roles: expect.arrayContaining(['officer']), isPublic: false });
      expect(routes.filter((route) => route.isPublic).map((route) => route.template)).toEqual(expect.arrayContaining(['/health/live']));
      expect(routes.filter((route) => !route.isPublic && route.roles.length === 0)).toEqual([]);
    });

    it('holds the invariants on every route for generated and hostile requests', async () => {
      for (const route of routes) {
        const result = await fuzzRoute(world, route);
        results.push(result);
        if (process.env.KIUNGO_FUZZ_VERBOSE === '1') process.stderr.write(`[fuzz] ${result.route}: ${JSON.stringify(result.statuses)}${result.failure ? `\n${result.failure}\n` : ''}\n`);
      }
      const failures = results.filter((result) => result.failure).map((result) => result.failure);
      expect(failures).toEqual([]);
      // Every route was exercised, and the fuzzer got past the guards somewhere.
      expect(results.every((result) => result.runs >= FUZZ_RUNS)).toBe(true);
      const statuses = new Set(results.flatMap((result) => Object.keys(result.statuses).map(Number)));
      expect([...statuses]).toEqual(expect.arrayContaining([200, 401, 404, 422]));
    }, ALL_ROUTES_TEST_TIMEOUT_MS);

    it('holds them for transaction bodies drawn from the contract schemas (envelope + each service request schema)', async () => {
      const route = routes.find((candidate) => candidate.method === 'POST' && candidate.template === '/v1/transactions')!;
      const catalogue = world.app.runtime.catalogue;
      const bodySchema: JsonSchemaNode = {
        oneOf: catalogue.services().map((service) => ({
          ...(transactionEnvelopeSchema as JsonSchemaNode),
          properties: {
            ...((transactionEnvelopeSchema as JsonSchemaNode).properties as Record<string, unknown>),
            service: { const: service.code },
            payload: catalogue.validator.requestSchema(service.code) ?? {},
          },
        })),
      };
      const result = await fuzzRoute(world, route, { label: 'POST /v1/transactions (contract schemas)', runsFactor: 3, context: { bodySchema, schemaBias: 4 } });
      results.push(result);
      expect(result.failure).toBeUndefined();
      // The schema-drawn bodies are good enough to reach the agency sometimes.
      expect(Object.keys(result.statuses).map(Number).some((status) => status === 200 || status === 202)).toBe(true);
    }, ALL_ROUTES_TEST_TIMEOUT_MS);

    it('answers 401 to a missing, expired or forged token and 403 to a valid token without the role, on every protected route', async () => {
      const wrong: string[] = [];
      for (const route of routes.filter((candidate) => !candidate.isPublic)) {
        const target = route.template.replace(/\{([^}]+)\}/g, (_whole, name: string) => world.known[name]?.[0] ?? 'x');
        const outsider = (['channel', 'officer', 'manager', 'operator', 'auditor', 'agency', 'admin'] as const).find((role) => !route.roles.includes(role));
        const cases: [string, Record<string, string>, number][] = [
          ['no token', {}, 401],
          ['expired token', { authorization: `Bearer ${world.expiredToken}` }, 401],
          ['forged token', { authorization: `Bearer ${forge(world.tokens.admin)}` }, 401],
        ];
        if (outsider) cases.push([`role ${outsider}`, { authorization: `Bearer ${world.tokens[outsider]}` }, 403]);
        for (const [what, headers, expected] of cases) {
          const response = await send(world.app.url, { route: route.template, method: route.method, target, headers, bodyKind: 'none', auth: what });
          if (response.status !== expected) wrong.push(`${route.method} ${target} with ${what}: ${response.status}, expected ${expected}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  });
});

/** The same claims with the signature of another token: must not verify. */
function forge(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const raised = Buffer.from(JSON.stringify({ ...claims, realm_access: { roles: ['admin', 'personal-data'] } })).toString('base64url');
  return [header, raised, signature].join('.');
}
