/**
 * What must hold for every response, whatever was sent. `responseViolations` returns the broken
 * invariants as sentences (empty when all hold); the spec turns them into one failure message.
 */
import { describeRequest, preview, type FuzzRequest, type FuzzResponse } from './http-probe';
import { NATIONAL_ID_LIKE } from './hostile.arbitraries';
import { ROUTE_TIME_BUDGET_MS } from './fuzz.config';

/** `    at Foo (/work/main/x.ts:1:2)` or a bare path with a line number: a stack trace. */
const STACK_TRACE = /(\bat\s+\S*\s*\(?(\/|[A-Za-z]:\\|node:|file:)[^\s)]*:\d+)|(\/[\w.-]+)+\.(ts|js|cjs|mjs):\d+/;
/** What PostgreSQL and the pg driver say when SQL fails; none of it belongs in an answer. */
const DATABASE_ERROR = /syntax error at or near|relation "[^"]*"|column "[^"]*"|violates (unique|foreign key|check|not-null) constraint|duplicate key value|invalid input syntax for|SQLSTATE|\bpg_[a-z_]+\b|current transaction is aborted|out of range for type/i;
/** SQL statements: in an answer only if the caller sent them (echoed input is not a leak of our SQL). */
const SQL_STATEMENT = /\b(SELECT\s+[\w*,\s"]+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|ON\s+CONFLICT)\b/i;

interface ProblemShape {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
}

export function responseViolations(request: FuzzRequest, response: FuzzResponse): string[] {
  const broken: string[] = [];
  if (response.status >= 500 || response.status < 100) broken.push(`answered ${response.status}: a server error for caller input`);
  if (response.elapsedMs > ROUTE_TIME_BUDGET_MS) broken.push(`took ${Math.round(response.elapsedMs)} ms, over the ${ROUTE_TIME_BUDGET_MS} ms budget`);
  if (response.status >= 400) broken.push(...problemViolations(response));
  broken.push(...leakViolations(request, response));
  return broken;
}

function problemViolations(response: FuzzResponse): string[] {
  const contentType = String(response.headers['content-type'] ?? '');
  if (!contentType.startsWith('application/problem+json')) return [`${response.status} with content-type ${JSON.stringify(contentType)}, not application/problem+json`];
  let body: ProblemShape;
  try {
    body = JSON.parse(response.text) as ProblemShape;
  } catch {
    return ['problem body is not JSON'];
  }
  const broken: string[] = [];
  if (typeof body !== 'object' || body === null) return ['problem body is not an object'];
  if (typeof body.type !== 'string' || !/^https?:\/\//.test(body.type)) broken.push('problem has no `type` URI');
  if (typeof body.title !== 'string' || body.title === '') broken.push('problem has no `title`');
  if (typeof body.detail !== 'string' || body.detail === '') broken.push('problem has no `detail`');
  if (body.status !== response.status) broken.push(`problem \`status\` ${JSON.stringify(body.status)} differs from the HTTP status ${response.status}`);
  return broken;
}

function leakViolations(request: FuzzRequest, response: FuzzResponse): string[] {
  // Successful reads may carry (masked) data the caller asked for; only errors are checked for leaks.
  if (response.status < 400) return [];
  const text = withoutEchoedFields(response.text);
  const sent = `${request.target}\n${Object.values(request.headers).join('\n')}\n${request.body?.toString('utf8') ?? ''}`;
  const broken: string[] = [];
  // Only digits the caller sent: a byte limit of 1048576 in a 413 is not anybody's ID.
  const ids = (text.match(NATIONAL_ID_LIKE) ?? []).filter((digits) => sent.includes(digits));
  if (ids.length > 0) broken.push(`echoes a national-ID-like value (${ids.slice(0, 3).join(', ')})`);
  const stack = STACK_TRACE.exec(text);
  if (stack) broken.push(`shows a stack trace or source path (${preview(stack[0])})`);
  const database = DATABASE_ERROR.exec(text);
  if (database && !sent.toLowerCase().includes(database[0].toLowerCase())) broken.push(`shows a database error (${preview(database[0])})`);
  const sql = SQL_STATEMENT.exec(text);
  if (sql && !sent.toLowerCase().includes(sql[0].toLowerCase())) broken.push(`shows SQL (${preview(sql[0])})`);
  return broken;
}

/** The correlation id is ours (a caller's, or a UUID), not checked; everything else in the body is, `instance` included. */
function withoutEchoedFields(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body === 'object' && body !== null) {
      const { correlationId: _correlationId, ...rest } = body;
      return JSON.stringify(rest);
    }
  } catch {
    // Not JSON: checked as it is.
  }
  return text;
}

/** One failure message for fast-check to show: what was sent, what came back, what broke. */
export function failure(request: FuzzRequest, response: FuzzResponse, broken: string[]): Error {
  return new Error(
    `${broken.join('; ')}\n  request:  ${describeRequest(request)}\n  response: ${response.status} ${preview(response.text)}`,
  );
}
