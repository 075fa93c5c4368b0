/**
 * The OpenAPI side of the contracts' message schemas: each schema file becomes a component
 * (`#/components/schemas/AgencyModeChange`), each shared definition of common.v1.json one too
 * (`#/components/schemas/CentreCode`), and operations reference them. The document describes the
 * bodies with the very files the edge validates them with (http/valid-body.ts); OpenAPI 3.1 schema
 * objects are JSON Schema 2020-12, so the files go in as they are, with their `$ref`s pointed at
 * the components.
 */
import { ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { MESSAGE_NAMES, SHARED_DEFINITIONS, messageSchema, messageTypeName, type MessageName } from '../../../contracts/src';

export const COMPONENTS_PREFIX = '#/components/schemas/';

/** Messages that are not HTTP bodies: the agency file is read from disk at boot. */
const NOT_HTTP_BODIES: ReadonlySet<MessageName> = new Set(['agency-file']);

export function messageRef(name: MessageName): { $ref: string } {
  return { $ref: `${COMPONENTS_PREFIX}${messageTypeName(name)}` };
}

/** Documents a JSON response of the operation: `@ApiMessageResponse(200, 'agency')`. */
export function ApiMessageResponse(status: number, name: MessageName, description = 'OK'): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { schema: messageRef(name) } } });
}

/** Where a `$ref` of a message schema (relative to `base`) points in the OpenAPI document. */
function componentTarget(ref: string, base: string): string {
  const sharedId = String(SHARED_DEFINITIONS.$id);
  const url = new URL(ref, base);
  const fragment = decodeURIComponent(url.hash.slice(1));
  url.hash = '';
  if (url.href === sharedId) {
    const [, defs, definition, ...rest] = fragment.split('/');
    if (defs !== '$defs' || !definition) throw new Error(`${ref}: only $defs of ${sharedId} can be referenced`);
    return `${COMPONENTS_PREFIX}${messageTypeName(definition)}${rest.map((segment) => `/${segment}`).join('')}`;
  }
  const name = MESSAGE_NAMES.find((candidate) => String(messageSchema(candidate).$id) === url.href);
  if (!name) throw new Error(`${ref} (from ${base}) names no message schema`);
  return `${COMPONENTS_PREFIX}${messageTypeName(name)}${fragment}`;
}

/**
 * The properties of a query message (all strings in a URL), each as an OpenAPI parameter schema
 * with its `$ref`s pointed at components: how http/valid-query.ts documents a query.
 */
export function messageQueryParameters(name: MessageName): Array<{ name: string; required: boolean; description?: string; schema: SchemaObject }> {
  const schema = messageSchema(name);
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(properties).map(([property, definition]) => ({
    name: property,
    required: required.has(property),
    ...(typeof definition.description === 'string' ? { description: definition.description } : {}),
    schema: { type: 'string', ...(withComponentRefs(definition, String(schema.$id), componentTarget) as SchemaObject) } as SchemaObject,
  }));
}

/** Every message and shared definition as an OpenAPI component, by name. */
export function messageComponents(): Record<string, SchemaObject> {
  const sharedId = String(SHARED_DEFINITIONS.$id);
  const target = componentTarget;

  const components: Record<string, SchemaObject> = {};
  const add = (name: string, schema: unknown, base: string) => {
    if (components[name]) throw new Error(`Two message schemas would both be the OpenAPI component ${name}`);
    components[name] = withComponentRefs(schema, base, target) as SchemaObject;
  };
  const definitions = SHARED_DEFINITIONS.$defs as Record<string, unknown>;
  for (const [name, schema] of Object.entries(definitions)) add(messageTypeName(name), schema, sharedId);
  for (const name of MESSAGE_NAMES) {
    if (NOT_HTTP_BODIES.has(name)) continue;
    const { $id, $schema: _schema, ...schema } = messageSchema(name);
    add(messageTypeName(name), schema, String($id));
  }
  return components;
}

/** A copy with every `$ref` pointed at a component; `$id`s go, since a component's base is the document. */
function withComponentRefs(value: unknown, base: string, target: (ref: string, base: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => withComponentRefs(item, base, target));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$id' || key === '$schema') continue;
    out[key] = key === '$ref' && typeof child === 'string' ? target(child, base) : withComponentRefs(child, base, target);
  }
  return out;
}
