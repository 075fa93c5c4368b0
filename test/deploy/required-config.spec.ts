/**
 * Every variable the configuration schema requires is set wherever Kiungo is deployed: in
 * deploy/compose.yaml and in each Kubernetes overlay. The requirements are read from
 * gateway/src/config/env.schema.ts itself, where each one is declared as
 * `read.fail('<VARIABLE>', 'required when <CONDITION>...')`; then each deployment's environment
 * (with the secrets the operator supplies replaced by valid stand-ins) is put through the real
 * loadConfig, which must accept it as a production configuration.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, parseRole } from '../../gateway/src/config/env.schema';
import { loadCompose } from './compose';
import { buildKustomization, readYamlDocuments, type Resource } from './kustomize';

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEMA_FILE = path.join(ROOT, 'gateway', 'src', 'config', 'env.schema.ts');

interface Requirement {
  variable: string;
  /** The variable whose value makes this one required… */
  when: string;
  /** …when it equals this; undefined: when it is set at all. */
  equals?: string;
}

/** The requirements env.schema.ts declares, each as it words it. */
function declaredRequirements(): Requirement[] {
  const source = readFileSync(SCHEMA_FILE, 'utf8');
  const declarations = [...source.matchAll(/read\.fail\(\s*'([A-Z0-9_]+)',\s*'required when ([A-Z0-9_]+)(?:=([A-Za-z0-9_-]+)| is set)\b/g)];
  // Every "required" the schema says must be one this test understands, or the check is incomplete.
  expect(declarations.length).toBe((source.match(/'required when /g) ?? []).length);
  return declarations.map(([, variable, when, equals]) => ({ variable, when, ...(equals === undefined ? {} : { equals }) }));
}

/** A deployment runs in production mode: that is what DATABASE_URL selects. */
const PRODUCTION: Requirement = { variable: 'DATABASE_URL', when: 'DATABASE_URL' };

/** Valid values for the secrets an operator supplies (a Secret in Kubernetes, deploy/.env for compose). */
const STAND_INS: Readonly<Record<string, () => string>> = {
  DATABASE_URL: () => 'postgres://kiungo:secret@postgres.example:5432/kiungo',
  REDIS_URL: () => 'redis://:secret@redis.example:6379/0',
  KIUNGO_DATA_KEY: () => randomBytes(32).toString('base64'),
  KIUNGO_USSD_SECRET: () => randomBytes(24).toString('hex'),
};

function standIn(variable: string): string {
  const make = STAND_INS[variable];
  if (!make) throw new Error(`${variable} is supplied by the operator: add a valid stand-in for it to STAND_INS`);
  return make();
}

function missing(env: Readonly<Record<string, string>>, requirements: readonly Requirement[]): string[] {
  const set = (name: string) => env[name] !== undefined && env[name].trim() !== '';
  return requirements
    .filter((r) => (r === PRODUCTION ? true : r.equals === undefined ? set(r.when) : env[r.when] === r.equals))
    .filter((r) => !set(r.variable))
    .map((r) => (r === PRODUCTION ? `${r.variable} (production mode)` : `${r.variable} (required when ${r.when}${r.equals ? `=${r.equals}` : ' is set'})`));
}

const requirements = [PRODUCTION, ...declaredRequirements()];

describe('configuration every deployment must set', () => {
  it('reads the requirements from env.schema.ts: the identity provider and the data key come with DATABASE_URL', () => {
    expect(requirements).toEqual(
      expect.arrayContaining([
        { variable: 'OIDC_ISSUER_URL', when: 'DATABASE_URL' },
        { variable: 'KIUNGO_DATA_KEY', when: 'DATABASE_URL' },
        { variable: 'AT_API_KEY', when: 'KIUNGO_SMS_DRIVER', equals: 'africastalking' },
      ]),
    );
  });

  describe('deploy/compose.yaml', () => {
    const { file } = loadCompose({}, standIn);
    const gateways = Object.entries(file.services).filter(([, s]) => s.command?.[1] === 'dist/gateway/src/main.js');

    it.each(gateways.map(([name]) => name))('%s has every required variable and a configuration loadConfig accepts', (name) => {
      const service = file.services[name];
      const env = service.environment ?? {};
      expect(missing(env, requirements)).toEqual([]);
      expect(env.KIUNGO_DEV_TOKENS).toBeUndefined();
      const config = loadConfig(env);
      expect(config).toMatchObject({ mode: 'production', dataKeySource: 'env', oidcIssuerUrl: env.OIDC_ISSUER_URL });
      expect(parseRole(service.command?.slice(2))).toBe(name.startsWith('api') ? 'api' : 'worker');
    });

    it('gives the migration its database', () => {
      expect(missing(file.services.migrate.environment ?? {}, [PRODUCTION])).toEqual([]);
    });
  });

  describe.each(['dev', 'prod'])('Kubernetes overlay %s', (overlay) => {
    const resources = buildKustomization(path.join(ROOT, 'deploy', 'k8s', 'overlays', overlay));
    const secret = readYamlDocuments(path.join(ROOT, 'deploy', 'k8s', 'base', 'secret.template.yaml'))[0] as Resource;
    const configMaps = new Map(resources.filter((r) => r.kind === 'ConfigMap').map((r) => [r.metadata.name, r.data as Record<string, string>]));

    /** A container's environment: envFrom sources in order, then env, secrets replaced by stand-ins. */
    function environmentOf(container: Record<string, unknown>): Record<string, string> {
      const env: Record<string, string> = {};
      for (const source of (container.envFrom as { configMapRef?: { name: string }; secretRef?: { name: string } }[] | undefined) ?? []) {
        if (source.configMapRef) Object.assign(env, configMaps.get(source.configMapRef.name));
        if (source.secretRef?.name === secret.metadata.name) for (const key of Object.keys(secret.stringData as object)) env[key] = standIn(key);
      }
      for (const variable of (container.env as { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] | undefined) ?? []) {
        if (variable.value !== undefined) env[variable.name] = variable.value;
        else if (variable.valueFrom?.secretKeyRef?.name === secret.metadata.name) env[variable.name] = standIn(variable.valueFrom.secretKeyRef.key);
      }
      return env;
    }

    const containers = resources
      .filter((r) => r.kind === 'Deployment' || r.kind === 'Job')
      .map((r) => ({ name: r.metadata.name, container: (r.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0] }));

    it.each(containers.filter((c) => c.name !== 'kiungo-migrate').map((c) => c.name))('%s has every required variable and a configuration loadConfig accepts', (name) => {
      const { container } = containers.find((c) => c.name === name)!;
      const env = environmentOf(container);
      expect(missing(env, requirements)).toEqual([]);
      expect(env.KIUNGO_DEV_TOKENS).toBeUndefined();
      expect(loadConfig(env)).toMatchObject({ mode: 'production', dataKeySource: 'env', oidcIssuerUrl: env.OIDC_ISSUER_URL, port: 8080 });
      expect(parseRole((container.command as string[]).slice(2))).toBe(name === 'kiungo-api' ? 'api' : 'worker');
    });

    it('gives the migration Job its database', () => {
      const { container } = containers.find((c) => c.name === 'kiungo-migrate')!;
      expect(missing(environmentOf(container), [PRODUCTION])).toEqual([]);
    });
  });
});
