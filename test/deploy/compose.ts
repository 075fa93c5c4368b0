/**
 * deploy/compose.yaml as Docker Compose reads it: YAML with anchors and merge keys, then
 * `${...}` interpolation from the environment (`${V}`, `${V:-default}`, `${V-default}`,
 * `${V:?message}`, `${V?message}`, `$$` for a literal `$`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseYamlDocuments } from './kustomize';

export const COMPOSE_FILE = path.resolve(__dirname, '..', '..', 'deploy', 'compose.yaml');

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  [field: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface InterpolatedCompose {
  file: ComposeFile;
  /** Variables that `${V:?...}` makes the operator supply (compose refuses to start without them). */
  suppliedByOperator: Set<string>;
}

/**
 * Interpolates with `env`; a `${V:?...}` variable missing from `env` is recorded and replaced by
 * `standIn(V)`, so that the rest of the file can still be checked.
 */
export function loadCompose(env: Readonly<Record<string, string>> = {}, standIn: (name: string) => string = (name) => `<${name}>`): InterpolatedCompose {
  const [raw] = parseYamlDocuments(readFileSync(COMPOSE_FILE, 'utf8'), COMPOSE_FILE);
  const suppliedByOperator = new Set<string>();
  const interpolate = (value: unknown): unknown => {
    if (typeof value === 'string') return interpolateString(value, env, standIn, suppliedByOperator);
    if (Array.isArray(value)) return value.map(interpolate);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]));
    return value;
  };
  return { file: interpolate(raw) as ComposeFile, suppliedByOperator };
}

function interpolateString(text: string, env: Readonly<Record<string, string>>, standIn: (name: string) => string, supplied: Set<string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced?: string, operator?: string, argument?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const value = env[name];
    if (operator === undefined) return value ?? '';
    const missing = operator.startsWith(':') ? value === undefined || value === '' : value === undefined;
    if (operator.endsWith('-')) return missing ? (argument ?? '') : (value as string);
    if (missing) {
      supplied.add(name);
      return standIn(name);
    }
    return value as string;
  });
}
