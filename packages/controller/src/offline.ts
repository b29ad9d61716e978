/**
 * @capt-endpoint/controller/offline: the parts of the controller that need no cluster and load
 * neither `@kubernetes/client-node` nor `prom-client`: the checks and defaults of its settings
 * (bind addresses, leader-election timing, the Secret resync), the dependency index and its
 * keys, and the recording client. A command's help, usage errors and offline commands import
 * only these, so they start without loading the Kubernetes client.
 *
 * @packageDocumentation
 */
export { DEFAULT_SECRET_RESYNC_MS } from './secretResync';
export { parseBindAddress, formatBindAddress, type BindAddress, type InvalidBindAddress } from './httpEndpoints';
export {
  leaderElectionTiming,
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  DEFAULT_JITTER_FACTOR,
  type LeaderElectionTiming,
  type InvalidLeaderElection,
} from './leaderElection';
export { DependencyIndex, objectKey, controlPlaneKey, parseControlPlaneKey } from './dependencyIndex';
export { recordingClient, type RecordingClient, type RecordingOptions, type RecordedRead, type RecordedWrite } from './recordingClient';
