// The permissions deploy/kubernetes grants the controller's ServiceAccount, and the check the
// controller's wire tests run on their traffic: every request they make must be allowed by the
// ClusterRole (any namespace) or by the leader-election Role (its namespace only).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import type { RecordedRequest } from '@capt-endpoint/testing';
import { allows, neededFor } from '../../packages/kubernetes/test/harness';

export const DEPLOY = join(__dirname, '..', 'kubernetes');

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

/** Every document of every YAML file under deploy/kubernetes, with the file it came from. */
export const deployManifests = (): Array<{ readonly file: string; readonly object: Manifest }> =>
  readdirSync(DEPLOY)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .flatMap((file) => (loadAllYaml(readFileSync(join(DEPLOY, file), 'utf8')) as Manifest[]).map((object) => ({ file, object })));

export interface Rule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs: string[];
}

const rulesOf = (kind: 'ClusterRole' | 'Role') =>
  deployManifests()
    .map(({ object }) => object)
    .filter((object) => object.kind === kind)
    .map((object) => ({ namespace: object.metadata.namespace, rules: (object['rules'] as Rule[] | undefined) ?? [] }));

const namespaceOf = (path: string): string | undefined => {
  const parts = path.split('/').filter(Boolean);
  const at = parts.indexOf('namespaces');
  return at >= 0 && at <= 3 ? decodeURIComponent(parts[at + 1] ?? '') : undefined;
};

/** The requests (as `VERB group/resource path`) that the deployed roles do not allow. */
export const deniedByDeploy = (requests: readonly RecordedRequest[]): string[] => {
  const cluster = rulesOf('ClusterRole').flatMap((role) => role.rules);
  const namespaced = rulesOf('Role');
  return requests.flatMap((request) => {
    const needed = neededFor(request);
    if (needed === undefined) return [`${request.method} ${request.path}`];
    const namespace = namespaceOf(request.path);
    const allowed =
      allows(cluster, needed) || namespaced.some((role) => role.namespace !== undefined && role.namespace === namespace && allows(role.rules, needed));
    return allowed ? [] : [`${needed.verb} ${needed.group}/${needed.resource} ${request.path}`];
  });
};
