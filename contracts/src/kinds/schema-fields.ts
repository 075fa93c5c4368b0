/**
 * Static look-ups in a service schema, so that field mappings are checked at boot: a mapping
 * that names a field the schema does not have would silently drop data at every call.
 */
import { isRecord, pointerSegments } from '../json-pointer';
import type { JsonSchema } from '../schema-compiler';

type Node = Readonly<Record<string, unknown>>;

const isNode: (value: unknown) => value is Node = isRecord;

/**
 * False only when the schema provably has no such location: a closed object without the
 * property. Anything the walk cannot follow ($ref, combinators, open objects) counts as present.
 */
export function schemaMayHave(schema: JsonSchema, pointer: string): boolean {
  let node: Node = schema;
  for (const segment of pointerSegments(pointer)) {
    const properties = node.properties;
    if (isNode(properties) && Object.prototype.hasOwnProperty.call(properties, segment) && isNode(properties[segment])) {
      node = properties[segment] as Node;
    } else if (isNode(node.items) && /^(0|[1-9][0-9]*)$/.test(segment)) {
      node = node.items;
    } else {
      return !(node.additionalProperties === false && isNode(properties));
    }
  }
  return true;
}

/** The top-level properties of a closed object schema; undefined when the schema is open or not plain. */
export function closedProperties(schema: JsonSchema): string[] | undefined {
  if (schema.additionalProperties !== false || !isNode(schema.properties)) return undefined;
  return Object.keys(schema.properties);
}

export function requiredProperties(schema: JsonSchema): string[] {
  return Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
}
