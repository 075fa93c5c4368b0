/**
 * deploy/k8s, offline: the base and each overlay, built as kustomize builds them
 * (test/deploy/kustomize.ts), validated against the Kubernetes schemas of kubernetes-models
 * (@kubernetes-models/validate; the ServiceMonitor against the prometheus-operator CRD models),
 * every field checked against the same models' TypeScript types (the validators let unknown
 * fields through, the API server's strict field validation does not), and the resources checked
 * against each other and against what Kiungo needs. No cluster, no kubectl required.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ts from 'typescript';
import { buildKustomization, containersOf, parseYamlDocuments, readYamlDocuments, type Resource } from './kustomize';

const ROOT = path.resolve(__dirname, '..', '..');
const K8S = path.join(ROOT, 'deploy', 'k8s');
const METRICS_PORT = 9464;

const builds: Record<string, Resource[]> = {
  base: buildKustomization(path.join(K8S, 'base')),
  dev: buildKustomization(path.join(K8S, 'overlays', 'dev')),
  prod: buildKustomization(path.join(K8S, 'overlays', 'prod')),
};
const secretTemplate = readYamlDocuments(path.join(K8S, 'base', 'secret.template.yaml'))[0] as Resource;

/** The model class of a resource: kubernetes-models, or the prometheus-operator models for its CRDs. */
function modelModule(resource: Resource): { module: string; typeName: string } {
  const [group, version] = resource.apiVersion.includes('/') ? resource.apiVersion.split('/') : ['', resource.apiVersion];
  const pkg = group === 'monitoring.coreos.com' ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  return { module: `${pkg}/${group ? `${group}/` : ''}${version}/${resource.kind}`, typeName: `I${resource.kind}` };
}

function schemaErrors(resource: Resource): string | undefined {
  const { module } = modelModule(resource);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Model = (require(module) as Record<string, new (data: unknown) => { validate(): void }>)[resource.kind];
  if (!Model) throw new Error(`no model ${resource.kind} in ${module}`);
  try {
    new Model(resource).validate();
    return undefined;
  } catch (error) {
    return `${resource.kind}/${resource.metadata.name}: ${(error as Error).message}`;
  }
}

const byKind = (resources: Resource[], kind: string) => resources.filter((r) => r.kind === kind);
const named = (resources: Resource[], kind: string, name: string) => resources.find((r) => r.kind === kind && r.metadata.name === name);

type PodSpec = { containers: Container[]; securityContext?: Record<string, unknown>; volumes?: { name: string }[]; serviceAccountName?: string };
type Container = {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
};
const podTemplate = (r: Resource) => (r.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }).template;
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(Object.keys(builds))('Kubernetes manifests: %s', (name) => {
  const resources = builds[name];

  it('builds the resources Kiungo needs', () => {
    const kinds = resources.map((r) => `${r.kind}/${r.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        'ConfigMap/kiungo-config',
        'Deployment/kiungo-api',
        'Deployment/kiungo-worker',
        'HorizontalPodAutoscaler/kiungo-api',
        'Ingress/kiungo',
        'Job/kiungo-migrate',
        'NetworkPolicy/kiungo-api',
        'NetworkPolicy/kiungo-migrate',
        'NetworkPolicy/kiungo-worker',
        'PersistentVolumeClaim/kiungo-spool',
        'PodDisruptionBudget/kiungo-api',
        'PodDisruptionBudget/kiungo-worker',
        'Service/kiungo-api',
        'Service/kiungo-worker',
        'ServiceAccount/kiungo',
        'ServiceMonitor/kiungo',
      ].sort(),
    );
  });

  it('validates every resource against its Kubernetes schema (@kubernetes-models/validate)', () => {
    expect(resources.map(schemaErrors).filter(Boolean)).toEqual([]);
  });

  it('points every selector at the pods it means: Services, PDBs, NetworkPolicies, the HPA, the Ingress and the ServiceMonitor', () => {
    const workloads = byKind(resources, 'Deployment');
    const podLabels = workloads.map((d) => podTemplate(d).metadata.labels);
    for (const d of workloads) {
      expect(selects((d.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, podTemplate(d).metadata.labels)).toBe(true);
    }
    for (const service of byKind(resources, 'Service')) {
      const spec = service.spec as { selector: Record<string, string>; ports: { name: string; targetPort: string }[] };
      const targets = workloads.filter((d) => selects(spec.selector, podTemplate(d).metadata.labels));
      expect({ service: service.metadata.name, targets: targets.length }).toEqual({ service: service.metadata.name, targets: 1 });
      const containerPorts = podTemplate(targets[0]).spec.containers.flatMap((c) => c.ports ?? []).map((p) => p.name);
      for (const port of spec.ports) expect(containerPorts).toContain(port.targetPort);
    }
    for (const selector of [...byKind(resources, 'PodDisruptionBudget'), ...byKind(resources, 'NetworkPolicy')].map(
      (r) => ((r.spec as { selector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } }).selector ?? (r.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector).matchLabels,
    )) {
      const jobLabels = podTemplate(named(resources, 'Job', 'kiungo-migrate')!).metadata.labels;
      expect([...podLabels, jobLabels].some((labels) => selects(selector, labels))).toBe(true);
    }
    const hpa = named(resources, 'HorizontalPodAutoscaler', 'kiungo-api')!.spec as { scaleTargetRef: { kind: string; name: string } };
    expect(named(resources, hpa.scaleTargetRef.kind, hpa.scaleTargetRef.name)).toBeDefined();
    const ingress = named(resources, 'Ingress', 'kiungo')!.spec as { rules: { http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[] };
    for (const { backend } of ingress.rules.flatMap((rule) => rule.http.paths)) {
      const service = named(resources, 'Service', backend.service.name);
      expect((service?.spec as { ports: { name: string }[] }).ports.map((p) => p.name)).toContain(backend.service.port.name);
    }
  });

  it('reads configuration from the ConfigMap and the Secret the template describes', () => {
    for (const workload of [...byKind(resources, 'Deployment'), ...byKind(resources, 'Job')]) {
      for (const container of podTemplate(workload).spec.containers) {
        for (const source of container.envFrom ?? []) {
          if (source.configMapRef) expect(named(resources, 'ConfigMap', source.configMapRef.name)).toBeDefined();
          if (source.secretRef) expect(source.secretRef.name).toBe(secretTemplate.metadata.name);
        }
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          if (ref) expect(Object.keys(secretTemplate.stringData as object)).toContain(ref.key);
        }
      }
    }
  });

  it('probes the api and the worker: readiness on /health/ready, liveness on /health/live', () => {
    for (const workload of byKind(resources, 'Deployment')) {
      const [container] = podTemplate(workload).spec.containers;
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.ports).toContainEqual({ name: 'http', containerPort: 8080 });
    }
  });

  it('runs every pod as a non-root user with a read-only root filesystem, no privilege escalation, no capabilities', () => {
    for (const workload of [...byKind(resources, 'Deployment'), ...byKind(resources, 'Job')]) {
      const spec = podTemplate(workload).spec;
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
      expect(spec.securityContext?.runAsUser).not.toBe(0);
      for (const container of spec.containers) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect((container as { resources?: { requests?: unknown; limits?: { memory?: string } } }).resources).toMatchObject({ requests: expect.any(Object), limits: { memory: expect.any(String) } });
      }
    }
  });

  it(`serves metrics on a port of their own (${METRICS_PORT}, KIUNGO_METRICS_PORT), scraped through the Services, never through the Ingress`, () => {
    const config = named(resources, 'ConfigMap', 'kiungo-config')!.data as Record<string, string>;
    expect(config.KIUNGO_METRICS_PORT).toBe(String(METRICS_PORT));
    for (const workload of byKind(resources, 'Deployment')) {
      expect(podTemplate(workload).spec.containers[0].ports).toContainEqual({ name: 'metrics', containerPort: METRICS_PORT });
    }
    const servicesWithMetrics = byKind(resources, 'Service').filter((s) => (s.spec as { ports: { name: string; port: number }[] }).ports.some((p) => p.name === 'metrics' && p.port === METRICS_PORT));
    expect(servicesWithMetrics.map((s) => s.metadata.name).sort()).toEqual(['kiungo-api', 'kiungo-worker']);
    const monitor = named(resources, 'ServiceMonitor', 'kiungo')!.spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
    expect(monitor.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
    for (const service of servicesWithMetrics) expect(selects(monitor.selector.matchLabels, service.metadata.labels ?? {})).toBe(true);
    const ingress = JSON.stringify(named(resources, 'Ingress', 'kiungo'));
    expect(ingress).not.toContain('metrics');
    expect(ingress).not.toContain(String(METRICS_PORT));
  });

  it('runs commands the build compiles (tsconfig.build.json), from the image the overlay names', () => {
    const build = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    for (const workload of [...byKind(resources, 'Deployment'), ...byKind(resources, 'Job')]) {
      for (const container of containersOf(workload)) {
        const [node, script] = (container as Container).command ?? [];
        expect(node).toBe('node');
        const source = script.replace(/^dist\//, '').replace(/\.js$/, '.ts');
        expect(build.include.some((folder) => source.startsWith(`${folder}/`))).toBe(true);
        expect(readFileSync(path.join(ROOT, source), 'utf8').length).toBeGreaterThan(0);
      }
    }
  });
});

describe('Kubernetes manifests, all overlays', () => {
  it('validates the Secret template against the Secret schema, with no real value in it', () => {
    expect(schemaErrors(secretTemplate)).toBeUndefined();
    for (const value of Object.values(secretTemplate.stringData as Record<string, string>)) expect(value).toBe('REPLACE-ME');
  });

  it('uses only fields the Kubernetes API knows (the models\' types, with TypeScript\'s excess property check)', () => {
    const all = [...Object.values(builds).flat(), secretTemplate];
    const aliases = new Map<string, string>();
    const imports: string[] = [];
    const declarations = all.map((resource, index) => {
      const { module, typeName } = modelModule(resource);
      let alias = aliases.get(module);
      if (alias === undefined) {
        alias = `T${aliases.size}`;
        aliases.set(module, alias);
        imports.push(`import type { ${typeName} as ${alias} } from '${module}';`);
      }
      return `// ${resource.kind}/${resource.metadata.name}\nexport const r${index}: ${alias} = ${JSON.stringify(resource, null, 2)};`;
    });
    const dir = path.join(ROOT, '.tmp', `k8s-typecheck-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'manifests.ts');
    writeFileSync(file, `${imports.join('\n')}\n\n${declarations.join('\n\n')}\n`);
    try {
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        types: [],
        typeRoots: [],
      });
      const problems = ts.getPreEmitDiagnostics(program).map((d) => {
        const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        return `${where ? `manifests.ts:${where.line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  const haveKubectl = kubectl.status === 0;
  (haveKubectl ? it : it.skip)('builds what kubectl kustomize builds (checked where kubectl is installed)', () => {
    for (const overlay of ['dev', 'prod']) {
      const output = execFileSync('kubectl', ['kustomize', path.join(K8S, 'overlays', overlay)], { encoding: 'utf8' });
      const theirs = output.split(/^---$/m).map((doc) => doc.trim()).filter(Boolean);
      const parsed = theirs.map((doc) => parseYamlDocuments(doc, `kubectl kustomize ${overlay}`)[0] as Resource);
      const key = (r: Resource) => `${r.kind}/${r.metadata.name}`;
      const sort = (rs: Resource[]) => [...rs].sort((a, b) => key(a).localeCompare(key(b)));
      expect(sort(builds[overlay])).toEqual(sort(parsed));
    }
  });
  if (!haveKubectl) console.warn('kubectl is not installed: the kustomize builder was not compared with kubectl kustomize in this run');
});
