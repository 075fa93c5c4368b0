/** The agency-file schema documents the defaults the loader applies; this keeps the two in step. */
import { DEFAULT_RESILIENCE, DEFAULT_RETRY, MAX_AGENCY_ANSWER_BYTES } from './catalogue.defaults';
import { agencyFileSchema } from './catalogue.loader';
import { FILE_DROP_ADAPTER_DEFAULTS } from './kinds/file-drop.kind';
import { REST_ADAPTER_DEFAULTS, REST_OPERATION_DEFAULTS } from './kinds/rest.kind';

type SchemaNode = { readonly [keyword: string]: unknown };

/** Walks keywords and property names, e.g. at(schema, '$defs', 'retry'). */
function at(node: SchemaNode, ...path: string[]): SchemaNode {
  return path.reduce((current, key) => current[key] as SchemaNode, node);
}

function defaultsOf(node: SchemaNode): Record<string, unknown> {
  const properties = (node.properties ?? {}) as Record<string, SchemaNode>;
  return Object.fromEntries(Object.entries(properties).flatMap(([name, child]) => (child.default === undefined ? [] : [[name, child.default]])));
}

const defs = at(agencyFileSchema, '$defs');

it('documents the retry defaults the loader applies', () => {
  expect(defaultsOf(at(defs, 'retry'))).toEqual(DEFAULT_RETRY);
});

it('documents the resilience defaults the loader applies', () => {
  const { rateLimit, breaker, ...scalars } = DEFAULT_RESILIENCE;
  expect(defaultsOf(at(defs, 'resilience'))).toEqual(scalars);
  expect(defaultsOf(at(defs, 'resilience', 'properties', 'rateLimit'))).toEqual(rateLimit);
  expect(defaultsOf(at(defs, 'resilience', 'properties', 'breaker'))).toEqual(breaker);
});

it('documents the REST defaults the loader applies', () => {
  const rest = at(defs, 'kinds', 'rest', 'properties');
  const { apiKeyHeader, ...adapterDefaults } = REST_ADAPTER_DEFAULTS;
  expect(defaultsOf(at(rest, 'adapter'))).toEqual(adapterDefaults);
  expect(defaultsOf(at(rest, 'services', 'items', 'properties', 'operation'))).toEqual(REST_OPERATION_DEFAULTS);
  expect(at(defs, 'authTypes', 'api-key', 'properties', 'header').default).toBe(apiKeyHeader);
});

it('documents the file-drop defaults the loader applies, its answer cap the one every adapter reads answers with', () => {
  expect(defaultsOf(at(defs, 'kinds', 'file-drop', 'properties', 'adapter'))).toMatchObject(FILE_DROP_ADAPTER_DEFAULTS);
  expect(FILE_DROP_ADAPTER_DEFAULTS.maxAnswerBytes).toBe(MAX_AGENCY_ANSWER_BYTES);
});
