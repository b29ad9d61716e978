/** The controller loop (see `startController`). */
import { setMaxListeners } from 'node:events';
import * as E from 'fp-ts/lib/Either.js';
import {
  describeRef,
  reconcileEndpoint,
  type ClusterClient,
  type KubeObject,
  type MergePatch,
  type ReconcileOptions,
} from '@capt-endpoint/core';
import { CONTROL_PLANE_API_VERSION } from '@capt-endpoint/core/adapter';
import { endpointEventFor, type CacheChange, type EventRecorder } from '@capt-endpoint/kubernetes';
import { controlPlaneKey, DependencyIndex, parseControlPlaneKey } from './dependencyIndex';
import type { JsonLogger } from './jsonLogger';
import type { ControllerMetrics, ReconcileLabel } from './metrics';
import { recordingClient, type RecordedWrite } from './recordingClient';
import { DEFAULT_SECRET_RESYNC_MS } from './secretResync';
import { WorkQueue, type WorkQueueOptions } from './workQueue';

export type { ObjectChange } from '@capt-endpoint/core';

/** A cluster client whose reads are served from watches: the shape of the cached Kubernetes client. */
export interface WatchedCluster extends ClusterClient {
  /** Tells of each change; one that gives its `resourceVersion` can be told apart as the echo of the controller's own write. */
  onChange(listener: (change: CacheChange) => void): () => void;
  /** Every object of a kind the cache holds (in `namespace`, when given); `undefined` when it holds no such kind or has not synced. */
  list(apiVersion: string, kind: string, namespace?: string): readonly KubeObject[] | undefined;
  /** Resolves once the watches have listed once. */
  synced(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerOptions {
  readonly cluster: WatchedCluster;
  readonly logger: JsonLogger;
  /** Reconcile options (output keys, policies, ...); the controller adds nothing but its own calls and its stop signal. */
  readonly reconcile?: ReconcileOptions | undefined;
  /** Reconcile control planes of these namespaces only (default every namespace the cluster client sees). */
  readonly namespaces?: readonly string[] | undefined;
  /** Reconciles at once. Default 2. */
  readonly concurrency?: number | undefined;
  readonly queue?: WorkQueueOptions | undefined;
  /** Records an Event for results worth one (endpoint set, drift, invalid, cleared); see `endpointEventFor`. */
  readonly events?: Pick<EventRecorder, 'record'> | undefined;
  readonly metrics?: ControllerMetrics | undefined;
  /**
   * How often a control plane whose reconcile read a Secret is reconciled again, in
   * milliseconds (one GET of the Secret each time, none when the Secret cache holds it).
   * Default 600 000 (ten minutes); 0 turns it off.
   */
  readonly secretResyncMs?: number | undefined;
  /** Whether `stop()` stops the cluster client's watches too. Default true; false when the caller keeps the cache (a follower's warm cache). */
  readonly stopsCluster?: boolean | undefined;
}

export interface StopOptions {
  /** Abort the in-flight reconciles instead of letting them finish (leadership was lost). */
  readonly abort?: boolean | undefined;
  /** Let in-flight reconciles run this long, then abort them. Default: no limit. */
  readonly graceMs?: number | undefined;
}

export interface Controller {
  /** Stops taking work, waits for (or aborts) in-flight reconciles, stops the watches. Idempotent. */
  stop(options?: StopOptions): Promise<void>;
  /** Resolves once the watches have synced and every control plane held then is queued. */
  readonly synced: Promise<void>;
}

const isControlPlane = (change: { readonly apiVersion: string; readonly kind: string }): boolean =>
  change.kind === 'CAPTControlPlane' && change.apiVersion === CONTROL_PLANE_API_VERSION;

/** Listeners a reconcile may hold on the controller's signal at once: its request and what races it, with room to spare. */
const LISTENERS_PER_RECONCILE = 4;

/** An object at one resourceVersion, whatever the apiVersion it was seen at. */
const versionKey = (ref: { readonly apiVersion: string; readonly kind: string; readonly namespace?: string | undefined; readonly name: string }, resourceVersion: string): string =>
  `${ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : ''}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}@${resourceVersion}`;

/** Whether a patch carried the resourceVersion it was planned from: the server then applied it to that version and nothing else. */
const preconditioned = (patch: MergePatch): boolean => {
  const metadata = patch['metadata'];
  return typeof metadata === 'object' && metadata !== null && typeof (metadata as { readonly resourceVersion?: unknown }).resourceVersion === 'string';
};

/**
 * The versions a reconcile's own writes made: each object it patched successfully, with the
 * resourceVersion it planned from, at the one the server returned. That version holds nothing
 * but what the reconcile read and wrote, so hearing of it is no news. A write without that
 * precondition may have folded in another writer's change, and is never counted.
 */
const echoesOf = (writes: readonly RecordedWrite[]): ReadonlySet<string> =>
  new Set(writes.flatMap((write) => (write.sent && write.error === undefined && write.resourceVersion !== undefined && preconditioned(write.patch) ? [versionKey(write.ref, write.resourceVersion)] : [])));

/** Whether a change is the echo of one of these writes (a deletion never is). */
const isEcho = (change: CacheChange, echoes: ReadonlySet<string>): boolean =>
  change.type !== 'deleted' && change.resourceVersion !== undefined && echoes.has(versionKey(change, change.resourceVersion));

/** A signal that aborts when either does. */
const eitherSignal = (a: AbortSignal, b: AbortSignal | undefined): AbortSignal => (b === undefined ? a : AbortSignal.any([a, b]));

/**
 * A controller for CAPT control plane endpoints, built only on the library's public API:
 *
 * - reads come from a watched, cached cluster client (`@capt-endpoint/kubernetes`'s cached
 *   client in production; anything with the same shape in tests);
 * - once the cache has synced, every control plane it holds is queued (a controller started
 *   late, as a new leader is, hears of no earlier change); after that a change to a
 *   CAPTControlPlane queues it, and a change to anything else queues the control planes whose
 *   last reconcile read it (`DependencyIndex`, fed by the recording client); a change heard
 *   while that control plane is being reconciled queues it again once the reconcile ends,
 *   unless it is the echo of the reconcile's own write (that object at the resourceVersion
 *   the write returned, the write having carried the one it was planned from);
 * - a `WorkQueue` de-duplicates keys, runs at most `concurrency` reconciles at once, retries
 *   retryable failures with per-key exponential backoff and honours `requeueAfter`;
 * - a control plane whose reconcile read a Secret is reconciled again every `secretResyncMs`:
 *   Secrets are read with a GET, not watched (least privilege), so a change to one is heard at
 *   the next resync (or sooner, with the Workspace's status change that comes with it);
 * - one JSON log line per event; never object contents or Secret data; metrics when given;
 * - `stop()` stops taking work, lets in-flight reconciles finish (or aborts them), then stops
 *   the watches unless the caller owns them.
 *
 * A steady reconcile is recalled from the cached client's steady memo (ADR 0086, ADR 0093): no
 * read, plan or write, logged `"reads":0,"recalled":true`, only for control planes reconciled
 * in full once, the dependency index left as the last full reconcile left it.
 */
export const startController = (options: ControllerOptions): Controller => {
  const { cluster, logger, metrics } = options;
  const queue = new WorkQueue({
    ...options.queue,
    observer: metrics && {
      added: () => metrics.queueAdded(),
      retried: () => metrics.queueRetried(),
      handedOut: (waitedMs) => metrics.queueHandedOut(waitedMs),
      finished: (workedMs) => metrics.queueFinished(workedMs),
    },
  });
  metrics?.queueDepth(() => queue.length);
  metrics?.queueInFlight(() => queue.inFlight());
  const index = new DependencyIndex();
  const namespaces = options.namespaces === undefined || options.namespaces.length === 0 ? undefined : new Set(options.namespaces);
  const inScope = (namespace: string | undefined): boolean => namespaces === undefined || namespaces.has(namespace ?? '');
  const aborting = new AbortController();
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const signal = eitherSignal(aborting.signal, options.reconcile?.signal);
  // Every request in flight listens on this one signal: past Node's default of 10 listeners it
  // would warn of a leak at a concurrency of 6 or more, where there is none.
  setMaxListeners(concurrency * LISTENERS_PER_RECONCILE, signal);
  const secretResyncMs = options.secretResyncMs ?? DEFAULT_SECRET_RESYNC_MS;
  /** A Secret is not watched: what read one is looked at again after the resync period (the earliest schedule wins). */
  const resyncIfSecretRead = (key: string): void => {
    if (secretResyncMs > 0 && index.reads(key, '', 'Secret')) queue.addAfter(key, secretResyncMs);
  };

  /**
   * Changes heard of a control plane while it is being reconciled, kept until the reconcile
   * ends: then any that is not the echo of its own writes queues it again.
   */
  const heardWhileReconciling = new Map<string, CacheChange[]>();
  const wake = (key: string, change: CacheChange): void => {
    const heard = heardWhileReconciling.get(key);
    if (heard === undefined) queue.add(key);
    else heard.push(change);
  };
  const onChange = (change: CacheChange): void => {
    if (isControlPlane(change)) {
      if (inScope(change.namespace)) wake(controlPlaneKey(change.namespace, change.name), change);
      return;
    }
    for (const key of index.controlPlanesFor(change)) {
      logger.debug({ controlPlane: key, changed: describeRef(change), change: change.type }, 'dependency changed');
      wake(key, change);
    }
  };
  const unsubscribe = cluster.onChange(onChange);

  const recordEvent = async (target: { namespace: string; name: string }, result: Parameters<typeof endpointEventFor>[1]): Promise<void> => {
    const event = options.events === undefined ? undefined : endpointEventFor({ apiVersion: CONTROL_PLANE_API_VERSION, kind: 'CAPTControlPlane', ...target }, result);
    if (event === undefined || options.events === undefined) return;
    const recorded = await options.events.record(event)();
    // An Event is a courtesy: failing to record one changes nothing else. A refusal is a missing
    // permission no retry mends, so it is a warning; anything else passes.
    if (E.isLeft(recorded))
      logger[recorded.left.kind === 'Forbidden' ? 'warn' : 'debug'](
        { controlPlane: controlPlaneKey(target.namespace, target.name), reason: recorded.left.reason },
        `could not record an Event: ${recorded.left.message}`,
      );
  };

  /** Reconciles one control plane; resolves to the echoes of its own writes. */
  const reconcileKey = async (key: string): Promise<ReadonlySet<string>> => {
    const target = parseControlPlaneKey(key);
    // A recalled reconcile reads nothing, so the index keeps the entries of the reconcile that
    // computed the outcome: the memo may answer only once the index knows this control plane.
    const recording = recordingClient(cluster, { recall: index.has(key) });
    const started = Date.now();
    const result = await reconcileEndpoint(recording, target, { ...options.reconcile, signal })();
    const reads = recording.reads.map((read) => read.ref).filter((ref) => ref.kind !== 'CAPTControlPlane');
    const durationMs = Date.now() - started;
    // Contested: a write answered 409 because another writer changed the object first.
    const contested = recording.writes.filter((write) => write.error?.code === 409).length;
    const observe = (label: ReconcileLabel): void =>
      metrics?.reconciled({
        controlPlane: key,
        label,
        seconds: durationMs / 1000,
        result: E.isRight(result) ? result.right._tag : undefined,
        updated: E.isRight(result) ? result.right.updated : [],
        contested,
      });
    await recordEvent(target, result);
    if (E.isLeft(result)) {
      observe('error');
      index.record(key, reads, { replace: false });
      resyncIfSecretRead(key);
      const error = result.left;
      const fields = { controlPlane: key, error: error._tag, reason: error.reason, retryable: error.retryable, durationMs };
      if (error.retryable) {
        const retryInMs = queue.addRateLimited(key);
        logger.warn({ ...fields, retries: queue.retries(key), retryInMs }, error.message);
      } else {
        // Retrying cannot help until an object changes, and a change queues it again.
        queue.forget(key);
        logger.error(fields, error.message);
      }
      return echoesOf(recording.writes);
    }
    const outcome = result.right;
    observe(outcome.requeueAfter !== undefined ? 'requeue_after' : 'success');
    queue.forget(key);
    if (outcome._tag === 'ControlPlaneGone') {
      index.forget(key);
      metrics?.forget(key);
    } else {
      // A recalled outcome read nothing: what the control plane depends on is what it read last.
      if (!recording.recalled) index.record(key, reads, { replace: true });
      if (outcome.requeueAfter !== undefined) queue.addAfter(key, outcome.requeueAfter);
      resyncIfSecretRead(key);
    }
    const level = outcome._tag === 'Drift' ? 'warn' : 'info';
    logger.log(
      level,
      {
        controlPlane: key,
        result: outcome._tag,
        endpoint: outcome.endpoint,
        updated: outcome.updated,
        waitingOn: outcome.waitingOn,
        requeueAfterMs: outcome.requeueAfter,
        reads: recording.reads.length,
        ...(recording.recalled ? { recalled: true } : {}),
        writes: recording.writes.length,
        durationMs,
      },
      outcome.message,
    );
    return echoesOf(recording.writes);
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      metrics?.workerBusy(true);
      heardWhileReconciling.set(key, []);
      let echoes: ReadonlySet<string> = new Set();
      try {
        echoes = await reconcileKey(key);
      } catch (error) {
        // reconcileEndpoint never rejects; this guards the controller's own code.
        metrics?.panicked();
        logger.error({ controlPlane: key }, `reconcile crashed: ${error instanceof Error ? error.message : String(error)}`);
        queue.addRateLimited(key);
      } finally {
        const heard = heardWhileReconciling.get(key) ?? [];
        heardWhileReconciling.delete(key);
        if (heard.some((change) => !isEcho(change, echoes))) queue.add(key);
        metrics?.workerBusy(false);
        queue.done(key);
      }
    }
  };

  metrics?.workers(concurrency);
  logger.info({ namespaces: namespaces === undefined ? '(all)' : [...namespaces], concurrency }, 'controller starting');
  const workers = Array.from({ length: concurrency }, () => worker());
  let stopping: Promise<void> | undefined;
  // The cached client also resolves `synced()` when it is stopped: only a real sync is news.
  const synced = cluster.synced().then(() => {
    if (stopping !== undefined) return;
    const held = cluster.list(CONTROL_PLANE_API_VERSION, 'CAPTControlPlane') ?? [];
    let queued = 0;
    for (const object of held) {
      if (!inScope(object.metadata.namespace)) continue;
      queue.add(controlPlaneKey(object.metadata.namespace, object.metadata.name ?? ''));
      queued++;
    }
    logger.info({ controlPlanes: queued }, 'caches synced');
  });

  const stop = (stopOptions: StopOptions = {}): Promise<void> => {
    if (stopOptions.abort === true) aborting.abort();
    stopping ??= (async () => {
      logger.info({ queued: queue.length }, 'stopping: finishing in-flight reconciles');
      unsubscribe();
      queue.shutDown();
      const grace = stopOptions.graceMs === undefined ? undefined : setTimeout(() => aborting.abort(), stopOptions.graceMs);
      await Promise.all(workers);
      clearTimeout(grace);
      if (options.stopsCluster ?? true) await cluster.stop();
      logger.info({}, 'controller stopped');
    })();
    return stopping;
  };
  return { stop, synced };
};
