/**
 * `capt-endpoint reconcile`: one reconcile against a live cluster, reported, with the client's
 * kept connections closed afterwards whatever happened, so a one-shot command leaves nothing open.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterClient } from '@capt-endpoint/core';
import { createKubernetesClient } from '@capt-endpoint/kubernetes';
import type { Command } from './args';
import type { CliIO } from './cliIO';
import { reconcileWithReport } from './report';
import { renderReport, styleFor } from './render';

type ReconcileCommand = Extract<Command, { readonly _tag: 'Reconcile' }>;

/** What the command needs of a client: the ClusterClient calls, and a close for the end. */
export type ClosableClient = ClusterClient & { close(): Promise<void> };

/**
 * `capt-endpoint reconcile`: one reconcile through the plain Kubernetes client, its report
 * printed; resolves to the exit status. `connect` is the Kubernetes client's constructor, or a
 * test's. With `--dry-run` the client is wrapped in `recordingClient(client, { dryRun: true })`:
 * reads go to the cluster, patches are answered as the server would and listed under `would
 * send`. Whatever the outcome, the client's kept connections are closed before it resolves; a
 * failed close does not change the status.
 */
export const reconcileOnce = async (
  kubeConfig: KubeConfig,
  command: ReconcileCommand,
  io: CliIO,
  connect: (kubeConfig: KubeConfig) => ClosableClient = createKubernetesClient,
): Promise<number> => {
  const client = connect(kubeConfig);
  try {
    // The signal (SIGINT or SIGTERM in the bin) ends the reconcile's requests: it reports what it got to.
    const report = await reconcileWithReport(client, command, { ...command.settings, signal: io.signal }, { dryRun: command.dryRun });
    io.stdout.write(renderReport(report, command.output, styleFor(io.stdout, io.env)));
    return report.exitCode;
  } finally {
    // Closing only tidies idle connections: its failure must not change the reconcile's status.
    await client.close().catch(() => undefined);
  }
};
