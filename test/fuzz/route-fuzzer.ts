/**
 * Runs one fast-check property per route: generated request in, invariants checked on the
 * response, and for every rejected request (4xx) the stored row counts compared before and
 * after. Requests go one at a time, so that a count that moved belongs to that request.
 */
import fc from 'fast-check';
import { fuzzParameters, replayHint } from './fuzz.config';
import type { FuzzWorld, StoredCounts } from './fuzz-world';
import { send, type FuzzRequest } from './http-probe';
import { failure, responseViolations } from './invariants';
import { describeRoute, type FuzzRoute } from './openapi-routes';
import { requestFor, type RequestContext } from './request.arbitrary';

export interface RouteFuzzResult {
  route: string;
  runs: number;
  /** Status → how many responses had it. */
  statuses: Record<number, number>;
  /** The fast-check report (seed, shrunk counterexample, broken invariants), when a run failed. */
  failure?: string;
}

export async function fuzzRoute(world: FuzzWorld, route: FuzzRoute, options: { label?: string; runsFactor?: number; context?: Partial<RequestContext> } = {}): Promise<RouteFuzzResult> {
  const label = options.label ?? describeRoute(route);
  const context: RequestContext = { tokens: world.tokens, expiredToken: world.expiredToken, known: world.known, ...options.context };
  const statuses: Record<number, number> = {};
  let runs = 0;
  const property = fc.asyncProperty(requestFor(route, context), async (request) => {
    runs += 1;
    const before = await world.counts();
    const response = await send(world.app.url, request);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    const broken = [...responseViolations(request, response), ...authViolations(route, request, response.status)];
    if (response.status >= 400) broken.push(...storedChanges(before, await world.counts()));
    if (broken.length > 0) throw failure(request, response, broken);
  });
  try {
    await fc.assert(property, fuzzParameters(label, options.runsFactor));
    return { route: label, runs, statuses };
  } catch (error) {
    return { route: label, runs, statuses, failure: `${replayHint(label)}\n${error instanceof Error ? error.message : String(error)}` };
  }
}

/** A request without a valid token never succeeds, and is never told 403 (that is for valid tokens). */
function authViolations(route: FuzzRoute, request: FuzzRequest, status: number): string[] {
  if (route.isPublic) return [];
  const unauthenticated = request.auth === 'none' || request.auth === 'garbage' || request.auth === 'expired';
  if (unauthenticated && status < 400) return [`succeeded (${status}) without a valid token`];
  if (unauthenticated && status === 403) return ['answered 403 to a missing or invalid token (401 is due)'];
  if (request.auth.startsWith('wrong-role') && status < 400) return [`succeeded (${status}) for a role the route does not allow`];
  return [];
}

function storedChanges(before: StoredCounts, after: StoredCounts): string[] {
  const changed = Object.keys(before).filter((table) => before[table] !== after[table]);
  return changed.length === 0 ? [] : [`stored rows for a rejected request (${changed.map((t) => `${t}: ${before[t]} → ${after[t]}`).join(', ')})`];
}
