import { POLICY, type Action, type JobRole, type Reach } from './policy';
import { ROLES } from './roles';

const REACH_TEXT: Record<Reach, string> = {
  anywhere: 'all',
  'own-centre': 'own centre',
  'named-centre': 'own centre if named',
  'own-agency': 'own agency',
  'own-doing': 'own',
};

/**
 * The policy as a Markdown table (action × role → scope, blank = refused), for the README. The
 * README's copy is checked against this by a spec, so it cannot drift from what is enforced.
 */
export function policyTable(): string {
  const roles = ROLES.filter((role): role is JobRole => role !== 'personal-data');
  const lines = [`| action | ${roles.join(' | ')} | unmasked with \`personal-data\` |`, `|---|${roles.map(() => '---|').join('')}---|`];
  for (const [action, policy] of Object.entries(POLICY) as [Action, (typeof POLICY)[Action]][]) {
    const cells = roles.map((role) => {
      const reach = (policy.roles as Partial<Record<JobRole, Reach | readonly Reach[]>>)[role];
      if (reach === undefined) return '';
      return ([] as Reach[]).concat(reach as Reach | Reach[]).map((r) => REACH_TEXT[r]).join(', ');
    });
    const personal = 'revealsPersonalData' in policy && policy.revealsPersonalData ? 'yes, audited' : '';
    const unnarrowable: readonly string[] = 'unnarrowable' in policy ? policy.unnarrowable : [];
    const refusal = unnarrowable.length > 0 ? ` (refused to a caller bound to one ${unnarrowable.join(' or ')})` : '';
    lines.push(`| \`${action}\`: ${policy.summary}${refusal} | ${cells.join(' | ')} | ${personal} |`);
  }
  return lines.join('\n');
}
