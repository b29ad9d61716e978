/**
 * An informer for one resource: the list/watch loop around a store of held objects
 * (heldObjects.ts). It lists in pages, then watches from the list's resourceVersion (a streamed
 * GET through the transport, each event line bounded: ADR 0084). Unlike client-node's own
 * `makeInformer`, it never stops on its own (ADR 0031): a failed list or watch is retried with
 * exponential backoff and jitter, each step reported once to `onError` with its delay; a 410 Gone
 * (as an HTTP status or as a watch ERROR event) relists, after a backoff step as well; a watch
 * that ends within a second counts as a failure, so a server that closes every watch at once
 * cannot make it reconnect in a tight loop; and `stop()` ends it quietly, at once, even while a
 * watch waits for its headers. It also accepts the objects our own writes return, so a read
 * after a write is not stale.
 *
 * The list is read in pages of `pageSize`, as client-go's reflector does (ADR 0070): no single
 * response of the whole collection, and one page parsed at a time. A page whose `continue` token
 * has expired (410) fails the list, which starts again from the first page.
 *
 * Given alternatives (other versions of the same kind), a list the server answers with
 * `NotServed` (a 404 for the resource type, ADR 0091) moves the informer on to the next version at
 * once, reported once; only when every version has answered so in a row does it back off. The
 * objects held are of one version: those of the last list that answered (ADR 0092).
 */
import type { ApiError, ChangeType, KubeObject, ObjectChange } from '@capt-endpoint/core';
import { apiError, type ResourceInfo } from '@capt-endpoint/core/adapter';
import { createStringPool, type StringPool } from '@capt-endpoint/core/json';
import { fromResponse, fromThrown, truncate, type Scrub } from './apiErrors';
import { createHeldObjects, keyOf, type Held, type HeldObjects, type Versioned } from './heldObjects';
import { notServedNamed } from './notServed';
import { apiVersionOf, collectionPath } from './resources';
import { limitOf, type LineStream, type StreamEnd, type Transport } from './transport';

export type { ChangeType };

/**
 * One object changed in the cache: core's `ObjectChange`, with the resourceVersion the cache now
 * holds (for `deleted`, the last one it held), so that a writer can tell the echo of its own write.
 */
export type CacheChange = ObjectChange & { readonly resourceVersion?: string | undefined };

export interface Backoff {
  /** First delay after a failure, in milliseconds. Default 1000. */
  readonly initialMs?: number | undefined;
  /** Longest delay, in milliseconds. Default 30 000. */
  readonly maxMs?: number | undefined;
  /**
   * The share of each delay that is random, from 0 to 1: a delay of `d` becomes one between
   * `d * (1 - jitter)` and `d`, so informers that failed together do not retry together.
   * Default 0.5.
   */
  readonly jitter?: number | undefined;
}

/** What a failure's backoff step is: the how-many-th failure in a row, and the wait before the next attempt. */
export interface Retry {
  readonly attempt: number;
  readonly delayMs: number;
}

export interface InformerSpec {
  readonly resource: ResourceInfo;
  /**
   * Other versions of the same kind, in the order to try them: when the server does not serve the
   * version being listed, the next one is listed instead (after the last, the first again).
   */
  readonly alternatives?: readonly ResourceInfo[] | undefined;
  /** For a namespaced resource: watch this namespace only. */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

export interface InformerDeps {
  readonly transport: Transport;
  readonly watch: LineStream;
  /** Takes credentials out of a watch's ERROR event before it becomes an error. Default: Bearer and Basic values. */
  readonly scrub?: Scrub | undefined;
  readonly backoff?: Backoff | undefined;
  /** Asks the server to end each watch after this long; the informer then watches again. Default 300. */
  readonly watchTimeoutSeconds?: number | undefined;
  /** Ends a watch that has delivered nothing, not even a bookmark, for this long. Default 90 000. */
  readonly watchIdleTimeoutMs?: number | undefined;
  /** Hold `metadata.managedFields` too (dropped by default). */
  readonly keepManagedFields?: boolean | undefined;
  /** Objects per list request (`limit`), following `continue`; 0 lists in one request. Default 500. */
  readonly pageSize?: number | undefined;
  /** Most pages one list may take; a list still going after them fails (`TooLarge`). Default 200. */
  readonly maxListPages?: number | undefined;
  /** Random numbers in [0, 1) for the backoff's jitter. Default `Math.random`. */
  readonly random?: (() => number) | undefined;
  /** Where held objects' repeated strings are pooled (ADR 0070); one per cache, shared by its informers. Default a pool of its own. Never used for Secrets. */
  readonly strings?: StringPool | undefined;
  readonly onChange: (change: CacheChange) => void;
  /**
   * Told what the server said of a version it listed or watched: `undefined` when a list
   * answered, the (`NotServed`) error when it does not serve the version.
   */
  readonly onVersionAnswer?: ((resource: ResourceInfo, error: ApiError | undefined) => void) | undefined;
  /** Told once per failed list or watch, with the backoff step it starts and the version it was of. */
  readonly onError: (error: ApiError, retry: Retry, resource: ResourceInfo) => void;
}

export interface Informer {
  readonly spec: InformerSpec;
  /** The version whose objects it holds: `spec.resource`, or the alternative that answered its last list. */
  resource(): ResourceInfo;
  /** Whether it has listed once since it started. */
  hasSynced(): boolean;
  /** Resolves once it has listed, or once it is stopped. */
  synced(): Promise<void>;
  /**
   * The object, when held: a fresh copy, or with `shared` the held object itself (deep-frozen).
   * `undefined` means "not held", which is "absent" only without selectors.
   */
  get(namespace: string | undefined, name: string, shared?: boolean): KubeObject | undefined;
  /** A reader of the held object (shared, deep-frozen) for one namespace and name, its key built once. */
  heldAt(namespace: string | undefined, name: string): () => KubeObject | undefined;
  /** Every object held, deep-frozen and shared: for reading only. */
  list(): readonly KubeObject[];
  /** Takes (a copy of) an object the API just returned to us, unless the cache already holds a newer one. */
  accept(object: KubeObject): void;
  stop(): Promise<void>;
}

/** client-go's reflector pages its lists by 500. */
export const DEFAULT_PAGE_SIZE = 500;

/** 200 pages of 500: 100,000 objects of one kind, ten times the fleet the benchmarks run (docs/benchmarks.md). */
export const DEFAULT_MAX_LIST_PAGES = 200;

/** The page size to use: `DEFAULT_PAGE_SIZE` when none is given; throws a RangeError unless a non-negative integer. */
export const pageSizeOf = (pageSize: number | undefined): number => limitOf('pageSize', pageSize, DEFAULT_PAGE_SIZE, 0);

export { isOlder } from './heldObjects';

/**
 * The wait before the next attempt after `failures` failures in a row: doubling from
 * `initialMs` up to `maxMs`, less a random share of up to `jitter` of it (`random` in [0, 1)),
 * so a delay `d` falls in `[d * (1 - jitter), d]`. 0 for no failure.
 *
 * @example
 * backoffDelay(3, { initialMs: 1000, jitter: 0.5 }, () => 0.5); // 4000 * (1 - 0.25) = 3000
 */
export const backoffDelay = (failures: number, backoff: Backoff = {}, random: () => number = Math.random): number => {
  if (failures <= 0) return 0;
  const full = Math.min(backoff.maxMs ?? 30_000, (backoff.initialMs ?? 1_000) * 2 ** Math.min(failures - 1, 20));
  const jitter = Math.min(1, Math.max(0, backoff.jitter ?? 0.5));
  return Math.round(full * (1 - jitter * random()));
};

/** How long a watch may deliver nothing before the informer ends it and watches again. */
export const DEFAULT_WATCH_IDLE_TIMEOUT_MS = 90_000;

/** A watch that ends sooner than this counts as a failure, whatever it delivered (no tight reconnect loop). */
export const MIN_HEALTHY_WATCH_MS = 1_000;

interface WatchEnd {
  /** How the stream ended; a watch ERROR event makes it `Failed` with the event's Status. */
  readonly end: StreamEnd;
  readonly gone: boolean;
}

export const startInformer = (spec: InformerSpec, deps: InformerDeps): Informer => {
  // The version listed and watched; it moves on among `versions` when the server serves it not.
  const versions = [spec.resource, ...(spec.alternatives ?? [])];
  let resource = spec.resource;
  let path = collectionPath(resource, spec.namespace);
  const pageSize = pageSizeOf(deps.pageSize);
  const maxListPages = deps.maxListPages ?? DEFAULT_MAX_LIST_PAGES;
  // Secrets are not pooled: a pooled value stays in the pool after its Secret is gone, and a
  // short Secret value may be a credential (ADR 0070).
  const strings = resource.group === '' && resource.kind === 'Secret' ? undefined : (deps.strings ?? createStringPool());
  // The API server sends a bookmark about once a minute to a watch that asked for them, so a
  // longer wait still notices a dead connection without reopening live ones.
  const idleTimeoutMs = deps.watchIdleTimeoutMs ?? DEFAULT_WATCH_IDLE_TIMEOUT_MS;
  const stopping = new AbortController();
  let resourceVersion = '';
  let isSynced = false;
  let markSynced: () => void = () => undefined;
  const syncedPromise = new Promise<void>((resolve) => (markSynced = resolve));

  /**
   * Runs one of the host's callbacks. They run inside the informer's loop and its watch handler:
   * a callback that throws is the host's failure, and must not end the loop or the watch (and
   * there is nothing to report it to that is not the host itself).
   */
  const hostCall = (call: () => void): void => {
    try {
      call();
    } catch {
      // The host's own failure.
    }
  };
  const emitFor =
    (version: ResourceInfo) =>
    (type: ChangeType, object: Versioned): void =>
      hostCall(() =>
        deps.onChange({ type, apiVersion: apiVersionOf(version), kind: version.kind, namespace: object.metadata.namespace, name: object.metadata.name ?? '', resourceVersion: object.metadata.resourceVersion }),
      );
  const report = (error: ApiError, retry: Retry, about: ResourceInfo = resource): void => hostCall(() => deps.onError(error, retry, about));

  /** The objects held, all of one version: `heldResource`. */
  const storeOf = (version: ResourceInfo) => createHeldObjects({ resource: version, keepManagedFields: deps.keepManagedFields, strings, onChange: emitFor(version) });
  let held = storeOf(resource);
  let heldResource = resource;

  const selectors = (): Record<string, string | undefined> => ({ labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector });

  /** One page of the list: its objects, as they will be held, and where the next page starts. */
  const listPage = async (token: string, store: HeldObjects): Promise<ApiError | { readonly items: Held[]; readonly resourceVersion: string; readonly next: string }> => {
    const paging = pageSize > 0 ? { limit: String(pageSize), continue: token || undefined } : {};
    const response = await deps.transport({ method: 'GET', path, query: { ...selectors(), ...paging }, signal: stopping.signal })();
    if (response._tag === 'Left') return response.left;
    let parsed: { metadata?: { resourceVersion?: string; continue?: string }; items?: KubeObject[] };
    try {
      parsed = JSON.parse(response.right.text) as typeof parsed;
    } catch {
      return apiError('Other', `the list of ${resource.plural} is not JSON`);
    }
    return {
      items: (parsed.items ?? []).map((item) => store.listed(item)),
      resourceVersion: parsed.metadata?.resourceVersion ?? '',
      next: pageSize > 0 ? (parsed.metadata?.continue ?? '') : '',
    };
  };

  /**
   * A full list, every page of it, replaces the store; objects we wrote after the list's
   * snapshot stay. Every page is of the first page's snapshot, so its resourceVersion is the
   * list's. Nothing changes in the store until the last page is in. A list at another version
   * than the one held replaces the store: the objects of the old version go (each reported
   * deleted), those of the new one come (each reported added).
   */
  const list = async (): Promise<ApiError | undefined> => {
    const store = heldResource === resource ? held : storeOf(resource);
    // By key: a server that sends the same objects page after page holds one copy of each.
    const items = new Map<string, Held>();
    let listVersion: string | undefined;
    let token = '';
    let pages = 0;
    do {
      if (pages === maxListPages)
        return apiError('TooLarge', `the list of ${resource.plural} did not end within the limit of ${maxListPages} pages (maxListPages)`);
      const page = await listPage(token, store);
      pages++;
      if ('_tag' in page) return page;
      listVersion ??= page.resourceVersion;
      for (const item of page.items) items.set(keyOf(item.metadata.namespace, item.metadata.name ?? ''), item);
      token = page.next;
    } while (token !== '' && !stopping.signal.aborted);
    if (stopping.signal.aborted) return undefined;
    if (store !== held) {
      held.replace(new Map(), undefined);
      held = store;
      heldResource = resource;
    }
    held.replace(items, listVersion);
    resourceVersion = listVersion ?? '';
    return undefined;
  };

  const watchOnce = async (): Promise<WatchEnd> => {
    const watchEnding = new AbortController();
    const stopWatch = (): void => watchEnding.abort();
    stopping.signal.addEventListener('abort', stopWatch, { once: true });
    if (stopping.signal.aborted) watchEnding.abort();
    let statusEvent: { readonly code: number; readonly body: unknown } | undefined;
    const onLine = (line: string): void => {
      let event: { type?: unknown; object?: KubeObject & { code?: unknown } };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        return; // not an event: as client-node's Watch, skipped
      }
      const object = event?.object;
      if (typeof object !== 'object' || object === null) return;
      if (event.type === 'ERROR') {
        // The event's object is a Status; the server ends the watch after it, and so do we.
        statusEvent ??= { code: typeof object.code === 'number' ? object.code : 500, body: object };
        watchEnding.abort();
        return;
      }
      if (typeof object.metadata !== 'object' || object.metadata === null) return;
      if (event.type === 'ADDED' || event.type === 'MODIFIED') held.upsert(object, true);
      else if (event.type === 'DELETED') held.remove(object);
      if (typeof object.metadata.resourceVersion === 'string' && object.metadata.resourceVersion !== '') resourceVersion = object.metadata.resourceVersion;
    };
    try {
      const end = await deps.watch({
        path,
        query: { ...selectors(), resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(deps.watchTimeoutSeconds ?? 300) },
        signal: watchEnding.signal,
        idleTimeoutMs,
        onLine,
      });
      if (statusEvent !== undefined) return { end: { _tag: 'Failed', error: fromResponse(statusEvent.code, statusEvent.body, deps.scrub) }, gone: statusEvent.code === 410 };
      return { end, gone: end._tag === 'Failed' && end.error.code === 410 };
    } finally {
      stopping.signal.removeEventListener('abort', stopWatch);
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (ms <= 0 || stopping.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done, { once: true });
    });

  /** One backoff step: counted, reported with its delay, and waited out (or cut short by `stop()`). */
  let failures = 0;
  const backOff = async (error: ApiError, about: ResourceInfo = resource): Promise<void> => {
    failures++;
    const delayMs = backoffDelay(failures, deps.backoff, deps.random);
    report(error, { attempt: failures, delayMs }, about);
    await sleep(delayMs);
  };

  /**
   * A list the server answered NotServed, with alternatives: the next version is listed instead,
   * at once while some version has not answered so since the last list that did; after a whole
   * round of them, with the next backoff step. False when there is nothing to move on to.
   */
  let unservedInRow = 0;
  const moveOn = async (failed: ApiError): Promise<boolean> => {
    if (failed.kind === 'NotServed') hostCall(() => deps.onVersionAnswer?.(resource, failed));
    if (failed.kind !== 'NotServed' || versions.length < 2) return false;
    const unserved = resource;
    const next = versions[(versions.indexOf(unserved) + 1) % versions.length]!;
    resource = next;
    path = collectionPath(next, spec.namespace);
    const error = { ...failed, message: truncate(`${failed.message}; listing ${apiVersionOf(next)} instead`) };
    unservedInRow++;
    if (unservedInRow >= versions.length) {
      unservedInRow = 0;
      await backOff(error, unserved);
      return true;
    }
    failures++;
    report(error, { attempt: failures, delayMs: 0 }, unserved);
    return true;
  };

  const run = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      if (resourceVersion === '') {
        // A list that throws (a transport or a response breaking its contract) fails like any
        // other list, and is retried: an uncaught rejection here would end the loop for good.
        const failed = await list().catch((thrown: unknown) => fromThrown(thrown));
        if (stopping.signal.aborted) break;
        if (failed) {
          const named = notServedNamed(resource, failed);
          if (!(await moveOn(named))) await backOff(named);
          continue;
        }
        unservedInRow = 0;
        hostCall(() => deps.onVersionAnswer?.(resource, undefined));
        if (!isSynced) {
          isSynced = true;
          markSynced();
        }
      }
      const started = Date.now();
      const { end, gone } = await watchOnce();
      if (stopping.signal.aborted) break;
      const lastedMs = Date.now() - started;
      // Only a watch that lived a while clears the failures; a successful list does not, or a
      // server answering every watch with 410 would get a relist and a watch per round trip.
      if (lastedMs >= MIN_HEALTHY_WATCH_MS) failures = 0;
      // A watch the server no longer serves lists again, and the list moves on to a version it does.
      if (gone || (end._tag === 'Failed' && end.error.kind === 'NotServed' && versions.length > 1)) resourceVersion = '';
      // A watch ended for being quiet is not the server's failure, and idleTimeoutMs spaces them.
      if (end._tag === 'Failed' && end.error.kind === 'NotServed') hostCall(() => deps.onVersionAnswer?.(resource, notServedNamed(resource, end.error)));
      if (end._tag === 'Failed') await backOff(notServedNamed(resource, end.error));
      else if (end._tag === 'Ended' && lastedMs < MIN_HEALTHY_WATCH_MS)
        await backOff(apiError('Unavailable', `the watch of ${resource.plural} ended after ${lastedMs} ms`));
    }
    markSynced();
  };
  const running = run();

  return {
    spec,
    resource: () => heldResource,
    hasSynced: () => isSynced,
    synced: () => syncedPromise,
    get: (namespace, name, shared) => held.get(namespace, name, shared),
    heldAt: (namespace, name) => {
      // Bound to the store it was made for, and made again once a list at another version replaced it.
      let store = held;
      let read = store.heldAt(namespace, name);
      return () => {
        if (store !== held) {
          store = held;
          read = store.heldAt(namespace, name);
        }
        return read();
      };
    },
    list: () => held.list(),
    accept: (object) => held.upsert(object, false),
    stop: async () => {
      stopping.abort();
      await running;
    },
  };
};
