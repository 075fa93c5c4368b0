/**
 * Whole requests for one documented route: path parameters, query string, headers, token and
 * body, each either plausible (values that exist, bodies from the schema) or hostile.
 */
import fc from 'fast-check';
import { ROLES, type Role } from '../../core/authorization/roles';
import {
  deepNestingText,
  headerSafe,
  hostileIdempotencyKey,
  hostileJson,
  hostileString,
  invalidUtf8Body,
  notJsonText,
  percentEncode,
  rawPathSegment,
} from './hostile.arbitraries';
import { printable, type FuzzRequest } from './http-probe';
import { describeRoute, fillPath, type FuzzRoute, type JsonSchemaNode } from './openapi-routes';
import { mutatedFrom, type KnownValues } from './schema.arbitrary';

export interface RequestContext {
  tokens: Record<Role, string>;
  expiredToken: string;
  known: KnownValues;
  /** A better schema than the OpenAPI one for some bodies (the contract schemas). */
  bodySchema?: JsonSchemaNode;
  /** Bias towards schema-drawn bodies, and within them towards unbroken ones (default 1: mostly hostile). */
  schemaBias?: number;
}

/** Query parameter names the list endpoints read, plus a few that should be ignored or refused. */
const QUERY_NAMES = ['state', 'limit', 'cursor', 'agency', 'service', 'reason', 'format', 'date', 'from', 'to', 'citizen', '__proto__', 'constructor', 'a[b]', ''];
const RAW_QUERIES = ['?', '?&&', '?=', '?a=%', '?a=%zz', '?%E0%A4%A=1', '?__proto__[polluted]=1', '?constructor[prototype][x]=1', '?limit=1e309', '?limit=-0', '?limit=0x10', '?state[]=parked'];
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', 'application/jsonx', ''];
const GARBAGE_AUTH = ['Bearer', 'Bearer ', 'Bearer x.y.z', 'Basic YWRtaW46YWRtaW4=', 'bearer eyJhbGciOiJub25lIn0.e30.', `Bearer ${'a'.repeat(8000)}`, 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.x'];

const UNIT_VALUE = fc.oneof(
  { weight: 3, arbitrary: hostileString({ huge: false }).map(percentEncode) },
  { weight: 1, arbitrary: rawPathSegment },
  { weight: 1, arbitrary: fc.constant('x'.repeat(300)) },
);

export function requestFor(route: FuzzRoute, context: RequestContext): fc.Arbitrary<FuzzRequest> {
  const pathArb = fc.tuple(...route.pathParams.map((name) => segmentFor(name, context.known))).map((segments) =>
    fillPath(route, Object.fromEntries(route.pathParams.map((name, i) => [name, segments[i]]))),
  );
  return fc
    .record({ path: route.pathParams.length > 0 ? pathArb : fc.constant(route.template), query: queryFor(route, context.known), auth: authFor(route, context), body: bodyFor(route, context), headers: extraHeaders(route) })
    .map(({ path, query, auth, body, headers }) => {
      const all: Record<string, string> = { ...headers, ...auth.header };
      if (body.contentType !== undefined) all['content-type'] = body.contentType;
      return printable({ route: describeRoute(route), method: route.method, target: `${path}${query}`, headers: all, body: body.bytes, bodyKind: body.kind, auth: auth.label });
    });
}

function segmentFor(name: string, known: KnownValues): fc.Arbitrary<string> {
  const values = (known[name] ?? []).map(String);
  return values.length > 0 ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...values).map(percentEncode) }, { weight: 3, arbitrary: UNIT_VALUE }) : UNIT_VALUE;
}

function queryFor(route: FuzzRoute, known: KnownValues): fc.Arbitrary<string> {
  const documented = route.queryParams.map((param) => {
    const values = (known[param.name] ?? []).map(String);
    const value = fc.oneof(
      { weight: values.length > 0 ? 3 : 0, arbitrary: values.length > 0 ? fc.constantFrom(...values) : fc.constant('') },
      { weight: 2, arbitrary: hostileString({ huge: false }) },
    );
    // Sometimes left out (required or not), sometimes given twice (an array to the handler).
    return fc.oneof(
      { weight: 4, arbitrary: value.map((v) => [[param.name, v]]) },
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.tuple(value, value).map(([a, b]) => [[param.name, a], [param.name, b]]) },
    );
  });
  const extra = fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), hostileString({ huge: false })), { maxLength: 3 });
  const built = fc.tuple(fc.tuple(...documented), extra).map(([pairs, more]) => {
    const all = [...pairs.flat(), ...more] as [string, string][];
    return all.length === 0 ? '' : `?${all.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`;
  });
  return fc.oneof({ weight: 6, arbitrary: built }, { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES) });
}

function authFor(route: FuzzRoute, context: RequestContext): fc.Arbitrary<{ header: Record<string, string>; label: string }> {
  const bearer = (token: string, label: string) => ({ header: { authorization: `Bearer ${token}` }, label });
  const allowed = route.roles.length > 0 ? route.roles : [...ROLES];
  const others = ROLES.filter((role) => !allowed.includes(role) && role !== 'personal-data');
  const choices: fc.WeightedArbitrary<{ header: Record<string, string>; label: string }>[] = [
    { weight: route.isPublic ? 1 : 8, arbitrary: fc.constantFrom(...allowed).map((role) => bearer(context.tokens[role], `role:${role}`)) },
    { weight: route.isPublic ? 6 : 1, arbitrary: fc.constant({ header: {}, label: 'none' }) },
    { weight: 1, arbitrary: fc.constantFrom(...GARBAGE_AUTH).map((value) => ({ header: { authorization: value }, label: 'garbage' })) },
    { weight: 1, arbitrary: fc.constant(bearer(context.expiredToken, 'expired')) },
  ];
  if (others.length > 0) choices.push({ weight: 1, arbitrary: fc.constantFrom(...others).map((role) => bearer(context.tokens[role], `wrong-role:${role}`)) });
  return fc.oneof(...choices);
}

interface BodyChoice {
  kind: string;
  bytes?: Buffer;
  contentType?: string;
}

const JSON_TYPE = 'application/json';

function bodyFor(route: FuzzRoute, context: RequestContext): fc.Arbitrary<BodyChoice> {
  const schema = context.bodySchema ?? route.bodySchema;
  const bias = context.schemaBias ?? 1;
  const json = (kind: string) => (value: unknown): BodyChoice => ({ kind, bytes: Buffer.from(JSON.stringify(value) ?? 'null'), contentType: JSON_TYPE });
  if (route.method === 'GET' || route.method === 'DELETE') {
    return fc.oneof({ weight: 9, arbitrary: fc.constant<BodyChoice>({ kind: 'none' }) }, { weight: 1, arbitrary: hostileJson.map(json('json-on-get')) });
  }
  return fc.oneof(
    { weight: schema ? 6 * bias : 0, arbitrary: schema ? mutatedFrom(schema, context.known, bias).map(json('schema')) : fc.constant<BodyChoice>({ kind: 'none' }) },
    { weight: 3, arbitrary: hostileJson.map(json('hostile-json')) },
    { weight: 1, arbitrary: fc.constant<BodyChoice>({ kind: 'none' }) },
    { weight: 1, arbitrary: deepNestingText.map((text) => ({ kind: 'deep-nesting', bytes: Buffer.from(text), contentType: JSON_TYPE })) },
    { weight: 1, arbitrary: invalidUtf8Body.map((bytes) => ({ kind: 'invalid-utf8', bytes, contentType: JSON_TYPE })) },
    { weight: 1, arbitrary: notJsonText.map((text) => ({ kind: 'not-json', bytes: Buffer.from(text), contentType: JSON_TYPE })) },
    { weight: 1, arbitrary: hostileString().map(json('huge-or-odd-string')) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES), hostileJson)
        .map(([contentType, value]) => ({ kind: 'other-media-type', bytes: Buffer.from(JSON.stringify(value) ?? ''), contentType })),
    },
  );
}

/** Idempotency-Key (documented or not), correlation headers and Accept, valid or hostile. */
function extraHeaders(route: FuzzRoute): fc.Arbitrary<Record<string, string>> {
  const wantsKey = route.headerParams.some((header) => header.name.toLowerCase() === 'idempotency-key') || route.method === 'POST';
  const key = wantsKey ? fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 2, arbitrary: hostileIdempotencyKey }) : fc.constant(undefined);
  const odd = fc.option(hostileString({ huge: false }).map(headerSafe), { nil: undefined });
  return fc.record({ key, correlation: odd, traceparent: odd, accept: fc.option(fc.constantFrom('text/csv', 'application/xml', '*/*', 'text/html', ''), { nil: undefined }) }).map(({ key: k, correlation, traceparent, accept }) => {
    const headers: Record<string, string> = {};
    if (k !== undefined) headers['idempotency-key'] = k;
    if (correlation !== undefined) headers['x-correlation-id'] = correlation;
    if (traceparent !== undefined) headers.traceparent = traceparent;
    if (accept !== undefined) headers.accept = accept;
    return headers;
  });
}
