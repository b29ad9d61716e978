/**
 * A ClusterClient that answers reads from informers (list + watch) for the kinds a reconcile
 * reads, so that a steady-state reconcile makes no API request at all. Reads the cache cannot
 * answer (kind not cached, other namespace, not synced yet, filtered out by a selector) fall
 * through to a GET; writes go to the API and the object it returns updates the cache.
 */
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  CLUSTER_SCOPED_WORKSPACE_API_VERSION,
  CONTROL_PLANE_API_VERSION,
  WORKSPACE_TEMPLATE_APPLY_API_VERSION,
  type ApiError,
  type KubeObject,
  type ObjectRef,
  type WorkspaceApiVersion,
} from '@capt-endpoint/core';
import { createStringPool } from '@capt-endpoint/core/json';
import { createDecodeMemo } from './decodeMemo';
import { createSteadyMemo } from './steadyMemo';
import { DEFAULT_MAX_LIST_PAGES, pageSizeOf, startInformer, type Backoff, type CacheChange, type Informer, type Retry } from './informer';
import { limitOf } from './transport';
import { clientFromParts, clientParts, type KubernetesClient, type KubernetesClientOptions } from './kubernetesClient';

export type { Backoff, CacheChange, ChangeType, Retry } from './informer';

/** The field selector that keeps only Crossplane connection Secrets in the cache. */
export const CONNECTION_SECRET_SELECTOR = 'type=connection.crossplane.io/v1alpha1';

/** One kind to cache, optionally narrowed by selectors (then a miss falls through to a GET). */
export interface CachedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

export interface CachedKubernetesClientOptions extends KubernetesClientOptions {
  /** Cache namespaced kinds of this namespace only (cluster-scoped Workspaces are still cached cluster-wide). */
  readonly namespace?: string | undefined;
  /** Which Workspace kind to cache. Default the cluster-scoped `tf.upbound.io/v1beta1`, as reconcile's default. */
  readonly workspaceApiVersion?: WorkspaceApiVersion | undefined;
  /** Which Cluster version to cache: the apiVersion in the control planes' owner references. Default `cluster.x-k8s.io/v1beta1`. */
  readonly clusterApiVersion?: string | undefined;
  /**
   * Which Secrets to cache. Default: Crossplane connection Secrets only
   * (`fieldSelector: type=connection.crossplane.io/v1alpha1`); `false` caches none (each read is a GET).
   */
  readonly secrets?: false | { readonly labelSelector?: string | undefined; readonly fieldSelector?: string | undefined } | undefined;
  /** Replaces the kinds above entirely. */
  readonly kinds?: readonly CachedKind[] | undefined;
  /** Delays between attempts after a failed list or watch. */
  readonly backoff?: Backoff | undefined;
  /** Asks the server to end each watch after this many seconds (the informer then watches again). Default 300. */
  readonly watchTimeoutSeconds?: number | undefined;
  /**
   * Ends a watch that has delivered nothing, not even a bookmark, for this many milliseconds, and
   * watches again from where it was. Default 90 000: longer than the API server's bookmark
   * interval of about a minute.
   */
  readonly watchIdleTimeoutMs?: number | undefined;
  /**
   * Keep `metadata.managedFields` in the cached objects. Default `false`: the cache drops them
   * (reads answered from the cache come without them; reads that fall through to a GET and the
   * objects writes return still have them).
   */
  readonly keepManagedFields?: boolean | undefined;
  /**
   * How many objects each list request asks for (`limit`); the informer follows `continue` to
   * the end of the list (ADR 0070). Default 500, as client-go's reflector; `0` lists each kind in
   * one request. Must be a non-negative integer (a RangeError otherwise).
   */
  readonly pageSize?: number | undefined;
  /**
   * Most pages one list may take; a list still going after them fails with a `TooLarge`
   * ApiError naming this limit, and is retried with backoff. Default 200 (100,000 objects at
   * the default page size). A positive integer (a RangeError otherwise).
   */
  readonly maxListPages?: number | undefined;
  /**
   * Longest watch event, in bytes; a longer line ends the watch with a `TooLarge` ApiError
   * naming this limit, read no further, and the watch is retried with backoff. Default 16 MiB.
   * A positive integer (a RangeError otherwise).
   */
  readonly maxWatchLineBytes?: number | undefined;
  /**
   * Told once about every failed list or watch (a 410 Gone included), with the backoff step it
   * starts: the informer retries by itself after `retry.delayMs`.
   */
  readonly onError?: ((error: ApiError, kind: CachedKind, retry: Retry) => void) | undefined;
}

export interface CachedKubernetesClient extends KubernetesClient {
  /** Whether every informer has listed once. */
  hasSynced(): boolean;
  /** Resolves once every informer has listed once (or once the client is stopped). */
  synced(): Promise<void>;
  /**
   * Every object of a cached kind the cache holds (in `namespace`, when given), deep-frozen and
   * shared, for reading only; `undefined` when the kind is not cached or has not synced yet. A
   * controller enumerates its control planes with it instead of waiting to hear of each.
   */
  list(apiVersion: string, kind: string, namespace?: string): readonly KubeObject[] | undefined;
  /** Calls `listener` for every object that changes in the cache; returns the unsubscribe function. */
  onChange(listener: (change: CacheChange) => void): () => void;
  /** Stops every informer and closes its watch, then closes the kept connections (`close()`); resolves when all have ended. */
  stop(): Promise<void>;
}

/** The kinds reconcile reads, as configured. */
export const defaultCachedKinds = (options: CachedKubernetesClientOptions = {}): readonly CachedKind[] => [
  { apiVersion: CONTROL_PLANE_API_VERSION, kind: 'CAPTControlPlane' },
  { apiVersion: WORKSPACE_TEMPLATE_APPLY_API_VERSION, kind: 'WorkspaceTemplateApply' },
  { apiVersion: options.workspaceApiVersion ?? CLUSTER_SCOPED_WORKSPACE_API_VERSION, kind: 'Workspace' },
  { apiVersion: options.clusterApiVersion ?? 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' },
  ...(options.secrets === false
    ? []
    : [{ apiVersion: 'v1', kind: 'Secret', ...(options.secrets ?? { fieldSelector: CONNECTION_SECRET_SELECTOR }) }]),
];

const isFiltered = (informer: Informer): boolean =>
  informer.spec.labelSelector !== undefined || informer.spec.fieldSelector !== undefined;

/**
 * A ClusterClient backed by informers for the kinds reconcile reads. The informers start at
 * once; `await client.synced()` before relying on zero-request reads, and `await client.stop()`
 * when done. A kind that is not in the resource table is not cached (its reads still fail
 * with the typed error).
 */
export const createCachedKubernetesClient = (
  kubeConfig: KubeConfig,
  options: CachedKubernetesClientOptions = {},
): CachedKubernetesClient => {
  // Checked before any informer starts, so a bad value leaves nothing running.
  const pageSize = pageSizeOf(options.pageSize);
  const maxListPages = limitOf('maxListPages', options.maxListPages, DEFAULT_MAX_LIST_PAGES);
  const parts = clientParts(kubeConfig, options);
  const api = clientFromParts(parts);
  const listeners = new Set<(change: CacheChange) => void>();
  // One pool for every informer: apiVersions, kinds and namespaces repeat across kinds too.
  const strings = createStringPool();
  const decodeMemo = createDecodeMemo();
  const informers = new Map<string, Informer>();
  for (const kind of options.kinds ?? defaultCachedKinds(options)) {
    const resource = parts.table(kind.apiVersion, kind.kind);
    if (resource === undefined) continue;
    informers.set(
      `${kind.apiVersion}/${kind.kind}`,
      startInformer(
        { resource, namespace: resource.namespaced ? options.namespace : undefined, labelSelector: kind.labelSelector, fieldSelector: kind.fieldSelector },
        {
          transport: parts.transport,
          watch: parts.watch,
          backoff: options.backoff,
          watchTimeoutSeconds: options.watchTimeoutSeconds,
          watchIdleTimeoutMs: options.watchIdleTimeoutMs,
          keepManagedFields: options.keepManagedFields,
          pageSize,
          maxListPages,
          strings,
          onChange: (change) => {
            // One listener that throws does not keep the change from the others.
            for (const listener of listeners) {
              try {
                listener(change);
              } catch {
                // The listener's own failure; the cache has the change either way.
              }
            }
          },
          onError: (error, retry) => options.onError?.(error, kind, retry),
        },
      ),
    );
  }

  /** The informer that can answer for this reference, if one can. */
  const informerFor = (ref: ObjectRef): Informer | undefined => {
    const informer = informers.get(`${ref.apiVersion}/${ref.kind}`);
    if (informer === undefined || !informer.hasSynced()) return undefined;
    const { namespace } = informer.spec;
    return informer.spec.resource.namespaced && namespace !== undefined && ref.namespace !== namespace ? undefined : informer;
  };

  // What the cache hands a read-only reader for `ref`: the frozen object itself.
  const steadyMemo = createSteadyMemo((ref) => informerFor(ref)?.heldAt(ref.namespace, ref.name));

  /** Our own writes update the cache, unless selectors decide what belongs in it. */
  const remember = (ref: ObjectRef) => (object: KubeObject) => () => {
    const informer = informerFor(ref);
    if (informer !== undefined && !isFiltered(informer)) informer.accept(object);
  };

  return {
    ...api,
    get: (ref, requestOptions) => {
      // The cache drops managedFields (unless told to keep them): a caller that needs them reads the API.
      if (requestOptions?.managedFields === true && options.keepManagedFields !== true) return api.get(ref, requestOptions);
      const informer = informerFor(ref);
      // A read-only caller gets the held object itself, frozen; anyone else gets a copy of it.
      const readOnly = requestOptions?.readOnly === true;
      const held = informer?.get(ref.namespace, ref.name, readOnly);
      if (held !== undefined && readOnly) decodeMemo.vouchFor(held);
      if (held !== undefined) return TE.right(held);
      if (informer !== undefined && !isFiltered(informer)) return TE.right(undefined);
      return api.get(ref, requestOptions);
    },
    patch: (ref, patch, patchOptions) => pipe(api.patch(ref, patch, patchOptions), TE.tap(TE.fromIOK(remember(ref)))),
    patchStatus: (ref, patch, patchOptions) => pipe(api.patchStatus(ref, patch, patchOptions), TE.tap(TE.fromIOK(remember(ref)))),
    decodeMemo,
    steadyMemo,
    list: (apiVersion, kind, namespace) => {
      const informer = informers.get(`${apiVersion}/${kind}`);
      if (informer === undefined || !informer.hasSynced()) return undefined;
      const held = informer.list();
      return namespace === undefined ? held : held.filter((object) => object.metadata.namespace === namespace);
    },
    hasSynced: () => [...informers.values()].every((informer) => informer.hasSynced()),
    synced: async () => {
      await Promise.all([...informers.values()].map((informer) => informer.synced()));
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      await Promise.all([...informers.values()].map((informer) => informer.stop()));
      await api.close();
    },
  };
};
