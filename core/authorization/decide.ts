import { DomainError } from '../shared/errors';
import { BINDINGS, POLICY, type Action, type ActionPolicy, type Dimension, type JobRole, type Reach } from './policy';
import { isRole } from './roles';

/** Who is acting, as the gateway established it from a verified token (the Principal fits). */
export interface Actor {
  /** The token's subject: a person or a service account. */
  subject: string;
  roles: readonly string[];
  /** The centre the token names (`centre` claim). */
  centre?: string;
  /** The agency the token names (`agency` claim). */
  agency?: string;
  /** The OAuth client the token was issued to (`azp`): which application calls. */
  client?: string;
}

/** How far an allowed action reaches; an absent dimension is not confined. */
export interface Scope {
  centre?: string;
  agency?: string;
  /** Only what this subject created (submitted, opened). */
  creator?: string;
  /** National ID and phone numbers shown unmasked (and every such read audited). */
  personalData: boolean;
}

/**
 * The facts of one resource the policy needs: where it belongs and who created it. A fact left
 * undefined is not checked (yet): a use case checks the centre in the path before it reads the
 * session whose creator it then checks. null means the resource belongs to none (no centre).
 */
export interface ResourceFacts {
  centre?: string | null;
  agency?: string | null;
  creator?: string | null;
}

export type Decision =
  | { allowed: true; scope: Scope }
  | { allowed: false; code: string; reason: string; category: 'forbidden' | 'not_found' };

/**
 * The one authorization decision: a pure function of who acts, what they do and, for one
 * resource, its facts. Allowed when one of the caller's roles may do the action; the scope is
 * the intersection of the reach of every such role and of every binding role the caller holds
 * (BINDINGS), so a second role never widens a scope another narrows.
 */
export function decide(actor: Actor, action: Action, facts?: ResourceFacts): Decision {
  const decision = decideForActor(actor, action);
  if (!decision.allowed || !facts) return decision;
  const outside = outsideScope(decision.scope, facts);
  if (!outside) return decision;
  return POLICY[action].outOfScope === 'hidden'
    ? deny('not_found', 'not-found', 'No such resource.')
    : deny('forbidden', OUT_OF_SCOPE_CODES[outside], outOfScopeReason(outside, decision.scope));
}

/** The decision without a resource's facts: may the actor do the action at all, and how far does it reach. */
function decideForActor(actor: Actor, action: Action): Decision {
  const policy: ActionPolicy = POLICY[action];
  const roles = actor.roles.filter(isRole);
  const granting = roles.filter((role): role is JobRole => role !== 'personal-data' && policy.roles[role as JobRole] !== undefined);
  if (granting.length === 0) {
    return deny('forbidden', 'insufficient-role', `This operation needs one of the roles: ${rolesFor(action).join(', ')}.`);
  }
  const personalData = policy.revealsPersonalData === true && roles.includes('personal-data');
  if (policy.partitionedBy === 'reference') return { allowed: true, scope: { personalData } };

  const reaches: Reach[] = [];
  for (const role of granting) {
    const reach = policy.roles[role] as Reach | readonly Reach[];
    if (typeof reach === 'string') reaches.push(reach);
    else reaches.push(...reach);
  }
  for (const role of roles) {
    const binding = BINDINGS[role as JobRole];
    if (binding) reaches.push(binding);
  }

  const confined: Partial<Record<Dimension, string>> = {};
  for (const reach of reaches) {
    const narrowed = narrow(confined, reach, actor);
    if (narrowed) return narrowed;
  }
  const scope: Scope = { personalData };
  for (const dimension of DIMENSIONS) {
    if (confined[dimension] === undefined) continue;
    if (policy.partitionedBy.includes(dimension)) {
      scope[dimension] = confined[dimension];
    } else if (policy.unnarrowable?.includes(dimension)) {
      return deny('forbidden', 'scope-too-wide', `Your token confines you to one ${dimension === 'creator' ? 'caller' : dimension}, and this operation cannot be narrowed to it.`);
    } // else the resources have no such dimension
  }
  return { allowed: true, scope };
}

const DIMENSIONS: readonly Dimension[] = ['centre', 'agency', 'creator'];

/** `decide`, throwing the refusal; `hidden` is the use case's own 404 for what the caller may not see. */
export function authorize(actor: Actor, action: Action, facts?: ResourceFacts, hidden?: () => DomainError): Scope {
  const decision = decide(actor, action, facts);
  if (decision.allowed) return decision.scope;
  if (decision.category === 'not_found' && hidden) throw hidden();
  throw new DomainError(decision.category, decision.code, decision.reason);
}

/** Whether a resource with these facts lies inside the scope. */
export function within(scope: Scope, facts: ResourceFacts): boolean {
  return outsideScope(scope, facts) === null;
}

/** The roles that may do an action, in ROLES order (for 403 details and the OpenAPI document). */
export function rolesFor(action: Action): JobRole[] {
  return Object.keys(POLICY[action].roles) as JobRole[];
}

const OUT_OF_SCOPE_CODES: Record<Dimension, string> = { centre: 'wrong-centre', agency: 'wrong-agency', creator: 'not-yours' };

function outOfScopeReason(dimension: Dimension, scope: Scope): string {
  if (dimension === 'centre') return `You act only at your own centre (${scope.centre}).`;
  if (dimension === 'agency') return `You act only for your own agency (${scope.agency}).`;
  return 'You act only on what you created yourself.';
}

function outsideScope(scope: Scope, facts: ResourceFacts): Dimension | null {
  if (scope.centre !== undefined && facts.centre !== undefined && facts.centre !== scope.centre) return 'centre';
  if (scope.agency !== undefined && facts.agency !== undefined && facts.agency !== scope.agency) return 'agency';
  if (scope.creator !== undefined && facts.creator !== undefined && facts.creator !== scope.creator) return 'creator';
  return null;
}

/** Adds one reach to the scope; a refusal when a claim it needs is missing or two reaches exclude each other. */
function narrow(scope: Partial<Record<Dimension, string>>, reach: Reach, actor: Actor): Decision | null {
  switch (reach) {
    case 'anywhere':
      return null;
    case 'own-centre':
      if (!actor.centre) return deny('forbidden', 'no-centre', 'Your token names no centre, and your role acts only at its own centre.');
      return confine(scope, 'centre', actor.centre);
    case 'named-centre':
      return actor.centre ? confine(scope, 'centre', actor.centre) : null;
    case 'own-agency':
      if (!actor.agency) return deny('forbidden', 'agency-not-named', 'Your agency token names no agency.');
      return confine(scope, 'agency', actor.agency);
    case 'own-doing':
      return confine(scope, 'creator', actor.subject);
  }
}

function confine(scope: Partial<Record<Dimension, string>>, dimension: Dimension, value: string): Decision | null {
  if (scope[dimension] !== undefined && scope[dimension] !== value) {
    return deny('forbidden', 'scopes-disjoint', `Your roles confine you to two different ${dimension === 'creator' ? 'callers' : `${dimension}s`}.`);
  }
  scope[dimension] = value;
  return null;
}

function deny(category: 'forbidden' | 'not_found', code: string, reason: string): Decision {
  return { allowed: false, category, code, reason };
}

/** The officer an action is recorded under: the caller itself when it holds `officer`, never someone it names. */
export function officerOf(actor: Actor): string | null {
  return actor.roles.includes('officer') ? actor.subject : null;
}
