/**
 * @capt-endpoint/cli: the `capt-endpoint` command, and the pieces of its controller for reuse:
 * the work queue, the dependency index, the recording (and dry-run) client, the JSON logger and
 * the controller itself. `main(argv, io)` runs the command in-process.
 */
export { main, EXIT_USAGE, VERSION, type CliIO, type OutputStream } from './main';
export { parseCommandLine, DEFAULT_CONCURRENCY, type Command, type Connection, type OutputFormat } from './args';
export { commonSettings, parseOutputKey, type CommonFlags, type CommonSettings } from './settings';
export { usageError, HELP, type UsageError, type CommandName } from './usage';
export { recordingClient, type RecordingClient, type RecordedRead, type RecordedWrite } from './recordingClient';
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
export { WorkQueue, retryDelay, type WorkQueueOptions, type Timers } from './workQueue';
export { DependencyIndex, objectKey, controlPlaneKey, parseControlPlaneKey } from './dependencyIndex';
export { jsonLogger, type JsonLogger, type Level } from './jsonLogger';
export { startController, type Controller, type ControllerOptions, type WatchedCluster, type ObjectChange } from './controller';
export { runController } from './run';
export { reconcileOnce, type ClosableClient } from './reconcileOnce';
