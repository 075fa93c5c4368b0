/**
 * Answers of test apps that break the OpenAPI document, collected by response-contract.ts and
 * reported by response-contract.setup.ts. Jest gives each test file its own module registry, so
 * this list is per file. Kept apart (and import-free) so that the setup costs unit specs nothing.
 */
const violations: string[] = [];
const MAX_RECORDED = 20;

export function recordResponseViolation(violation: string): void {
  if (violations.length < MAX_RECORDED) violations.push(violation);
}

/** The breaches recorded since the last call, emptied. */
export function takeResponseViolations(): string[] {
  return violations.splice(0, violations.length);
}
