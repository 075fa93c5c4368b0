import path from 'node:path';

/** The repository root: commands run from here (the gateway finds contracts/catalogue relative to it). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
