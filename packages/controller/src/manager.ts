/**
 * The controller as a process runs it, in the manner of controller-runtime's manager: one
 * cache (informers) from the start, the metrics and probe endpoints, leader election, and the
 * controller loop while, and only while, this process leads.
 *
 * - A follower keeps its cache warm (and `/readyz` answers once it has synced) but runs no
 *   reconcile and writes nothing. On taking the Lease it starts the controller, which queues
 *   every control plane the cache holds.
 * - Writes go through a fence that refuses them whenever this process does not lead, so a
 *   reconcile that was in flight when leadership was lost cannot write after it.
 * - Leadership lost (a renewal did not succeed in time): the controller's in-flight reconciles
 *   are aborted and the manager ends, as controller-runtime's does; the process should exit
 *   and be restarted as a follower.
 * - `stop()` (SIGTERM): no new work; in-flight reconciles get a grace period; then the Lease is
 *   released so the next replica starts at once; then the cache and endpoints stop.
 * - A shard (namespaces, or a label selector on control planes) narrows what this manager
 *   reconciles, so several leaders, each with its own Lease, share the control planes.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ReconcileOptions } from '@capt-endpoint/core';
import { CONTROL_PLANE_API_VERSION, apiError } from '@capt-endpoint/core/adapter';
import {
  createCachedKubernetesClient,
  createEventRecorder,
  createKubernetesClient,
  defaultCachedKinds,
  kubeConfigProblem,
  type CachedKubernetesClientOptions,
} from '@capt-endpoint/kubernetes';
import { startController, type Controller, type WatchedCluster } from './controller';
import type { Registry } from 'prom-client';
import { formatBindAddress, startHttpEndpoints, type BindAddress, type HttpEndpoints, type HttpEndpointsOptions } from './httpEndpoints';
import type { JsonLogger } from './jsonLogger';
import { createLeaderElector, type InvalidLeaderElection, type LeaderElectionTiming, type LeaderElector } from './leaderElection';
import { LEASE_RESOURCE } from './lease';
import { createMetricsAuthorizer, reviewApisOf, type MetricsAuthOptions } from './metricsAuth';
import { servingCert } from './servingCert';
import { createControllerMetrics, type ControllerMetrics } from './metrics';
import type { WorkQueueOptions } from './workQueue';

/**
 * Which control planes this manager owns. Several managers with disjoint shards (and their own
 * Leases) share a cluster. Nothing checks that shards are disjoint or cover every control plane.
 * Objects the control planes read are not labelled by CAPT, so every shard caches all of them;
 * with several namespaces the cache holds all and only the listed ones are reconciled.
 */
export interface Shard {
  /** Only control planes in these namespaces. One namespace also narrows the cache to it. */
  readonly namespaces?: readonly string[] | undefined;
  /** Only control planes whose labels match (Kubernetes label selector syntax; the API server applies it to the control plane watch). */
  readonly labelSelector?: string | undefined;
}

export interface LeaderElectionSettings extends Partial<LeaderElectionTiming> {
  /** Where the Lease lives (usually the controller's own namespace). */
  readonly namespace: string;
  /** The Lease's name: one per shard. */
  readonly name: string;
  readonly identity?: string | undefined;
}

export interface ManagerOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: JsonLogger;
  readonly reconcile?: ReconcileOptions | undefined;
  /** Reconciles at once. Default 2. */
  readonly concurrency?: number | undefined;
  readonly shard?: Shard | undefined;
  /** Record Kubernetes Events on the control planes. Default true. */
  readonly events?: boolean | undefined;
  /** `false` runs the controller at once, with no Lease (one replica only). */
  readonly leaderElection: LeaderElectionSettings | false;
  readonly metricsAddress?: BindAddress | undefined;
  /**
   * Serve metrics securely, as controller-runtime does (default true): HTTPS, each caller
   * authenticated with a TokenReview and authorised with a SubjectAccessReview for get on
   * `/metrics`. `false` serves plain HTTP, on 127.0.0.1 when the address names no host.
   */
  readonly metricsSecure?: boolean | undefined;
  /** Where `tls.crt` and `tls.key` are; default a self-signed certificate made at start. */
  readonly metricsCertDir?: string | undefined;
  /** The verdict cache and the bound on concurrent reviews. */
  readonly metricsAuth?: MetricsAuthOptions | undefined;
  readonly healthAddress?: BindAddress | undefined;
  /** How long `stop()` lets in-flight reconciles run before aborting them. Default 2000 ms. */
  readonly stopGraceMs?: number | undefined;
  /** How often a control plane that read a Secret is reconciled again (the controller's `secretResyncMs`). */
  readonly secretResyncMs?: number | undefined;
  /** Cache options beyond those the manager sets (backoff, page size, timeouts, the opt-in `secrets` cache). */
  readonly cache?: Omit<CachedKubernetesClientOptions, 'namespace' | 'kinds' | 'onRequest' | 'onError'> | undefined;
  readonly queue?: WorkQueueOptions | undefined;
}

export interface BindFailed {
  readonly _tag: 'BindFailed';
  readonly message: string;
}

/** The kubeconfig cannot be used (none found, no cluster, plain http): nothing was started. */
export interface KubeConfigUnusable {
  readonly _tag: 'KubeConfigUnusable';
  readonly message: string;
}

export type ManagerError = InvalidLeaderElection | BindFailed | KubeConfigUnusable;

export interface Manager {
  readonly metrics: ControllerMetrics;
  readonly metricsAddress: BindAddress | undefined;
  readonly healthAddress: BindAddress | undefined;
  /** Undefined without leader election. */
  readonly elector: LeaderElector | undefined;
  /** Resolves when leadership is lost; the manager has then stopped everything. Never resolves otherwise. */
  readonly lost: Promise<void>;
  /** Stops cleanly (release included). Idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_STOP_GRACE_MS = 2000;

/** The cluster, with its writes refused while `leads()` is false. */
export const leaderOnlyWrites = (cluster: WatchedCluster, leads: () => boolean): WatchedCluster => {
  const refused = TE.left(apiError('Unavailable', 'this replica does not lead: it writes nothing'));
  return {
    ...cluster,
    list: cluster.list.bind(cluster),
    onChange: cluster.onChange.bind(cluster),
    synced: cluster.synced.bind(cluster),
    stop: cluster.stop.bind(cluster),
    get: (ref, options) => cluster.get(ref, options),
    patch: (ref, patch, options) => (leads() ? cluster.patch(ref, patch, options) : refused),
    patchStatus: (ref, patch, options) => (leads() ? cluster.patchStatus(ref, patch, options) : refused),
  };
};

const cacheScope = (options: ManagerOptions): Pick<CachedKubernetesClientOptions, 'namespace' | 'kinds'> => {
  const namespaces = options.shard?.namespaces ?? [];
  const namespace = namespaces.length === 1 ? namespaces[0] : undefined;
  const labelSelector = options.shard?.labelSelector;
  if (labelSelector === undefined) return { namespace };
  const kinds = defaultCachedKinds({ workspaceApiVersion: options.reconcile?.workspaceApiVersion, ...options.cache }).map((kind) =>
    kind.kind === 'CAPTControlPlane' && kind.apiVersion === CONTROL_PLANE_API_VERSION ? { ...kind, labelSelector } : kind,
  );
  return { namespace, kinds };
};

/** The metrics endpoint as `options` ask for it: secure (the default), or plain HTTP, on loopback unless a host is named. */
const metricsEndpoint = async (
  options: ManagerOptions,
  address: BindAddress,
  registry: Registry,
  onRequest: (method: string, code: number | undefined) => void,
): Promise<NonNullable<HttpEndpointsOptions['metrics']>> =>
  options.metricsSecure === false
    ? { address: address.host === '' ? { ...address, host: '127.0.0.1' } : address, registry }
    : {
        address,
        registry,
        secure: {
          tls: await servingCert(options.metricsCertDir),
          authorize: createMetricsAuthorizer(reviewApisOf(options.kubeConfig, onRequest), {
            ...options.metricsAuth,
            onReviewFailed: (error) => {
              options.metricsAuth?.onReviewFailed?.(error);
              options.logger.warn({ reason: error.reason, code: error.code }, `a metrics caller could not be reviewed, answered 503: ${error.message}`);
            },
          }),
        },
      };

/**
 * The controller over a live cluster, as controller-runtime's manager: the cached client from
 * the start (a follower's cache stays warm and `/readyz` turns ready once it has synced), the
 * HTTP endpoints, leader election, and the controller while leading, its writes through a fence
 * that closes the moment leadership ends. Losing the Lease aborts in-flight reconciles and
 * resolves `lost`; `stop()` gives them `stopGraceMs`, then releases the Lease. No
 * `clusterApiVersion` is set: Clusters are cached at the version the server serves.
 *
 * Probes: `/healthz` is 200 unless this replica leads past its renew deadline or lost the
 * Lease; `/readyz` 200 once the cache has synced, 503 before. Metrics are served securely by
 * default: HTTPS with `metricsCertDir`'s `tls.crt` and `tls.key`, else a self-signed P-256
 * certificate made at start, each caller reviewed (`createMetricsAuthorizer`). Probes stay plain
 * HTTP. The same address for both (with `metricsSecure: false`) serves all paths on one port;
 * only GET and HEAD are answered, within `DEFAULT_HTTP_LIMITS`.
 */
export const startManager = async (options: ManagerOptions): Promise<E.Either<ManagerError, Manager>> => {
  const { logger, kubeConfig } = options;
  // Every request would fail the same way; the informers would retry it forever.
  const unusable = kubeConfigProblem(kubeConfig);
  if (unusable !== undefined) return E.left({ _tag: 'KubeConfigUnusable', message: unusable.message });
  const metrics = createControllerMetrics();
  // Every request this manager sends is counted: reads, lists and watches, writes, Leases, Events and the metrics reviews.
  const onRequest = (method: string, code: number | undefined): void => metrics.request(method, code);
  const leaseClient = options.leaderElection === false ? undefined : createKubernetesClient(kubeConfig, { resources: [LEASE_RESOURCE], onRequest });
  let controller: Controller | undefined;
  let leading = options.leaderElection === false;
  const elector =
    options.leaderElection === false || leaseClient === undefined
      ? E.right(undefined)
      : createLeaderElector({
          ...options.leaderElection,
          client: leaseClient,
          logger,
          onStartedLeading: () => {
            leading = true;
            metrics.leading(true);
            startReconciling();
          },
          onStoppedLeading: (why) => {
            leading = false;
            metrics.leading(false);
            if (why === 'lost') onLost();
          },
          onNewLeader: (identity) => logger.info({ leader: identity === '' ? '(none)' : identity }, 'the Lease has a new holder'),
        });
  if (E.isLeft(elector)) return elector;
  // A candidate is a backup until it leads; without leader election the gauge has no series, as controller-runtime's.
  if (elector.right !== undefined) metrics.leading(false);

  const cache = createCachedKubernetesClient(kubeConfig, {
    workspaceApiVersion: options.reconcile?.workspaceApiVersion,
    ...options.cache,
    ...cacheScope(options),
    onRequest,
    onError: (error, kind, retry) =>
      // A version the API server does not serve, moved on from at once (Clusters on Cluster API 1.16): news, not a failure.
      error.kind === 'NotServed' && retry.delayMs === 0
        ? logger.info({ watch: `${kind.apiVersion}/${kind.kind}`, reason: error.reason }, error.message)
        : logger.warn(
            { watch: `${kind.apiVersion}/${kind.kind}`, reason: error.reason, attempt: retry.attempt, retryInMs: retry.delayMs },
            `watch failed, retrying in ${retry.delayMs} ms: ${error.message}`,
          ),
  });
  let endpoints: HttpEndpoints;
  try {
    endpoints = await startHttpEndpoints({
      metrics: options.metricsAddress === undefined ? undefined : await metricsEndpoint(options, options.metricsAddress, metrics.registry, onRequest),
      health:
        options.healthAddress === undefined
          ? undefined
          : {
              address: options.healthAddress,
              healthz: () => (elector.right === undefined || elector.right.healthy() ? { ok: true } : { ok: false, reason: 'the Lease was not renewed within the renew deadline' }),
              readyz: () => (cache.hasSynced() ? { ok: true } : { ok: false, reason: 'caches not synced' }),
            },
    });
  } catch (error) {
    await cache.stop();
    await leaseClient?.close();
    return E.left({ _tag: 'BindFailed', message: `cannot serve metrics or probes: ${error instanceof Error ? error.message : String(error)}` });
  }
  for (const [what, address] of [
    ['metrics', endpoints.metricsAddress],
    ['health probes', endpoints.healthAddress],
  ] as const)
    if (address !== undefined) logger.info({ address: formatBindAddress(address) }, `serving ${what}`);

  // The elector's own verdict too: past the renew deadline it no longer leads, even before the renewal gives up.
  const fenced = leaderOnlyWrites(cache, () => leading && (elector.right?.isLeader() ?? true));
  const events = options.events === false ? undefined : createEventRecorder(kubeConfig, { onRequest });
  function startReconciling(): void {
    controller ??= startController({
      cluster: fenced,
      logger,
      reconcile: options.reconcile,
      namespaces: options.shard?.namespaces,
      concurrency: options.concurrency,
      events,
      metrics,
      queue: options.queue,
      secretResyncMs: options.secretResyncMs,
      stopsCluster: false,
    });
  }

  let stopping: Promise<void> | undefined;
  const election = new AbortController();
  let markLost: () => void = () => undefined;
  const lost = new Promise<void>((resolve) => (markLost = resolve));
  const shutDown = async (): Promise<void> => {
    await endpoints.close();
    await cache.stop();
    await leaseClient?.close();
  };
  function onLost(): void {
    stopping ??= (async () => {
      await controller?.stop({ abort: true });
      await shutDown();
      markLost();
    })();
  }

  const running = elector.right?.run(election.signal);
  if (elector.right === undefined) startReconciling();

  return E.right({
    metrics,
    metricsAddress: endpoints.metricsAddress,
    healthAddress: endpoints.healthAddress,
    elector: elector.right,
    lost,
    stop: () => {
      stopping ??= (async () => {
        // Still leading while in-flight reconciles finish; the Lease goes only after them.
        await controller?.stop({ graceMs: options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS });
        election.abort();
        await running;
        await shutDown();
      })();
      return stopping;
    },
  });
};
