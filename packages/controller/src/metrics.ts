/** The controller's Prometheus metrics (see `createControllerMetrics`). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReconcileResult, WrittenObject } from '@capt-endpoint/core';
import type { InFlight } from './workQueue';

/** controller-runtime's `result` label: how a reconcile ended, as its Reconciler would return. */
export type ReconcileLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

/** controller-runtime's reconcile time buckets, in seconds. */
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0,
  4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** controller-runtime's work queue buckets: 10 ns to 1000 s, ten times apart (`ExponentialBuckets(10e-9, 10, 12)`). */
const WORKQUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1)));

export interface ReconcileObservation {
  readonly controlPlane: string;
  readonly label: ReconcileLabel;
  readonly seconds: number;
  /** The outcome's tag when the reconcile returned one. */
  readonly result: ReconcileResult | undefined;
  /** What the reconcile wrote. */
  readonly updated: readonly WrittenObject[];
  /** Writes answered 409 Conflict: another writer changed the object first. */
  readonly contested: number;
}

export interface ControllerMetrics {
  readonly registry: Registry;
  reconciled(observation: ReconcileObservation): void;
  /** The control plane is gone: it no longer counts as drifted. */
  forget(controlPlane: string): void;
  queueAdded(): void;
  queueRetried(): void;
  /** A key was handed to a worker after waiting this long since it was added. */
  queueHandedOut(waitedMs: number): void;
  /** A worker is done with a key it held this long. */
  queueFinished(workedMs: number): void;
  /** Read at every scrape. */
  queueDepth(read: () => number): void;
  /** Read at every scrape: how long the keys in flight have been held. */
  queueInFlight(read: () => InFlight): void;
  /** One API request's answer: `code` is the HTTP status, or `<error>` when none came. */
  request(method: string, code: number | undefined): void;
  /** Whether this replica leads its Lease; never told without leader election, when the gauge has no series (as controller-runtime's). */
  leading(isLeader: boolean): void;
  workers(count: number): void;
  /** A worker took (`true`) or finished (`false`) a reconcile. */
  workerBusy(busy: boolean): void;
  /** A reconcile threw (controller-runtime's panic): the controller's own fault, not the API's. */
  panicked(): void;
}

export interface ControllerMetricsOptions {
  /** Default a new Registry. */
  readonly registry?: Registry | undefined;
  /** The `controller` label. Default `captcontrolplane-endpoint`. */
  readonly controller?: string | undefined;
  /** The `name` label of the work queue and the Lease. */
  readonly name?: string | undefined;
  /** Also Node's process metrics (`process_*`, `nodejs_*`). Default true. */
  readonly processMetrics?: boolean | undefined;
}

export const DEFAULT_CONTROLLER_NAME = 'captcontrolplane-endpoint';

/**
 * The controller's Prometheus metrics, through prom-client, under controller-runtime's and
 * client-go's names where one exists, so dashboards and alerts written for Go operators work
 * as they are; and the project's own under `capt_endpoint_`. The registry is the caller's or a
 * new one (never prom-client's global one, so two controllers in one process do not collide).
 *
 * controller-runtime's `controller_runtime_reconcile_total` (`result`: success, error, requeue,
 * requeue_after), `_reconcile_errors_total`, `_reconcile_panics_total`, `_reconcile_time_seconds`
 * (its buckets), `_max_concurrent_reconciles` and `_active_workers`; client-go's work queue
 * metrics as controller-runtime registers them (`workqueue_depth`, `_adds_total`,
 * `_retries_total`, `_queue_duration_seconds`, `_work_duration_seconds`,
 * `_unfinished_work_seconds`, `_longest_running_processor_seconds`; labels `name`,
 * `controller`), `rest_client_requests_total` (`code`, `method`: every request sent, watches as
 * GET) and `leader_election_master_status` (1 leading, 0 waiting, no series without election);
 * the project's `capt_endpoint_reconcile_results_total` (`result`: the outcome's tag or `Error`),
 * `capt_endpoint_endpoint_writes_total` (`object`: CAPTControlPlane, Cluster,
 * CAPTControlPlaneStatus), `capt_endpoint_drifted_control_planes` and
 * `capt_endpoint_contested_writes_total` (writes answered 409).
 */
export const createControllerMetrics = (options: ControllerMetricsOptions = {}): ControllerMetrics => {
  const registry = options.registry ?? new Registry();
  const controller = options.controller ?? DEFAULT_CONTROLLER_NAME;
  const name = options.name ?? controller;
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const perController = { labelNames: ['controller'] as const, registers };
  const reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'] as const,
    registers,
  });
  const reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    ...perController,
  });
  const reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    buckets: RECONCILE_BUCKETS,
    ...perController,
  });
  const maxWorkers = new Gauge({
    name: 'controller_runtime_max_concurrent_reconciles',
    help: 'Maximum number of concurrent reconciles per controller',
    ...perController,
  });
  const activeWorkers = new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller',
    ...perController,
  });
  const panics = new Counter({
    name: 'controller_runtime_reconcile_panics_total',
    help: 'Total number of reconciliation panics per controller',
    ...perController,
  });
  // Zero rows for every result, as controller-runtime initialises them, so rates start at 0.
  for (const result of ['success', 'error', 'requeue', 'requeue_after'] as const) reconcileTotal.inc({ controller, result }, 0);
  reconcileErrors.inc({ controller }, 0);
  panics.inc({ controller }, 0);
  activeWorkers.set({ controller }, 0);

  // The work queue's, as controller-runtime registers client-go's: labelled by `name` and `controller`, both the queue's name.
  const queue = { name, controller: name };
  const perQueue = { labelNames: ['name', 'controller'] as const, registers };
  let depth: () => number = () => 0;
  let inFlight: () => InFlight = () => ({ totalMs: 0, longestMs: 0 });
  new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    ...perQueue,
    collect() {
      this.set(queue, depth());
    },
  });
  const adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', ...perQueue });
  const retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', ...perQueue });
  adds.inc(queue, 0);
  retries.inc(queue, 0);
  const waited = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    buckets: WORKQUEUE_BUCKETS,
    ...perQueue,
  });
  const worked = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes.',
    buckets: WORKQUEUE_BUCKETS,
    ...perQueue,
  });
  waited.zero(queue);
  worked.zero(queue);
  new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help:
      "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
    ...perQueue,
    collect() {
      this.set(queue, inFlight().totalMs / 1000);
    },
  });
  new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running.',
    ...perQueue,
    collect() {
      this.set(queue, inFlight().longestMs / 1000);
    },
  });

  const requests = new Counter({
    name: 'rest_client_requests_total',
    help: 'Number of HTTP requests, partitioned by status code and method',
    labelNames: ['code', 'method'] as const,
    registers,
  });
  const leader = new Gauge({
    name: 'leader_election_master_status',
    help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
    labelNames: ['name'] as const,
    registers,
  });

  const results = new Counter({
    name: 'capt_endpoint_reconcile_results_total',
    help: 'Reconciles by outcome: Updated, UpToDate, Waiting, Drift, CleanedUp, ControlPlaneGone, or Error',
    labelNames: ['result'] as const,
    registers,
  });
  const writes = new Counter({
    name: 'capt_endpoint_endpoint_writes_total',
    help: 'Writes of the endpoint and its condition, by object written (CAPTControlPlane, Cluster, CAPTControlPlaneStatus)',
    labelNames: ['object'] as const,
    registers,
  });
  const contested = new Counter({
    name: 'capt_endpoint_contested_writes_total',
    help: 'Writes answered 409 Conflict because another writer changed the object first',
    registers,
  });
  const drifted = new Set<string>();
  new Gauge({
    name: 'capt_endpoint_drifted_control_planes',
    help: 'Control planes whose last reconcile found the Workspace endpoint different from the one they hold',
    registers,
    collect() {
      this.set(drifted.size);
    },
  });

  return {
    registry,
    reconciled: (o) => {
      reconcileTotal.inc({ controller, result: o.label });
      if (o.label === 'error') reconcileErrors.inc({ controller });
      reconcileTime.observe({ controller }, o.seconds);
      results.inc({ result: o.result ?? 'Error' });
      for (const object of o.updated) writes.inc({ object });
      if (o.contested > 0) contested.inc(o.contested);
      // An error says nothing new about drift: the last outcome stands.
      if (o.result === 'Drift') drifted.add(o.controlPlane);
      else if (o.result !== undefined) drifted.delete(o.controlPlane);
    },
    forget: (controlPlane) => {
      drifted.delete(controlPlane);
    },
    queueAdded: () => adds.inc(queue),
    queueRetried: () => retries.inc(queue),
    queueHandedOut: (waitedMs) => waited.observe(queue, waitedMs / 1000),
    queueFinished: (workedMs) => worked.observe(queue, workedMs / 1000),
    queueDepth: (read) => {
      depth = read;
    },
    queueInFlight: (read) => {
      inFlight = read;
    },
    request: (method, code) => requests.inc({ method, code: code === undefined ? '<error>' : String(code) }),
    leading: (isLeader) => leader.set({ name }, isLeader ? 1 : 0),
    workers: (count) => maxWorkers.set({ controller }, count),
    workerBusy: (busy) => (busy ? activeWorkers.inc({ controller }) : activeWorkers.dec({ controller })),
    panicked: () => panics.inc({ controller }),
  };
};
