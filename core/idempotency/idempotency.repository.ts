export interface StoredResponse {
  route: string;
  requestHash: string;
  status: number;
  body: unknown;
}

/** Remembers the first response given to each (caller, Idempotency-Key). */
export abstract class IdempotencyRepository {
  abstract find(scope: string, key: string): Promise<StoredResponse | null>;
  /**
   * Stores the response unless one is stored already. Null when this one was stored; otherwise
   * the response stored first (by a concurrent request with the same key), which stands.
   */
  abstract remember(scope: string, key: string, response: StoredResponse): Promise<StoredResponse | null>;
}
