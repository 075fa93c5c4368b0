import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyTable } from './policy-table';

describe("the README's policy table", () => {
  it('is the table generated from the policy (copy the expected text into README.md when the policy changes)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const match = /<!-- policy table:[^\n]*-->\n([\s\S]*?)\n<!-- end of policy table -->/.exec(readme);
    expect(match?.[1]).toBe(policyTable());
  });
});
