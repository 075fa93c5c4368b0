import * as path from 'node:path';

/** One thing wrong with the catalogue, located precisely enough to fix without searching. */
export interface CatalogueProblem {
  /** The file at fault, relative to the working directory when it lies inside it. */
  file: string;
  /** JSON pointer into that file; absent when the problem is the file itself (missing, not JSON). */
  pointer?: string;
  message: string;
}

/** The catalogue cannot be loaded. Thrown once, at boot, with every problem found. */
export class CatalogueError extends Error {
  constructor(readonly problems: readonly CatalogueProblem[]) {
    super(renderProblems(problems));
    this.name = 'CatalogueError';
  }
}

/** A service code that is not in the catalogue reached a place where only catalogue codes can arrive. */
export class UnknownServiceError extends Error {
  constructor(readonly serviceCode: string) {
    super(`unknown service "${serviceCode}": not in the catalogue`);
    this.name = 'UnknownServiceError';
  }
}

export function renderProblem(problem: CatalogueProblem): string {
  if (problem.pointer === undefined) return `${problem.file}: ${problem.message}`;
  return `${problem.file}: ${problem.pointer === '' ? '(root)' : problem.pointer} ${problem.message}`;
}

function renderProblems(problems: readonly CatalogueProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [`Invalid service catalogue (${count}):`, ...problems.map(renderProblem)].join('\n');
}

/** Paths in messages: relative to the working directory so they can be clicked, absolute when outside it. */
export function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}
