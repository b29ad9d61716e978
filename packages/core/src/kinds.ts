/**
 * The Kubernetes kinds this library reads and writes: their apiVersions, REST plurals and
 * scope. Adapters use the table to build request paths; the fake uses it to know which kinds
 * are cluster-scoped.
 */

export const CONTROL_PLANE_API_VERSION = 'controlplane.cluster.x-k8s.io/v1beta1';
export const WORKSPACE_TEMPLATE_APPLY_API_VERSION = 'infrastructure.cluster.x-k8s.io/v1beta1';
/** Cluster API's group. */
export const CLUSTER_GROUP = 'cluster.x-k8s.io';
/** The Cluster API versions the library reads and writes a Cluster at, oldest first. */
export const CLUSTER_API_VERSIONS = ['cluster.x-k8s.io/v1beta1', 'cluster.x-k8s.io/v1beta2'] as const;
/** Crossplane provider-terraform's cluster-scoped Workspace. */
export const CLUSTER_SCOPED_WORKSPACE_API_VERSION = 'tf.upbound.io/v1beta1';
/** Crossplane v2's namespaced Workspace. */
export const NAMESPACED_WORKSPACE_API_VERSION = 'tf.m.upbound.io/v1beta1';
export const WORKSPACE_API_VERSIONS = [CLUSTER_SCOPED_WORKSPACE_API_VERSION, NAMESPACED_WORKSPACE_API_VERSION] as const;
export type WorkspaceApiVersion = (typeof WORKSPACE_API_VERSIONS)[number];

export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const info = (apiVersion: string, kind: string, plural: string, namespaced: boolean): ResourceInfo => {
  const slash = apiVersion.indexOf('/');
  return {
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    kind,
    plural,
    namespaced,
  };
};

/** Every resource the library touches, keyed by `apiVersion/kind`. */
export const KNOWN_RESOURCES: readonly ResourceInfo[] = [
  info(CONTROL_PLANE_API_VERSION, 'CAPTControlPlane', 'captcontrolplanes', true),
  info(WORKSPACE_TEMPLATE_APPLY_API_VERSION, 'WorkspaceTemplateApply', 'workspacetemplateapplies', true),
  info(CLUSTER_SCOPED_WORKSPACE_API_VERSION, 'Workspace', 'workspaces', false),
  info(NAMESPACED_WORKSPACE_API_VERSION, 'Workspace', 'workspaces', true),
  info('v1', 'Secret', 'secrets', true),
  info('v1', 'Event', 'events', true),
  info('events.k8s.io/v1', 'Event', 'events', true),
  info('cluster.x-k8s.io/v1beta1', 'Cluster', 'clusters', true),
  info('cluster.x-k8s.io/v1beta2', 'Cluster', 'clusters', true),
];

const byKey = new Map(KNOWN_RESOURCES.map((r) => [`${r.group ? `${r.group}/` : ''}${r.version}/${r.kind}`, r]));

/**
 * The resource for an apiVersion and kind, or undefined when the library does not know it.
 * @example
 * ```ts
 * import { resourceFor } from '@capt-endpoint/core';
 *
 * resourceFor('tf.upbound.io/v1beta1', 'Workspace')?.namespaced; // false
 * resourceFor('tf.m.upbound.io/v1beta1', 'Workspace')?.plural; // 'workspaces'
 * ```
 */
export const resourceFor = (apiVersion: string, kind: string): ResourceInfo | undefined =>
  byKey.get(`${apiVersion}/${kind}`);

/** The group of an apiVersion (`''` for the core group). */
export const groupOf = (apiVersion: string): string => {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
};
