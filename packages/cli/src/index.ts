/**
 * @capt-endpoint/cli: the `capt-endpoint` command, a thin shell over the library: `explain`
 * and `demo` on the in-memory cluster of @capt-endpoint/testing (loaded only by them),
 * `reconcile` and `run` over @capt-endpoint/kubernetes and @capt-endpoint/controller, where the
 * controller's pieces live for reuse. `main(argv, io)` runs the command in-process.
 */
export { main, EXIT_USAGE, VERSION } from './main';
export type { CliIO, OutputStream } from './cliIO';
export type { MemoryReading } from './memory';
export { parseCommandLine, DEFAULT_CONCURRENCY, type Command, type Connection, type OutputFormat } from './args';
export { commonSettings, parseOutputKey, type CommonFlags, type CommonSettings } from './settings';
export { usageError, HELP, type UsageError, type CommandName } from './usage';
export {
  buildReport,
  reconcileWithReport,
  exitCodeOf,
  combinedExitCode,
  type Report,
  type ReportResult,
  type Check,
  type CheckStatus,
  type EndpointChange,
  type ReportedWrite,
} from './report';
export { renderReport, renderText, styleFor, colours, plain, type Style } from './render';
export { explain, seedFakeCluster, type ExplainError } from './explain';
export { loadManifests, type ManifestError } from './manifests';
export { loadKubeConfig, type KubeConfigError } from './kubeconfig';
export { playDemo, loadDemoManifests, demoManifestsFromFiles, type ManifestFiles, renderDemoStep, renderDemoJson, type DemoStep, type DemoManifests, type DemoError } from './demo';
export { runController, leaseNamespace } from './run';
export { runSettings, parseDuration, parseLabelSelector, DEFAULT_LEADER_ELECTION_ID, type RunSettings, type LeaderElectionFlags } from './runFlags';
export { reconcileOnce, type ClosableClient } from './reconcileOnce';
