/**
 * The routes to fuzz, read from the running app's OpenAPI document (GET /docs/json): every
 * path and method, its path, query and header parameters, its request body schema (with
 * `$ref`s into components resolved) and the roles it needs (from the documented 403).
 */
import { ROLES, type Role } from '../../core/authorization/roles';

export type JsonSchemaNode = Record<string, unknown>;

export interface FuzzRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/v1/transactions/{id}` as in the document. */
  template: string;
  pathParams: string[];
  queryParams: { name: string; required: boolean; schema: JsonSchemaNode }[];
  /** Header parameters other than Authorization, e.g. Idempotency-Key. */
  headerParams: { name: string; required: boolean }[];
  /** Undefined when the document lists no JSON body. */
  bodySchema?: JsonSchemaNode;
  /** Roles that may call it; empty for a route open to any valid token. */
  roles: Role[];
  isPublic: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchemaNode> };
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchemaNode }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchemaNode }> };
  responses?: Record<string, { description?: string }>;
  security?: unknown[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const ROLES_DESCRIPTION = /one of the roles: (.+)$/;

export async function fetchOpenApi(baseUrl: string): Promise<OpenApiDocument> {
  const response = await fetch(`${baseUrl}/docs/json`);
  if (response.status !== 200) throw new Error(`GET /docs/json answered ${response.status}`);
  return (await response.json()) as OpenApiDocument;
}

export function routesOf(document: OpenApiDocument): FuzzRoute[] {
  const routes: FuzzRoute[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = operation.parameters ?? [];
      const body = operation.requestBody?.content?.['application/json']?.schema;
      routes.push({
        method: method.toUpperCase() as FuzzRoute['method'],
        template,
        pathParams: [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]),
        queryParams: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema ?? {} })),
        headerParams: parameters.filter((p) => p.in === 'header').map((p) => ({ name: p.name, required: p.required === true })),
        bodySchema: body ? resolveRefs(body, document, 0) : undefined,
        roles: rolesOf(operation),
        isPublic: Array.isArray(operation.security) && operation.security.length === 0,
      });
    }
  }
  return routes;
}

/** `Needs one of the roles: officer, manager` (auth.decorators.ts) → ['officer', 'manager']. */
function rolesOf(operation: OpenApiOperation): Role[] {
  const description = operation.responses?.['403']?.description ?? '';
  const listed = ROLES_DESCRIPTION.exec(description)?.[1].split(',').map((role) => role.trim()) ?? [];
  return listed.filter((role): role is Role => (ROLES as readonly string[]).includes(role));
}

/**
 * Inlines `$ref`s into the document (`#/components/schemas/X`, or deeper pointers such as
 * `#/components/schemas/X/$defs/y`); keywords next to a `$ref` refine its target. Bounded: the
 * message schemas are not recursive.
 */
function resolveRefs(schema: JsonSchemaNode, document: OpenApiDocument, depth: number): JsonSchemaNode {
  if (depth > 16) return {};
  const node = schema;
  if (typeof node.$ref === 'string') {
    const { $ref, ...siblings } = node;
    return resolveRefs({ ...(pointerTarget(document, $ref) ?? {}), ...siblings }, document, depth + 1);
  }
  const out: JsonSchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = resolveValue(value, document, depth + 1);
  }
  return out;
}

function pointerTarget(document: OpenApiDocument, ref: string): JsonSchemaNode | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const segment of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return typeof node === 'object' && node !== null ? (node as JsonSchemaNode) : undefined;
}

function resolveValue(value: unknown, document: OpenApiDocument, depth: number): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, document, depth + 1));
  if (typeof value === 'object' && value !== null) return resolveRefs(value as JsonSchemaNode, document, depth);
  return value;
}

/** The route's path with each `{param}` replaced by an already encoded segment. */
export function fillPath(route: FuzzRoute, segments: Record<string, string>): string {
  return route.template.replace(/\{([^}]+)\}/g, (_whole, name: string) => segments[name] ?? 'x');
}

export function describeRoute(route: FuzzRoute): string {
  return `${route.method} ${route.template}`;
}
