/**
 * A ClusterClient that answers reads from informers (list + watch) for the kinds a reconcile
 * reads, so that a steady-state reconcile makes no API request at all. Reads the cache cannot
 * answer (kind not cached, other namespace, not synced yet, filtered out by a selector) fall
 * through to a GET; writes go to the API and the object it returns updates the cache.
 *
 * Clusters are cached at the version the API server serves (ADR 0092): without
 * `clusterApiVersion`, v1beta1 first and, when the server does not serve it (Cluster API 1.16),
 * v1beta2. A read at another Cluster API version than the one cached is answered from the cache
 * too, converted, once that version has been seen served; until then it goes to the API.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ApiError, KubeObject, ObjectRef, WorkspaceApiVersion } from '@capt-endpoint/core';
import {
  CLUSTER_API_VERSIONS,
  CLUSTER_GROUP,
  CLUSTER_SCOPED_WORKSPACE_API_VERSION,
  CONTROL_PLANE_API_VERSION,
  WORKSPACE_TEMPLATE_APPLY_API_VERSION,
  type ResourceInfo,
} from '@capt-endpoint/core/adapter';
import { copyJsonValue, createStringPool } from '@capt-endpoint/core/json';
import { convertTo } from './conversion';
import { createDecodeMemo } from './decodeMemo';
import { createSteadyMemo } from './steadyMemo';
import { DEFAULT_MAX_LIST_PAGES, pageSizeOf, startInformer, type Backoff, type CacheChange, type Informer, type Retry } from './informer';
import { apiVersionOf } from './resources';
import { limitOf } from './transport';
import { clientFromParts, clientParts, type KubernetesClient, type KubernetesClientOptions } from './kubernetesClient';

export type { Backoff, CacheChange, ChangeType, Retry } from './informer';

/** The field selector that keeps only Crossplane connection Secrets in the cache. */
export const CONNECTION_SECRET_SELECTOR = 'type=connection.crossplane.io/v1alpha1';

/** One kind to cache, optionally narrowed by selectors (then a miss falls through to a GET). */
export interface CachedKind {
  readonly apiVersion: string;
  readonly kind: string;
  /**
   * Other versions of the kind to cache instead, in order, when the API server does not serve
   * `apiVersion` (its list answers `NotServed`, a 404 for the resource type): the cache moves on
   * to the next at once, telling `onError` once, and caches the first that answers (ADR 0092).
   */
  readonly alternatives?: readonly string[] | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** Cache this namespace only, whatever the client's `namespace`; a kind may be listed once per namespace. */
  readonly namespace?: string | undefined;
}

/**
 * The opt-in Secret cache: one informer per named namespace, never a cluster-wide list or watch.
 * Default selector: Crossplane connection Secrets only.
 */
export interface SecretCache {
  readonly namespaces: readonly string[];
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

export interface CachedKubernetesClientOptions extends KubernetesClientOptions {
  /** Cache namespaced kinds of this namespace only (cluster-scoped Workspaces are still cached cluster-wide). */
  readonly namespace?: string | undefined;
  /** Which Workspace kind to cache. Default the cluster-scoped `tf.upbound.io/v1beta1`, as reconcile's default. */
  readonly workspaceApiVersion?: WorkspaceApiVersion | undefined;
  /**
   * Which Cluster version to cache. Default: the one the API server serves, `cluster.x-k8s.io/v1beta1`
   * (the version CAPT's owner references name) while it is served, else `cluster.x-k8s.io/v1beta2`
   * (Cluster API 1.16 on). A version given here is cached as given, served or not. Either way, a
   * read at another Cluster API version is answered from the cached Clusters, converted, once the
   * server has answered a request at that version (ADR 0092).
   */
  readonly clusterApiVersion?: string | undefined;
  /**
   * Which Secrets to cache. Default none: each Secret read is one GET, so the client needs only
   * `get` on Secrets (a list or watch needs `list`/`watch` on every Secret in scope, which RBAC
   * cannot narrow to a type or name, and holds every credential in memory). Opt in per namespace
   * (`{ namespaces: ['clusters'] }`, connection Secrets only unless selectors say otherwise):
   * one list and watch per named namespace, never cluster-wide, needing a Role there.
   */
  readonly secrets?: false | SecretCache | undefined;
  /** Replaces the kinds above entirely (`defaultCachedKinds(options)` gives them, to adapt). */
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
   * shared, for reading only; `undefined` when the kind is not cached (a kind cached per
   * namespace, as Secrets are, only with that `namespace`) or has not synced yet. A
   * controller enumerates its control planes with it instead of waiting to hear of each.
   */
  list(apiVersion: string, kind: string, namespace?: string): readonly KubeObject[] | undefined;
  /** Calls `listener` for every object that changes in the cache; returns the unsubscribe function. */
  onChange(listener: (change: CacheChange) => void): () => void;
  /** Stops every informer and closes its watch, then closes the kept connections (`close()`); resolves when all have ended. */
  stop(): Promise<void>;
}

/** CAPT's owner references name v1beta1: cached first, and the others, newest first, when it is not served. */
const DEFAULT_CLUSTER_API_VERSION = `${CLUSTER_GROUP}/v1beta1`;
const clusterAlternatives = [...CLUSTER_API_VERSIONS].reverse().filter((apiVersion) => apiVersion !== DEFAULT_CLUSTER_API_VERSION);

/**
 * The apiVersions a kind's cache answers reads at: its own and its alternatives, and for a
 * Cluster every Cluster API version the library knows (converted, ADR 0092).
 */
const answeredAt = (kind: CachedKind): readonly string[] => [
  ...new Set([kind.apiVersion, ...(kind.alternatives ?? []), ...(kind.kind === 'Cluster' && kind.apiVersion.startsWith(`${CLUSTER_GROUP}/`) ? CLUSTER_API_VERSIONS : [])]),
];

const secretKinds = (secrets: CachedKubernetesClientOptions['secrets']): readonly CachedKind[] => {
  if (secrets === undefined || secrets === false) return [];
  const selectors: Pick<SecretCache, 'labelSelector' | 'fieldSelector'> =
    secrets.labelSelector === undefined && secrets.fieldSelector === undefined ? { fieldSelector: CONNECTION_SECRET_SELECTOR } : secrets;
  return [...new Set(secrets.namespaces)].map((namespace) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace,
    labelSelector: selectors.labelSelector,
    fieldSelector: selectors.fieldSelector,
  }));
};

/** The kinds reconcile reads, as configured. */
export const defaultCachedKinds = (options: CachedKubernetesClientOptions = {}): readonly CachedKind[] => [
  { apiVersion: CONTROL_PLANE_API_VERSION, kind: 'CAPTControlPlane' },
  { apiVersion: WORKSPACE_TEMPLATE_APPLY_API_VERSION, kind: 'WorkspaceTemplateApply' },
  { apiVersion: options.workspaceApiVersion ?? CLUSTER_SCOPED_WORKSPACE_API_VERSION, kind: 'Workspace' },
  options.clusterApiVersion !== undefined
    ? { apiVersion: options.clusterApiVersion, kind: 'Cluster' }
    : { apiVersion: DEFAULT_CLUSTER_API_VERSION, kind: 'Cluster', alternatives: clusterAlternatives },
  ...secretKinds(options.secrets),
];

const isFiltered = (informer: Informer): boolean =>
  informer.spec.labelSelector !== undefined || informer.spec.fieldSelector !== undefined;

/**
 * A ClusterClient backed by informers for the kinds reconcile reads. The informers start at
 * once; `await client.synced()` before relying on zero-request reads, and `await client.stop()`
 * when done. A kind that is not in the resource table is not cached (its reads still fail
 * with the typed error).
 *
 * One informer per kind: CAPTControlPlane, WorkspaceTemplateApply, Workspace and Cluster; Secrets
 * only when asked. A `get` the synced cache can answer makes no request; it falls through to a
 * GET for a kind not cached, before sync, for another namespace than the cache's and on a miss in
 * a cache narrowed by a selector. Writes go to the API and the object returned updates the cache,
 * so a read after our own write is never older than it. Objects are held parsed and deep-frozen
 * (about the memory of their JSON), without managedFields, their repeated strings pooled; a `get`
 * returns a copy, and with `{ readOnly: true }` the held object itself (a change throws a
 * TypeError), whose decoding is remembered per object version (ADR 0070).
 *
 * Lists go in pages of `pageSize`, all of the first page's snapshot; what is held is replaced once
 * the last page is in, and an expired `continue` (410) restarts the list after a backoff step. A
 * watch that ends after a second or more resumes from its resourceVersion at once; 410 Gone
 * relists after a backoff step; any other failure, and a watch ending within a second, backs off
 * (ADR 0031, ADR 0084). If `onError` or an `onChange` listener throws, the informer goes on.
 * `stop()` aborts what is in flight and leaves no timers or sockets.
 *
 * Clusters (ADR 0092): unless `clusterApiVersion` is set, v1beta1 is listed first; a `NotServed`
 * answer moves the list to v1beta2 at once (`onError` hears of it once, with `delayMs: 0`) and is
 * remembered, so a reconcile's v1beta1 read is answered from the v1beta2 cache. Reads at the
 * other version come converted as strategy None does, except the unset endpoint (`{host: "",
 * port: 0}` at v1beta1, absent at v1beta2); a version that stops being served is moved off the
 * same way, `onChange` hearing the Clusters deleted and added. A server serving neither version
 * is tried at each in turn, backing off after every round, and the cache does not sync.
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
  // Every informer, and each under every apiVersion it answers for: its own first, so that a kind
  // cached at two versions answers each from its own informer.
  const all: Informer[] = [];
  const informers = new Map<string, Informer>();
  const answering: Array<readonly [string, Informer]> = [];
  // The versions, other than the one cached, that the server has answered at (`apiVersion/kind`):
  // a read there is answered from the cache. Any other goes to the API, which tells.
  const servedElsewhere = new Set<string>();
  const keyOf = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`;
  // A kind cached per namespace is found under its namespace too (`v1/Secret@clusters`).
  const inNamespaceKey = (apiVersion: string, kind: string, namespace: string | undefined): string => `${keyOf(apiVersion, kind)}@${namespace ?? ''}`;
  const informerOf = (apiVersion: string, kind: string, namespace: string | undefined): Informer | undefined =>
    informers.get(inNamespaceKey(apiVersion, kind, namespace)) ?? informers.get(keyOf(apiVersion, kind));
  const heard = (resource: ResourceInfo, error: ApiError | undefined): void => {
    if (error === undefined) servedElsewhere.add(keyOf(apiVersionOf(resource), resource.kind));
    else if (error.kind === 'NotServed') servedElsewhere.delete(keyOf(apiVersionOf(resource), resource.kind));
  };
  for (const kind of options.kinds ?? defaultCachedKinds(options)) {
    const resource = parts.table(kind.apiVersion, kind.kind);
    if (resource === undefined) continue;
    const alternatives = (kind.alternatives ?? []).flatMap((apiVersion) => parts.table(apiVersion, kind.kind) ?? []);
    const informer = startInformer(
      { resource, alternatives, namespace: resource.namespaced ? (kind.namespace ?? options.namespace) : undefined, labelSelector: kind.labelSelector, fieldSelector: kind.fieldSelector },
      {
        transport: parts.transport,
        watch: parts.watch,
        scrub: parts.scrub,
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
        // What a list learnt of its version is what a request would have: the client's memory of
        // unserved types answers the next read there without asking.
        onVersionAnswer: (version, error) => {
          parts.notServed.note(version, error);
          heard(version, error);
        },
        onError: (error, retry, version) => options.onError?.(error, { ...kind, apiVersion: apiVersionOf(version) }, retry),
      },
    );
    all.push(informer);
    const keyFor = (apiVersion: string): string => (kind.namespace === undefined ? keyOf(apiVersion, kind.kind) : inNamespaceKey(apiVersion, kind.kind, kind.namespace));
    if (!informers.has(keyFor(kind.apiVersion))) informers.set(keyFor(kind.apiVersion), informer);
    for (const apiVersion of answeredAt(kind)) if (parts.table(apiVersion, kind.kind) !== undefined) answering.push([keyFor(apiVersion), informer]);
  }
  for (const [key, informer] of answering) if (!informers.has(key)) informers.set(key, informer);

  /** Whether `informer` holds another version of `ref`'s kind than `ref` names. */
  const elsewhere = (informer: Informer, ref: { readonly apiVersion: string }): boolean => apiVersionOf(informer.resource()) !== ref.apiVersion;

  /** A held object as read at `apiVersion`: the same view (frozen) for as long as the object is held. */
  const views = new WeakMap<KubeObject, Map<string, KubeObject>>();
  const viewAt = (held: KubeObject | undefined, apiVersion: string): KubeObject | undefined => {
    if (held === undefined || held.apiVersion === apiVersion) return held;
    const byVersion = views.get(held) ?? new Map<string, KubeObject>();
    views.set(held, byVersion);
    const known = byVersion.get(apiVersion);
    if (known !== undefined) return known;
    const view = convertTo(held, apiVersion);
    byVersion.set(apiVersion, view);
    return view;
  };

  /** A request at a version another informer caches tells whether the server serves it. */
  const learning = <A>(ref: ObjectRef, call: TE.TaskEither<ApiError, A>): TE.TaskEither<ApiError, A> => {
    const resource = informerOf(ref.apiVersion, ref.kind, ref.namespace) !== undefined ? parts.table(ref.apiVersion, ref.kind) : undefined;
    if (resource === undefined) return call;
    return async () => {
      const result = await call();
      heard(resource, E.isLeft(result) ? result.left : undefined);
      return result;
    };
  };

  /** The synced informer of `ref`'s kind, at any version it answers for, whose namespace `ref` is in. */
  const syncedFor = (ref: ObjectRef): Informer | undefined => {
    const informer = informerOf(ref.apiVersion, ref.kind, ref.namespace);
    if (informer === undefined || !informer.hasSynced()) return undefined;
    const { namespace } = informer.spec;
    return informer.spec.resource.namespaced && namespace !== undefined && ref.namespace !== namespace ? undefined : informer;
  };

  /**
   * The informer that can answer for this reference, if one can: synced, of its namespace, and
   * holding the version it names or one the server serves it at as well.
   */
  const informerFor = (ref: ObjectRef): Informer | undefined => {
    const informer = syncedFor(ref);
    if (informer === undefined || (elsewhere(informer, ref) && !servedElsewhere.has(keyOf(ref.apiVersion, ref.kind)))) return undefined;
    return informer;
  };

  // What the cache hands a read-only reader for `ref`: the frozen object itself (or its view at the version asked).
  const steadyMemo = createSteadyMemo((ref) => {
    const read = informerFor(ref)?.heldAt(ref.namespace, ref.name);
    return read === undefined ? undefined : () => viewAt(read(), ref.apiVersion);
  });

  /** Our own writes update the cache, at the version it holds, unless selectors decide what belongs in it. */
  const remember = (ref: ObjectRef) => (object: KubeObject) => () => {
    const informer = syncedFor(ref);
    if (informer === undefined || isFiltered(informer)) return;
    informer.accept(convertTo(object, apiVersionOf(informer.resource())));
  };

  /** `write`, whose answer goes into the cache (plainly rather than through `TE.tap`, whose `dual` showed in cold-start profiles). */
  const remembering =
    (ref: ObjectRef, write: TE.TaskEither<ApiError, KubeObject>): TE.TaskEither<ApiError, KubeObject> =>
    async () => {
      const written = await write();
      if (E.isRight(written)) remember(ref)(written.right)();
      return written;
    };

  /** What `informer` holds for `ref`, at the version `ref` names: a copy, or with `readOnly` the frozen object (or view) itself. */
  const heldFor = (informer: Informer, ref: ObjectRef, readOnly: boolean): KubeObject | undefined => {
    if (!elsewhere(informer, ref)) return informer.get(ref.namespace, ref.name, readOnly);
    const view = viewAt(informer.get(ref.namespace, ref.name, true), ref.apiVersion);
    return view === undefined || readOnly ? view : copyJsonValue(view);
  };

  return {
    ...api,
    get: (ref, requestOptions) => {
      // The cache drops managedFields (unless told to keep them): a caller that needs them reads the API.
      if (requestOptions?.managedFields === true && options.keepManagedFields !== true) return api.get(ref, requestOptions);
      const informer = informerFor(ref);
      // A read-only caller gets the held object itself, frozen; anyone else gets a copy of it.
      const readOnly = requestOptions?.readOnly === true;
      const held = informer === undefined ? undefined : heldFor(informer, ref, readOnly);
      if (held !== undefined && readOnly) decodeMemo.vouchFor(held);
      if (held !== undefined) return TE.right(held);
      if (informer !== undefined && !isFiltered(informer)) return TE.right(undefined);
      return learning(ref, api.get(ref, requestOptions));
    },
    patch: (ref, patch, patchOptions) => remembering(ref, learning(ref, api.patch(ref, patch, patchOptions))),
    patchStatus: (ref, patch, patchOptions) => remembering(ref, learning(ref, api.patchStatus(ref, patch, patchOptions))),
    decodeMemo,
    steadyMemo,
    list: (apiVersion, kind, namespace) => {
      const informer = informerOf(apiVersion, kind, namespace);
      if (informer === undefined || !informer.hasSynced()) return undefined;
      const held = informer.list();
      const inNamespace = namespace === undefined ? held : held.filter((object) => object.metadata.namespace === namespace);
      return elsewhere(informer, { apiVersion }) ? inNamespace.map((object) => viewAt(object, apiVersion)!) : inNamespace;
    },
    hasSynced: () => all.every((informer) => informer.hasSynced()),
    synced: async () => {
      await Promise.all(all.map((informer) => informer.synced()));
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      await Promise.all(all.map((informer) => informer.stop()));
      await api.close();
    },
  };
};
