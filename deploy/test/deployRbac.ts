// The permissions deploy/kubernetes grants the controller's ServiceAccount, and the check the
// controller's wire tests run on their traffic: every request they make must be allowed by the
// ClusterRole (any namespace) or by the leader-election Role (its namespace only).
import { join } from 'node:path';
import type { RecordedRequest } from '@capt-endpoint/testing';
import { allows, neededFor } from '../../packages/kubernetes/test/harness';
import { manifestsIn, type Manifest } from './operatorInstall';

export const DEPLOY = join(__dirname, '..', 'kubernetes');

export type { Manifest };

/** Every document of every YAML file in `dir` (deploy/kubernetes by default), with the file it came from. */
export const deployManifests = (dir = DEPLOY): Array<{ readonly file: string; readonly object: Manifest }> => manifestsIn(dir);

export interface Binding extends Manifest {
  readonly roleRef: { readonly kind: string; readonly name: string };
  readonly subjects: ReadonlyArray<{ readonly kind: string; readonly name: string; readonly namespace?: string }>;
}

export interface Rule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs: string[];
}

/**
 * The roles of `kind` that `objects` bind to the controller's ServiceAccount (a ClusterRole
 * through a ClusterRoleBinding, a Role through a RoleBinding in its namespace), with their rules.
 * A role nobody binds to it (the scrapers' metrics reader) grants the controller nothing.
 */
export const boundRoles = (kind: 'ClusterRole' | 'Role', objects: readonly Manifest[] = deployManifests().map(({ object }) => object)) => {
  const bindingKind = kind === 'ClusterRole' ? 'ClusterRoleBinding' : 'RoleBinding';
  const bound = (role: Manifest): boolean =>
    objects.some((object) => {
      if (object.kind !== bindingKind) return false;
      const binding = object as Binding;
      return (
        binding.roleRef.kind === kind &&
        binding.roleRef.name === role.metadata.name &&
        binding.metadata.namespace === role.metadata.namespace &&
        binding.subjects.some((s) => s.kind === 'ServiceAccount' && s.name === 'capt-endpoint' && s.namespace === 'capt-endpoint-system')
      );
    });
  return objects
    .filter((object) => object.kind === kind && bound(object))
    .map((object) => ({ name: object.metadata.name, namespace: object.metadata.namespace, rules: (object['rules'] as Rule[] | undefined) ?? [] }));
};

const rulesOf = (kind: 'ClusterRole' | 'Role') => boundRoles(kind);

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
