import type { ClientBase } from 'pg';
import { chainHash, eventContent, genesisHash, type NewAuditEvent } from './audit-event';
import { chainReport, walkChains } from './chain-walk';

/**
 * walkChains over a stand-in for PostgreSQL that answers its two statements with text written as
 * ROUND_LINES writes it: what the walk makes of a round's text, whatever order its lines come in.
 */
describe('walkChains', () => {
  const events: NewAuditEvent[] = [1, 2, 3, 4].map((n) => ({
    entityType: 'test',
    entityId: n === 2 ? 'with "quote", {brace}\tand tab\nand line' : `entity-${n}`,
    type: 'step',
    actor: n === 3 ? 'NULL' : 'system:test',
    data: { n, nested: { z: 1, a: ['x', 2] } },
    occurredAt: new Date(Date.UTC(2026, 10, 22, 8, 0, 0, n)),
  }));
  let prev = genesisHash(0);
  const stored = events.map((event, i) => {
    const hash = chainHash(prev, i + 1, eventContent(event));
    const row = { seq: i + 1, prevHash: prev, hash, event };
    prev = hash;
    return row;
  });
  // What array_out would quote; then ROUND_LINES writes the columns as json_build_array does instead.
  const quoted = (text: string) => !/^[^\s,{}"\\]+$/.test(text) || text.toUpperCase() === 'NULL';
  const textColumns = (columns: string[]) => (columns.some(quoted) ? `[${columns.map((c) => JSON.stringify(c)).join(', ')}]` : `{${columns.join(',')}}`);
  const lineOf = ({ seq, prevHash, hash, event }: (typeof stored)[number]) =>
    [
      seq,
      prevHash.toString('hex'),
      hash.toString('hex'),
      event.occurredAt.toISOString().replace('T', ' ').replace('Z', '+00'),
      textColumns([event.actor, event.entityId, event.entityType, event.type]),
      JSON.stringify(event.data).replace(/,/g, ', ').replace(/:/g, ': '),
    ].join('\t');
  const database = (lines: string[]): ClientBase =>
    ({
      query: async (statement: string | { text: string }) =>
        typeof statement === 'string'
          ? { rows: [{ shard: 0, seq: String(stored.length), hash: prev }] }
          : { rows: [['1', String(lines.length), String(stored.length), lines.join('\n')]] },
    }) as unknown as ClientBase;

  it('verifies a round whose lines come in chain order, or in any other', async () => {
    const lines = stored.map(lineOf);
    for (const order of [lines, [...lines].reverse(), [lines[2], lines[0], lines[3], lines[1]]]) {
      expect(chainReport(await walkChains(database(order), [0]))).toMatchObject({ ok: true, eventsChecked: 4, breaks: [] });
    }
  });

  it('names an edited event, out of order too, and reads its entity back from the text columns', async () => {
    const lines = stored.map(lineOf);
    lines[1] = lines[1].replace('and tab', 'and TAB');
    const expected = [{ shard: 0, seq: 2, entityType: 'test', entityId: 'with "quote", {brace}\tand TAB\nand line', reason: 'hash_mismatch' }];
    expect((await walkChains(database(lines), [0]))[0].breaks).toEqual(expected);
    expect((await walkChains(database([...lines].reverse()), [0]))[0].breaks).toEqual(expected);
  });
});
