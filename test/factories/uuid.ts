/** Expects `id` to be a UUIDv7 (core/shared/uuid.ts timeOrderedUuid) carrying `at` to the millisecond. */
export function expectTimeOrderedUuidAt(id: string, at: Date): void {
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at.getTime());
}
