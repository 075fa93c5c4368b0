import type { TransactionEnvelope } from '../../contracts/src/message.types';
import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '../factories/database';
import type { TestApp } from '../factories/app';

export function nrbEnvelope(overrides: { idNumber?: string; fullName?: string } = {}): TransactionEnvelope {
  return {
    service: 'id-card-replacement',
    channel: 'counter',
    centre: 'NRB-GPO',
    citizen: { idNumber: '12345678', phone: '+254712345678' },
    payload: {
      idNumber: overrides.idNumber ?? '12345678',
      fullName: overrides.fullName ?? 'Wanjiku Kamau',
      dateOfBirth: '1990-04-12',
      placeOfLoss: 'Kencom bus stop, Nairobi',
      policeAbstractNumber: 'OB/23/14/03/2025',
      collectionCentre: 'NRB-GPO',
    },
  };
}

export function submit(app: TestApp, token: string | undefined, body: unknown, idempotencyKey: string = randomUUID()): Promise<Response> {
  return fetch(`${app.url}/v1/transactions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body read by tests
export async function getTransaction(app: TestApp, token: string, id: string): Promise<any> {
  const response = await fetch(`${app.url}/v1/transactions/${id}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET transaction ${id}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function countRows(db: TestDatabase, table: 'transactions' | 'audit_events' | 'idempotency_keys'): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}

/** A response body as tests read it: JSON of a shape the assertions check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body read by tests
export type JsonBody = any;

export async function json(response: Response): Promise<JsonBody> {
  return response.json();
}
