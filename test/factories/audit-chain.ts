import { shardOf, type NewAuditEvent } from '../../core/audit/audit-event';

/** An event of the `test` entity type, its data nested (keys out of order) so canonical JSON matters. */
export function testAuditEvent(entityId: string, type: string, n: number): NewAuditEvent {
  return {
    entityType: 'test',
    entityId,
    type,
    actor: 'system:test',
    data: { n, nested: { z: 1, a: ['x', 2] } },
    occurredAt: new Date(Date.UTC(2026, 10, 22, 8, 0, 0, n)),
  };
}

/**
 * `target` (a pool, or a client) whose every query, its own and its clients', awaits `after(text)`
 * once it has returned: a writer doing its work between a reader's statements, or a record of them.
 */
export function afterEachQuery<T extends object>(target: T, after: (text: string) => Promise<void>): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property) as unknown;
      if (property === 'query') {
        return async (...args: [string | { text: string }, ...unknown[]]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(object, args);
          await after(typeof args[0] === 'string' ? args[0] : args[0].text);
          return result;
        };
      }
      if (property === 'connect') return async () => afterEachQuery(await (value as () => Promise<object>).apply(object), after);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
    },
  });
}

/** Entity ids `<prefix>-<n>`, the first found on each of `chains` chains (shardOf), in chain order. */
export function oneEntityPerChain(prefix: string, chains: number): string[] {
  const found = new Map<number, string>();
  for (let n = 0; found.size < chains; n++) {
    const id = `${prefix}-${n}`;
    const chain = shardOf(id, chains);
    if (!found.has(chain)) found.set(chain, id);
  }
  return [...found.entries()].sort(([a], [b]) => a - b).map(([, id]) => id);
}
