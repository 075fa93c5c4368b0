/**
 * The api as production starts it: the NODE_OPTIONS of the kiungo-api container in the prod overlay
 * of deploy/k8s (its V8 heap settings). Every api process the bench starts gets it, so that memory
 * figures are the deployed heap's and CPU figures include its garbage collection; each report
 * prints it beside the RSS.
 */
import path from 'node:path';
import { buildKustomization, containersOf } from '../../test/deploy/kustomize';
import { REPO_ROOT } from './repo';

export const DEPLOYED_API_OVERLAY = 'deploy/k8s/overlays/prod';

/** The NODE_OPTIONS value of the deployed api ('' when it sets none). */
export function deployedApiNodeOptions(): string {
  const resources = buildKustomization(path.join(REPO_ROOT, DEPLOYED_API_OVERLAY));
  const api = resources.find((resource) => resource.kind === 'Deployment' && resource.metadata.name === 'kiungo-api');
  if (!api) throw new Error(`${DEPLOYED_API_OVERLAY} has no Deployment kiungo-api`);
  const env = (containersOf(api)[0]?.env ?? []) as Array<{ name: string; value?: string }>;
  return env.find((variable) => variable.name === 'NODE_OPTIONS')?.value ?? '';
}
