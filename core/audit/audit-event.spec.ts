import { eventContent, type NewAuditEvent } from './audit-event';
import { canonicalJson } from './canonical-json';

/**
 * eventContent writes the hashed text out by hand, keys in canonical order, for speed. Every event
 * already stored was hashed over canonicalJson of the same fields: if the hand-written text ever
 * drifted from it, new chains would still verify and every stored event would fail. Pinned here.
 */
describe('eventContent', () => {
  const at = new Date('2026-03-03T07:00:00.123Z');
  const events: Array<Partial<NewAuditEvent> & Pick<NewAuditEvent, 'occurredAt'>> = [
    { entityType: 'transaction', entityId: '7f1c2b9e-3a44-4f0e-9b1a-2f6c1d0e8a55', type: 'received', actor: 'officer-otieno', data: { state: 'received', attempt: 1, nested: { z: [1, 'two', null], a: true } }, occurredAt: at },
    { entityType: 'ticket', entityId: 'Ndégé-ñ-✓', type: 'called', actor: 'system:worker', data: undefined, occurredAt: at },
    { entityType: 'erasure', entityId: 'e-1', type: 'personal_data_erased', actor: 'admin "quoted" \\ back', data: { reason: 'line\nbreak\u0001', count: 0.5, big: 1e21 }, occurredAt: at },
    { entityType: undefined, entityId: 'x', type: undefined, actor: undefined, data: {}, occurredAt: at },
  ];

  it.each(events.map((event, i) => [i, event] as const))('is canonicalJson of the same fields (event %i)', (_i, event) => {
    const { entityType, entityId, type, actor, data, occurredAt } = event;
    expect(eventContent(event as NewAuditEvent)).toBe(canonicalJson({ entityType, entityId, type, actor, data, occurredAt: occurredAt.toISOString() }));
  });
});
