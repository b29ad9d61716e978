/**
 * `capt-endpoint run`: the controller on a live cluster. Reads come from the cached Kubernetes
 * client (informers for control planes, WorkspaceTemplateApplies, Workspaces, Clusters and
 * connection Secrets); the controller runs until the signal aborts (SIGINT or SIGTERM in the
 * bin), then stops taking work, finishes in-flight reconciles, stops the informers and exits 0.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { createCachedKubernetesClient, createEventRecorder } from '@capt-endpoint/kubernetes';
import type { Command } from './args';
import { startController } from './controller';
import { jsonLogger } from './jsonLogger';
import type { CliIO } from './main';

type RunCommand = Extract<Command, { readonly _tag: 'Run' }>;

const aborted = (signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (signal === undefined) return; // no way to stop: run until the process is killed
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });

export const runController = async (kubeConfig: KubeConfig, command: RunCommand, io: CliIO): Promise<number> => {
  const logger = jsonLogger(io.stdout);
  const cluster = createCachedKubernetesClient(kubeConfig, {
    namespace: command.namespace,
    workspaceApiVersion: command.settings.workspaceApiVersion,
    onError: (error, kind, retry) =>
      logger.warn(
        { watch: `${kind.apiVersion}/${kind.kind}`, reason: error.reason, attempt: retry.attempt, retryInMs: retry.delayMs },
        `watch failed, retrying in ${retry.delayMs} ms: ${error.message}`,
      ),
  });
  const controller = startController({
    cluster,
    logger,
    reconcile: command.settings,
    namespace: command.namespace,
    concurrency: command.concurrency,
    events: command.events ? createEventRecorder(kubeConfig) : undefined,
  });
  await aborted(io.signal);
  await controller.stop();
  return 0;
};
