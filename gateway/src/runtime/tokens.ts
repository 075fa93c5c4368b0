/**
 * Injection tokens for the parts of the runtime that are not classes. The class-shaped parts
 * (Catalogue, AgencyRegistry, RetryQueue, AuditLog, PersonalDataVault, Clock) are their own tokens.
 */

/** The pg `Pool`: `@Inject(DB_POOL) pool: Pool`. */
export const DB_POOL = Symbol('DB_POOL');
/** `true` on a real PostgreSQL, where hot queries run as named prepared statements; `false` on PGlite. */
export const PREPARED_STATEMENTS = Symbol('PREPARED_STATEMENTS');
/** The process role (`all`, `api`, `worker`). */
export const PROCESS_ROLE = Symbol('PROCESS_ROLE');
/** `() => Promise<void>` pinging Redis, or `null` without REDIS_URL (readiness). */
export const REDIS_PING = Symbol('REDIS_PING');
/** Agency code → endpoint that replaces the agency file's (tests' simulators, the embedded demo). */
export const ENDPOINT_OVERRIDES = Symbol('ENDPOINT_OVERRIDES');
