/**
 * Transaction ids of the 200 answers, collected in the load generator's onResponse, then checked
 * against the database: a 200 says "the agency answered", so its row must be `completed`.
 */
import { total, transactionsByState, withClient } from './database';
import type { Check, Figure } from './scenario';

export class AnsweredTransactions {
  readonly ok: string[] = [];
  unreadable = 0;

  /** Pass as `onResponse` (it is bound). */
  readonly record = (status: number, body: string): void => {
    if (status !== 200) return;
    const id = transactionIdOf(body);
    if (id) this.ok.push(id);
    else this.unreadable++;
  };

  /** NRB's id-card-replacement has no business rejection for the bench payload, so 200 = completed. */
  async everyOkCompleted(databaseUrl: string): Promise<Check> {
    const states = await transactionsByState(databaseUrl, { ids: this.ok });
    const completed = states.completed ?? 0;
    return {
      label: 'every 200 response is a completed transaction in the database',
      ok: this.unreadable === 0 && completed === this.ok.length,
      detail: `${this.ok.length} × 200 → rows by state ${JSON.stringify(states)}${this.unreadable ? `, ${this.unreadable} bodies without id` : ''}`,
    };
  }

  /**
   * No attempt since `since` was held back by the gateway's own guards (its rate limit or a full
   * bulkhead, recorded as a `retrying` event with that code): the bench catalogue lifts the rate
   * limits so that what is measured is the gateway's pace, not a configured cap.
   */
  static async shedByOwnGuards(databaseUrl: string, since: Date): Promise<Check> {
    const shed = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ code: string; n: string }>(
        `SELECT data->>'code' AS code, count(*) AS n FROM audit_events
          WHERE entity_type = 'transaction' AND type = 'retrying' AND occurred_at >= $1 AND data->>'code' IN ('rate_limited', 'bulkhead_full')
          GROUP BY 1`,
        [since],
      );
      return Object.fromEntries(rows.map((row) => [row.code, Number(row.n)]));
    });
    return {
      label: "no attempt held back by the gateway's own rate limit or bulkhead",
      ok: total(shed) === 0,
      detail: total(shed) === 0 ? 'none' : `${JSON.stringify(shed)} (retrying events)`,
    };
  }

  /** Rows created since the measurement began, by state (requests cut off at the end included). */
  static async createdSince(databaseUrl: string, since: Date): Promise<Figure> {
    const window = await transactionsByState(databaseUrl, { since });
    return { label: 'rows created in window, by state', value: `${total(window)} ${JSON.stringify(window)}` };
  }
}

/** The transaction id from a POST /v1/transactions response body, or undefined. */
export function transactionIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
