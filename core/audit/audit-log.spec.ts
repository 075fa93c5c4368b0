import { AuditLog, fromAnchor, type AnchoredAuditEvent } from './audit-log';
import type { NewAuditEvent } from './audit-event';

/**
 * chainCtes makes the SQL for events whose every value is known once per shape and hands the same
 * text out again, computing only the parameters (issue 13). Those must be exactly the ones the
 * composed SQL numbers, or every later append would hash or store the wrong values.
 */
describe('AuditLog.chainCtes', () => {
  const at = new Date('2026-03-03T07:00:00.123Z');
  const event = (entityId: string, type: string, data: Record<string, unknown>): NewAuditEvent => ({
    entityType: 'transaction',
    entityId,
    type,
    actor: `officer-${type}`,
    data,
    occurredAt: new Date(at.getTime() + type.length),
  });

  it("calls the chain's function through the anchor's row, so that it cannot run for an anchor without one", () => {
    const audit = new AuditLog(16);
    // Every value known: the shard is selected in the anchor's row and handed on from there.
    const plain = audit.chainCtes([event('tx-1', 'received', { a: 1 })], 25, 'inserted').ctes;
    expect(plain).toContain('FROM (SELECT $25::integer AS shard FROM inserted LIMIT 1) s CROSS JOIN LATERAL audit_chain_advance(s.shard, ');
    // The entity from the anchor: the shard is computed from the row's own value.
    const anchored = audit.chainCtes([{ ...event('x', 'called', {}), entityId: fromAnchor('picked.id') }], 1, 'picked').ctes;
    expect(anchored).toMatch(/FROM \(SELECT picked\.id AS v1 FROM picked LIMIT 1\) s CROSS JOIN LATERAL audit_chain_advance\(\(\(\('x' \|\| left\(encode\(sha256\(convert_to\(s\.v1, /);
  });

  it('gives events of one shape the same text, with the parameters it would compose for them', () => {
    const audit = new AuditLog(16);
    const first = audit.chainCtes([event('tx-1', 'received', { a: 1 })], 25, 'inserted');
    const later = [event('tx-2', 'received', { service: 'id-replacement', centre: null }), event('tx-2', 'retrying', { code: 'breaker-open', z: [1, 'two'] })];
    const pair = audit.chainCtes([event('tx-0', 'a', {}), event('tx-0', 'b', { c: true })], 31, 'inserted');
    const again = audit.chainCtes(later, 31, 'inserted');

    expect(again.ctes).toBe(pair.ctes);
    expect(again).toEqual(new AuditLog(16).chainCtes(later, 31, 'inserted'));
    // Another first parameter or anchor is another text.
    expect(first.ctes).not.toBe(audit.chainCtes([event('tx-3', 'received', {})], 1, 'inserted').ctes);
    expect(audit.chainCtes([event('tx-4', 'x', { b: 2 })], 25, 'inserted')).toEqual(new AuditLog(16).chainCtes([event('tx-4', 'x', { b: 2 })], 25, 'inserted'));
  });

  it("pushes the parameters onto the statement's values, numbered after them, as chainCtes gives them", () => {
    const audit = new AuditLog(16);
    const sets: NewAuditEvent[][] = [
      [event('tx-1', 'received', { agency: 'nrb', centre: null })],
      [event('tx-2', 'a', { b: 2, a: 1 }), event('tx-2', 'b', {})],
      [event('tx-3', 'received', { agency: 'kra', centre: 'NBI' })],
    ];
    // Twice each: the first composes the text, the second takes it as made and pushes the values alone.
    for (const events of [...sets, ...sets]) {
      const values: unknown[] = ['$1', '$2', '$3'];
      const ctes = audit.appendChainCtes(events, 'inserted', values);
      const expected = new AuditLog(16).chainCtes(events, 4, 'inserted');
      expect(ctes).toBe(expected.ctes);
      expect(values).toEqual(['$1', '$2', '$3', ...expected.params]);
    }
  });

  it('refuses events of two entities, also for a shape it has made before', () => {
    const audit = new AuditLog(16);
    audit.chainCtes([event('tx-1', 'a', {}), event('tx-1', 'b', {})], 31, 'inserted');
    expect(() => audit.chainCtes([event('tx-2', 'a', {}), event('tx-3', 'b', {})], 31, 'inserted')).toThrow('one entity only');
  });

  it('composes every time for events with values from the anchor', () => {
    const audit = new AuditLog(16);
    const anchored = (holder: string): AnchoredAuditEvent[] => [
      { entityType: 'ticket', entityId: fromAnchor('picked.id'), type: 'called', actor: 'counter', data: { by: fromAnchor(holder) }, occurredAt: at },
    ];
    audit.chainCtes(anchored('picked.counter'), 1, 'picked');
    const other = audit.chainCtes(anchored('picked.officer'), 1, 'picked');
    expect(other.ctes).toContain('picked.officer');
  });
});
