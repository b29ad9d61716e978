/**
 * How the core names and holds Kubernetes objects: a reference, an object as JSON, a merge
 * patch, and the field manager the library writes as. Shared by the client port, the plan
 * and the reconcile, and dependent on none of them.
 */

/** Names an object: apiVersion and kind select the resource; namespace is absent for cluster-scoped kinds. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

/** Any Kubernetes object, as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A JSON merge patch (RFC 7386): `null` removes a field, objects merge, everything else replaces. */
export type MergePatch = { readonly [key: string]: unknown };

/** The fieldManager of the library's writes, unless the caller names another. */
export const DEFAULT_FIELD_MANAGER = 'capt-endpoint';

/**
 * `Kind apiVersion namespace/name`, for messages and logs. Never includes object contents.
 * @example
 * ```ts
 * import { describeRef } from '@capt-endpoint/core';
 *
 * describeRef({ apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'demo-eks-conn' }); // 'Secret team-a/demo-eks-conn'
 * ```
 */
export const describeRef = (ref: ObjectRef): string =>
  `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

/**
 * The object's own reference, read from its apiVersion, kind and metadata.
 * @example
 * ```ts
 * import { refOf, type KubeObject } from '@capt-endpoint/core';
 *
 * const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'demo-eks-conn', namespace: 'team-a' } };
 * refOf(secret); // { apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'demo-eks-conn' }
 * ```
 */
export const refOf = (object: KubeObject): ObjectRef => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  namespace: object.metadata.namespace,
  name: object.metadata.name ?? '',
});
