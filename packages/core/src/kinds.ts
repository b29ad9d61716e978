/**
 * The Kubernetes kinds this library reads and writes: their apiVersions, REST plurals and
 * scope. Adapters use the table to build request paths; the fake uses it to know which kinds
 * are cluster-scoped.
 */
import { isRecord } from './jsonObject';

export const CONTROL_PLANE_API_VERSION = 'controlplane.cluster.x-k8s.io/v1beta1';
export const WORKSPACE_TEMPLATE_APPLY_API_VERSION = 'infrastructure.cluster.x-k8s.io/v1beta1';
/** Cluster API's group. */
export const CLUSTER_GROUP = 'cluster.x-k8s.io';
/** The Cluster API versions the library reads and writes a Cluster at, oldest first. */
export const CLUSTER_API_VERSIONS = ['cluster.x-k8s.io/v1beta1', 'cluster.x-k8s.io/v1beta2'] as const;

/**
 * A Cluster's spec as Cluster API's conversion gives it at `apiVersion`, for the one field the
 * library reads: an unset endpoint is `{host: "", port: 0}` at v1beta1 and absent at v1beta2.
 * Every other field is kept as it is. Returns `spec` itself when nothing changes; the parts it
 * makes are new and not frozen.
 * @example
 * ```ts
 * import { clusterSpecAt } from '@capt-endpoint/core/adapter';
 *
 * clusterSpecAt({ controlPlaneEndpoint: { host: '', port: 0 } }, 'cluster.x-k8s.io/v1beta2'); // {}
 * clusterSpecAt({}, 'cluster.x-k8s.io/v1beta1'); // { controlPlaneEndpoint: { host: '', port: 0 } }
 * ```
 */
export const clusterSpecAt = (spec: Readonly<Record<string, unknown>>, apiVersion: string): Readonly<Record<string, unknown>> => {
  const endpoint = spec['controlPlaneEndpoint'];
  if (apiVersion === CLUSTER_API_VERSIONS[1] && isRecord(endpoint) && !endpoint['host'] && !endpoint['port']) {
    const { controlPlaneEndpoint: _, ...rest } = spec;
    return rest;
  }
  if (apiVersion === CLUSTER_API_VERSIONS[0] && (endpoint === undefined || (isRecord(endpoint) && !('host' in endpoint && 'port' in endpoint))))
    return { ...spec, controlPlaneEndpoint: { host: '', port: 0, ...endpoint } };
  return spec;
};

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

/** By apiVersion, then kind: a lookup builds no key string (the fake API server asks on every request). */
const byApiVersion = new Map<string, Map<string, ResourceInfo>>();
for (const r of KNOWN_RESOURCES) {
  const apiVersion = `${r.group ? `${r.group}/` : ''}${r.version}`;
  const kinds = byApiVersion.get(apiVersion) ?? new Map<string, ResourceInfo>();
  byApiVersion.set(apiVersion, kinds.set(r.kind, r));
}

/**
 * The resource for an apiVersion and kind, or undefined when the library does not know it.
 * @example
 * ```ts
 * import { resourceFor } from '@capt-endpoint/core/adapter';
 *
 * resourceFor('tf.upbound.io/v1beta1', 'Workspace')?.namespaced; // false
 * resourceFor('tf.m.upbound.io/v1beta1', 'Workspace')?.plural; // 'workspaces'
 * ```
 */
export const resourceFor = (apiVersion: string, kind: string): ResourceInfo | undefined => byApiVersion.get(apiVersion)?.get(kind);

/**
 * The group of an apiVersion (`''` for the core group's `v1`). An object is stored once and
 * served at every version of its group, so group, kind, namespace and name identify it.
 * @example
 * ```ts
 * import { groupOf } from '@capt-endpoint/core/adapter';
 *
 * groupOf('cluster.x-k8s.io/v1beta2'); // 'cluster.x-k8s.io'
 * groupOf('v1'); // ''
 * ```
 */
export const groupOf = (apiVersion: string): string => {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
};
