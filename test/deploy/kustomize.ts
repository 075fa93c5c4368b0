/**
 * Builds a Kustomize directory the way `kustomize build` (kubectl kustomize, v5) does, for the
 * part of Kustomize that deploy/k8s uses: `resources` (files and directories), `namespace`,
 * `images`, and `patches` written as JSON 6902 operations with a `target`. Any other field of a
 * kustomization, and strategic-merge patches, are refused, so a manifest change this builder
 * cannot render fails the tests instead of being validated wrongly. It runs in-process because
 * CI has no kustomize binary; where kubectl is installed, manifests.spec.ts compares the two.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

interface PatchEntry {
  target?: { kind?: string; name?: string };
  patch?: string;
  path?: string;
}

interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'IngressClass']);

/** Every document of a YAML file, as plain objects (empty documents skipped). */
export function readYamlDocuments(file: string): unknown[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), file);
}

/** YAML 1.2 with 1.1's merge keys (`<<: *anchor`), as Compose and kubectl read it. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  const documents = parseAllDocuments(text, { merge: true });
  return documents
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0].message}`);
      return document.toJS({ maxAliasCount: 100 }) as unknown;
    })
    .filter((value) => value !== null && value !== undefined);
}

/** The resources `kustomize build <dir>` would print (in file order, not kustomize's kind order). */
export function buildKustomization(dir: string): Resource[] {
  const file = path.join(dir, 'kustomization.yaml');
  const [kustomization] = readYamlDocuments(file) as Record<string, unknown>[];
  const unknown = Object.keys(kustomization).filter((field) => !KNOWN_FIELDS.has(field));
  if (unknown.length > 0) throw new Error(`${file}: this builder does not know ${unknown.join(', ')}; teach test/deploy/kustomize.ts first`);

  const resources: Resource[] = [];
  for (const entry of (kustomization.resources as string[] | undefined) ?? []) {
    const target = path.resolve(dir, entry);
    if (statSync(target).isDirectory()) resources.push(...buildKustomization(target));
    else resources.push(...(readYamlDocuments(target) as Resource[]).map((r) => structuredClone(r)));
  }

  for (const entry of (kustomization.patches as PatchEntry[] | undefined) ?? []) applyPatch(resources, entry, file, dir);
  if (typeof kustomization.namespace === 'string') {
    for (const resource of resources) if (!CLUSTER_SCOPED.has(resource.kind)) resource.metadata.namespace = kustomization.namespace;
  }
  for (const image of (kustomization.images as ImageEntry[] | undefined) ?? []) {
    for (const resource of resources) for (const container of containersOf(resource)) container.image = retag(container.image, image);
  }
  return resources;
}

function applyPatch(resources: Resource[], entry: PatchEntry, file: string, dir: string): void {
  const text = entry.patch ?? (entry.path ? readFileSync(path.resolve(dir, entry.path), 'utf8') : undefined);
  if (text === undefined) throw new Error(`${file}: a patch needs patch or path`);
  const [operations] = parseAllDocuments(text).map((d) => d.toJS() as unknown);
  if (!Array.isArray(operations)) throw new Error(`${file}: only JSON 6902 patches (a list of operations) are supported here`);
  const { kind, name } = entry.target ?? {};
  if (!kind || !name) throw new Error(`${file}: a JSON 6902 patch needs target.kind and target.name`);
  const matches = resources.filter((r) => r.kind === kind && r.metadata.name === name);
  if (matches.length === 0) throw new Error(`${file}: no ${kind} ${name} to patch`);
  for (const resource of matches) for (const operation of operations as JsonPatchOperation[]) applyOperation(resource, operation, file);
}

/** RFC 6902 add, remove, replace and test, on JSON pointers (RFC 6901). */
export function applyOperation(document: object, operation: JsonPatchOperation, where = 'patch'): void {
  const tokens = operation.path.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (operation.path === '' || tokens.length === 0) throw new Error(`${where}: cannot ${operation.op} the whole document`);
  let parent: unknown = document;
  for (const token of tokens.slice(0, -1)) {
    parent = child(parent, token);
    if (parent === undefined) throw new Error(`${where}: ${operation.path} does not exist`);
  }
  const last = tokens[tokens.length - 1];
  const fail = (why: string): never => {
    throw new Error(`${where}: ${operation.op} ${operation.path}: ${why}`);
  };
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) fail('no such array index');
    if (operation.op === 'add') parent.splice(index, 0, structuredClone(operation.value));
    else if (index >= parent.length) fail('no such array index');
    else if (operation.op === 'remove') parent.splice(index, 1);
    else if (operation.op === 'replace') parent[index] = structuredClone(operation.value);
    else if (JSON.stringify(parent[index]) !== JSON.stringify(operation.value)) fail('test failed');
    return;
  }
  if (typeof parent !== 'object' || parent === null) return fail('the parent is not an object');
  const record = parent as Record<string, unknown>;
  if (operation.op !== 'add' && !(last in record)) fail('no such member');
  if (operation.op === 'remove') delete record[last];
  else if (operation.op === 'test') {
    if (JSON.stringify(record[last]) !== JSON.stringify(operation.value)) fail('test failed');
  } else record[last] = structuredClone(operation.value);
}

function child(value: unknown, token: string): unknown {
  if (Array.isArray(value)) return value[Number(token)];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[token] : undefined;
}

/** Containers and init containers of any pod template a resource holds (Pod, workloads, Job, CronJob). */
export function containersOf(resource: Resource): { name: string; image: string; [field: string]: unknown }[] {
  const spec = resource.spec as Record<string, unknown> | undefined;
  const podSpecs = [
    resource.kind === 'Pod' ? spec : undefined,
    (spec?.template as { spec?: unknown } | undefined)?.spec,
    ((spec?.jobTemplate as { spec?: { template?: { spec?: unknown } } } | undefined)?.spec?.template)?.spec,
  ].filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null);
  return podSpecs.flatMap((podSpec) => [...((podSpec.initContainers as []) ?? []), ...((podSpec.containers as []) ?? [])]);
}

/** Kustomize's image transformer: `name[:tag][@digest]` whose name matches gets the new name, tag or digest. */
function retag(image: string, entry: ImageEntry): string {
  const match = /^(?<name>[^@]+?)(?::(?<tag>[^:/@]+))?(?:@(?<digest>.+))?$/.exec(image);
  if (!match?.groups || match.groups.name !== entry.name) return image;
  const name = entry.newName ?? match.groups.name;
  if (entry.digest) return `${name}@${entry.digest}`;
  const tag = entry.newTag ?? match.groups.tag;
  const digest = match.groups.digest;
  return `${name}${tag ? `:${tag}` : ''}${digest && !entry.newTag ? `@${digest}` : ''}`;
}
