import type { Transaction } from './transaction';
import { applicationProgress } from './application-progress';

const tx = (over: Partial<Transaction>): Transaction =>
  ({
    state: 'received',
    agencyRef: null,
    result: null,
    lastError: null,
    manualOutcome: null,
    updatedAt: new Date('2026-03-03T07:00:00Z'),
    ...over,
  }) as Transaction;

describe('applicationProgress', () => {
  const today = '2026-03-10';

  it('puts each lifecycle state in the citizen words', () => {
    expect(applicationProgress(tx({ state: 'received' }), today).status).toBe('received');
    expect(applicationProgress(tx({ state: 'dispatched' }), today).status).toBe('submitted');
    for (const state of ['retrying', 'manual', 'parked'] as const) expect(applicationProgress(tx({ state }), today).status).toBe('waiting-for-agency');
    expect(applicationProgress(tx({ state: 'conflict', agencyRef: 'NRB-1' }), today)).toMatchObject({ status: 'under-review', agencyReference: null });
    expect(applicationProgress(tx({ state: 'cancelled' }), today).status).toBe('cancelled');
  });

  it('gives the agency reference once completed, and ready for collection from the collection date', () => {
    expect(applicationProgress(tx({ state: 'completed', agencyRef: 'NRB-1', result: { collectionDate: '2026-03-11' } }), today)).toEqual({
      status: 'completed',
      agencyReference: 'NRB-1',
      reason: null,
      collectionDate: '2026-03-11',
      updatedAt: '2026-03-03T07:00:00.000Z',
    });
    expect(applicationProgress(tx({ state: 'completed', agencyRef: 'NRB-1', result: { collectionDate: '2026-03-10' } }), today).status).toBe('ready-for-collection');
    const paper = tx({ state: 'completed_manually', manualOutcome: { outcome: 'completed', agencyRef: 'RCPT-42', note: 'Batch 7', by: 'o', at: '' } });
    expect(applicationProgress(paper, today)).toMatchObject({ status: 'completed', agencyReference: 'RCPT-42' });
  });

  it('gives a rejection its code, never its free text', () => {
    const rejected = tx({ state: 'rejected', lastError: { code: 'NOT_ELIGIBLE', reason: 'Wanjiku Kamau, ID 12345678, is not eligible' } });
    expect(applicationProgress(rejected, today)).toMatchObject({ status: 'rejected', reason: 'NOT_ELIGIBLE', agencyReference: null });
    expect(JSON.stringify(applicationProgress(rejected, today))).not.toContain('12345678');
  });
});
