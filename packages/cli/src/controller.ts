/**
 * A small controller built only on the library's public API, the reference for embedding
 * `reconcileEndpoint` in an operator:
 *
 * - reads come from a watched, cached cluster client (`@capt-endpoint/kubernetes`'s cached
 *   client in production; anything with the same shape in tests);
 * - a change to a CAPTControlPlane queues it; a change to anything else queues the control
 *   planes whose last reconcile read it (`DependencyIndex`, fed by the recording client);
 * - a `WorkQueue` de-duplicates keys, runs at most `concurrency` reconciles at once, retries
 *   retryable failures with per-key exponential backoff and honours `requeueAfter`;
 * - one JSON log line per event; never object contents or Secret data;
 * - `stop()` stops taking work, lets in-flight reconciles finish, then stops the watches.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  CONTROL_PLANE_API_VERSION,
  describeRef,
  reconcileEndpoint,
  type ClusterClient,
  type ObjectChange,
  type ReconcileOptions,
} from '@capt-endpoint/core';
import { endpointEventFor, type EventRecorder } from '@capt-endpoint/kubernetes';
import { controlPlaneKey, DependencyIndex, parseControlPlaneKey } from './dependencyIndex';
import type { JsonLogger } from './jsonLogger';
import { recordingClient } from './recordingClient';
import { WorkQueue, type WorkQueueOptions } from './workQueue';

export type { ObjectChange } from '@capt-endpoint/core';

/** A cluster client whose reads are served from watches: the shape of the cached Kubernetes client. */
export interface WatchedCluster extends ClusterClient {
  onChange(listener: (change: ObjectChange) => void): () => void;
  /** Resolves once the watches have listed once. */
  synced(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerOptions {
  readonly cluster: WatchedCluster;
  readonly logger: JsonLogger;
  /** Reconcile options (output keys, policies, ...); the controller adds nothing but its own calls. */
  readonly reconcile?: ReconcileOptions | undefined;
  /** Reconcile control planes of this namespace only. */
  readonly namespace?: string | undefined;
  /** Reconciles at once. Default 2. */
  readonly concurrency?: number | undefined;
  readonly queue?: WorkQueueOptions | undefined;
  /** Records an Event for results worth one (endpoint set, drift, invalid, cleared); see `endpointEventFor`. */
  readonly events?: Pick<EventRecorder, 'record'> | undefined;
}

export interface Controller {
  /** Stops taking work, waits for in-flight reconciles, stops the watches. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once the watches have synced. */
  readonly synced: Promise<void>;
}

export const startController = (options: ControllerOptions): Controller => {
  const { cluster, logger } = options;
  const queue = new WorkQueue(options.queue);
  const index = new DependencyIndex();

  const onChange = (change: ObjectChange): void => {
    if (change.kind === 'CAPTControlPlane' && change.apiVersion === CONTROL_PLANE_API_VERSION) {
      if (options.namespace !== undefined && change.namespace !== options.namespace) return;
      queue.add(controlPlaneKey(change.namespace, change.name));
      return;
    }
    for (const key of index.controlPlanesFor(change)) {
      logger.debug({ controlPlane: key, changed: describeRef(change), change: change.type }, 'dependency changed');
      queue.add(key);
    }
  };
  const unsubscribe = cluster.onChange(onChange);

  const recordEvent = async (target: { namespace: string; name: string }, result: Parameters<typeof endpointEventFor>[1]): Promise<void> => {
    const event = options.events === undefined ? undefined : endpointEventFor({ apiVersion: CONTROL_PLANE_API_VERSION, kind: 'CAPTControlPlane', ...target }, result);
    if (event === undefined || options.events === undefined) return;
    const recorded = await options.events.record(event)();
    // An Event is a courtesy: failing to record one changes nothing else.
    if (E.isLeft(recorded)) logger.debug({ controlPlane: controlPlaneKey(target.namespace, target.name), reason: recorded.left.reason }, `could not record an Event: ${recorded.left.message}`);
  };

  const reconcileKey = async (key: string): Promise<void> => {
    const target = parseControlPlaneKey(key);
    const recording = recordingClient(cluster);
    const started = Date.now();
    const result = await reconcileEndpoint(recording, target, options.reconcile ?? {})();
    const reads = recording.reads.map((read) => read.ref).filter((ref) => ref.kind !== 'CAPTControlPlane');
    const durationMs = Date.now() - started;
    await recordEvent(target, result);
    if (E.isLeft(result)) {
      index.record(key, reads, { replace: false });
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
      return;
    }
    const outcome = result.right;
    queue.forget(key);
    if (outcome._tag === 'ControlPlaneGone') {
      index.forget(key);
    } else {
      index.record(key, reads, { replace: true });
      if (outcome.requeueAfter !== undefined) queue.addAfter(key, outcome.requeueAfter);
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
        writes: recording.writes.length,
        durationMs,
      },
      outcome.message,
    );
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcileKey(key);
      } catch (error) {
        // reconcileEndpoint never rejects; this guards the controller's own code.
        logger.error({ controlPlane: key }, `reconcile crashed: ${error instanceof Error ? error.message : String(error)}`);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };

  const concurrency = Math.max(1, options.concurrency ?? 2);
  logger.info({ namespace: options.namespace ?? '(all)', concurrency }, 'controller starting');
  const workers = Array.from({ length: concurrency }, () => worker());
  let stopping: Promise<void> | undefined;
  // The cached client also resolves `synced()` when it is stopped: only a real sync is news.
  const synced = cluster.synced().then(() => {
    if (stopping === undefined) logger.info({}, 'caches synced');
  });

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ queued: queue.length }, 'stopping: finishing in-flight reconciles');
      unsubscribe();
      queue.shutDown();
      await Promise.all(workers);
      await cluster.stop();
      logger.info({}, 'stopped');
    })();
    return stopping;
  };
  return { stop, synced };
};
