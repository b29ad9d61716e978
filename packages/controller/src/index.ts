/**
 * @capt-endpoint/controller: a controller for CAPT control plane endpoints, to embed in an
 * operator or to run as it is: the controller loop, its work queue, dependency index,
 * recording (and dry-run) client and JSON logger; leader election on a Lease; probes and
 * Prometheus metrics; and the manager that puts them together over a live cluster.
 */
export { startController, type Controller, type ControllerOptions, type StopOptions, type WatchedCluster, type ObjectChange } from './controller';
export { DEFAULT_SECRET_RESYNC_MS } from './secretResync';
export { WorkQueue, retryDelay, DEFAULT_RETRY_JITTER, type WorkQueueOptions, type WorkQueueObserver, type InFlight, type Timers } from './workQueue';
export { DependencyIndex, objectKey, controlPlaneKey, parseControlPlaneKey } from './dependencyIndex';
export { recordingClient, type RecordingClient, type RecordingOptions, type RecordedRead, type RecordedWrite } from './recordingClient';
export { jsonLogger, type JsonLogger, type Level } from './jsonLogger';
export { LEASE_API_VERSION, LEASE_RESOURCE, leaseRef, leaseRecordOf, leaseObject, leasePatch, microTime, type LeaseRecord } from './lease';
export {
  createLeaderElector,
  leaderElectionTiming,
  defaultIdentity,
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  DEFAULT_JITTER_FACTOR,
  RELEASE_TIMEOUT_MS,
  type LeaseClient,
  type LeaderElector,
  type LeaderElectionOptions,
  type LeaderElectionTiming,
  type InvalidLeaderElection,
} from './leaderElection';
export {
  createControllerMetrics,
  DEFAULT_CONTROLLER_NAME,
  type ControllerMetrics,
  type ControllerMetricsOptions,
  type ReconcileObservation,
  type ReconcileLabel,
} from './metrics';
export {
  startHttpEndpoints,
  parseBindAddress,
  formatBindAddress,
  type BindAddress,
  type InvalidBindAddress,
  type Check,
  type HttpEndpoints,
  type HttpEndpointsOptions,
  type HttpLimits,
  type SecureMetrics,
  DEFAULT_HTTP_LIMITS,
} from './httpEndpoints';
export {
  startManager,
  leaderOnlyWrites,
  DEFAULT_STOP_GRACE_MS,
  type Manager,
  type ManagerOptions,
  type ManagerError,
  type BindFailed,
  type KubeConfigUnusable,
  type Shard,
  type LeaderElectionSettings,
} from './manager';
export { createMetricsAuthorizer, reviewApisOf, type MetricsAuthOptions, type MetricsAuthorizer, type MetricsVerdict, type ReviewApis } from './metricsAuth';
export { servingCert, selfSignedServingCert, readServingCert, CERT_FILE, KEY_FILE, type ServingCert } from './servingCert';
