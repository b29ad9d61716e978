/**
 * @capt-endpoint/controller: what a controller for CAPT control plane endpoints needs beyond the
 * library's reconcile, to embed in an operator or to deploy as it is: leader election on a
 * Lease, probes and Prometheus metrics.
 */
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
} from './httpEndpoints';
