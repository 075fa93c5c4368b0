/**
 * Transaction ids of the 200 answers, collected in the load generator's onResponse, then checked
 * against the database: a 200 says "the agency answered", so its row must be `completed`.
 */
import { total, transactionsByState } from './database';
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
