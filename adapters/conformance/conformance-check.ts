/**
 * The conformance kit (`npm run adapter:check -- <agency-folder> [--live]`): what an agency IT
 * team runs against its own sandbox before go-live, and CI runs against the simulators.
 */
import { displayPath, renderProblem, type CatalogueProblem } from '../../contracts/src/catalogue-error';
import { runFixturesLive, type FixtureRun, type LiveOptions } from './live-check';
import { checkAgencyFolderStatically } from './static-check';

export interface ConformanceOptions extends LiveOptions {
  /** Also run the ok request fixtures through the real adapter against the agency. */
  live?: boolean;
}

export interface ConformanceReport {
  folder: string;
  agencyCode?: string;
  kind?: string;
  /** Problems of the agency file, its schemas and its fixtures. */
  problems: CatalogueProblem[];
  /** One per ok request fixture, with --live. */
  runs: FixtureRun[];
  passed: boolean;
}

export async function checkAgency(agencyFolder: string, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const { agency, catalogue, problems } = checkAgencyFolderStatically(agencyFolder);
  const runs = options.live && agency && catalogue && problems.length === 0 ? await runFixturesLive(agency, catalogue, options) : [];
  return {
    folder: displayPath(agency?.folder ?? agencyFolder),
    agencyCode: agency?.code,
    kind: agency?.adapter.kind,
    problems,
    runs,
    passed: problems.length === 0 && runs.every((run) => run.passed),
  };
}

export function renderReport(report: ConformanceReport, live: boolean): string {
  const lines = [`Agency folder ${report.folder}${report.agencyCode ? `: ${report.agencyCode} (${report.kind})` : ''}`];
  if (report.problems.length > 0) {
    lines.push(`✗ ${report.problems.length} problem(s) in the agency file, schemas or fixtures:`);
    for (const problem of report.problems) lines.push(`  ${renderProblem(problem)}`);
  } else {
    lines.push('✓ agency file, schemas and fixtures are valid');
  }
  if (live && report.problems.length > 0) lines.push('  (live run skipped: fix the problems above first)');
  if (report.runs.length > 0) lines.push('', ...table(report.runs));
  const failed = report.runs.filter((run) => !run.passed).length;
  lines.push('', report.passed ? `PASS${live ? ` (${report.runs.length} fixture(s) live)` : ''}` : `FAIL${failed ? ` (${failed} of ${report.runs.length} fixture(s) failed live)` : ''}`);
  return lines.join('\n');
}

function table(runs: readonly FixtureRun[]): string[] {
  const rows = [
    ['result', 'service', 'fixture', 'outcome', 'reference', 'ms', 'detail'],
    ...runs.map((run) => [run.passed ? 'pass' : 'FAIL', run.service, run.fixture, run.outcome, run.agencyRef ?? '-', String(run.ms), run.detail]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const render = (row: string[]): string =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : column === 5 ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ');
  return [render(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(render)];
}
