/**
 * `capt-endpoint run`: the controller on a live cluster, through `@capt-endpoint/controller`'s
 * manager: the cached client, metrics and probes when asked for, leader election on a Lease
 * (on unless `--leader-elect=false`), and the controller while this process leads. It runs
 * until the signal aborts (SIGINT or SIGTERM in the bin): then it stops taking work, lets
 * in-flight reconciles finish (2 s at most), releases the Lease and exits 0. Leadership lost
 * (the Lease could not be renewed in time) ends it with status 1, as controller-runtime's
 * manager does: a restarted process comes back as a follower.
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { inert } from '@capt-endpoint/core/adapter';
import { jsonLogger, startManager, type JsonLogger } from '@capt-endpoint/controller';
import { batchedOutput } from './batchedOutput';
import type { Command } from './args';
import type { CliIO } from './cliIO';
import { memoryReport, readMemory } from './memory';
import { settlePretenuring } from './pretenuring';

type RunCommand = Extract<Command, { readonly _tag: 'Run' }>;

/** Where a Pod's service account token sits; its namespace file names the Pod's namespace. */
export const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The Lease's namespace when none is given: the Pod's own, else the kubeconfig context's, else `default`. */
export const leaseNamespace = (kubeConfig: KubeConfig, readPodNamespace: () => string | undefined = podNamespace): string =>
  readPodNamespace() ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';

const podNamespace = (): string | undefined => {
  try {
    const text = readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
};

const aborted = (signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (signal === undefined) return; // no way to stop: run until the process is killed
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });

export const runController = async (kubeConfig: KubeConfig, command: RunCommand, io: CliIO): Promise<number> => {
  const output = batchedOutput(io.stdout);
  const flushAtExit = (): void => output.flush();
  process.once('exit', flushAtExit);
  try {
    return await runWithLogger(kubeConfig, command, io, jsonLogger(output));
  } finally {
    output.flush();
    process.removeListener('exit', flushAtExit);
  }
};

const runWithLogger = async (kubeConfig: KubeConfig, command: RunCommand, io: CliIO, logger: JsonLogger): Promise<number> => {
  const { run } = command;
  const pretenuring = (io.settlePretenuring ?? settlePretenuring)();
  const memory = memoryReport((io.memory ?? readMemory)());
  logger.log(memory.level, { ...memory.fields, pretenuring }, memory.message);
  const manager = await startManager({
    kubeConfig,
    logger,
    reconcile: command.settings,
    concurrency: command.concurrency,
    events: command.events,
    shard: { namespaces: run.namespaces, labelSelector: run.labelSelector },
    leaderElection:
      run.leaderElection === false
        ? false
        : {
            namespace: run.leaderElection.namespace ?? leaseNamespace(kubeConfig),
            name: run.leaderElection.id,
            leaseDurationMs: run.leaderElection.leaseDurationMs,
            renewDeadlineMs: run.leaderElection.renewDeadlineMs,
            retryPeriodMs: run.leaderElection.retryPeriodMs,
          },
    metricsAddress: run.metricsAddress,
    metricsSecure: run.metricsSecure,
    metricsCertDir: run.metricsCertDir,
    healthAddress: run.healthAddress,
    secretResyncMs: run.secretResyncMs,
    cache: run.secretCacheNamespaces.length === 0 ? undefined : { secrets: { namespaces: run.secretCacheNamespaces } },
  });
  if (E.isLeft(manager)) {
    io.stderr.write(`capt-endpoint: ${inert(manager.left.message)}\n`);
    return 1;
  }
  const ended = await Promise.race([aborted(io.signal).then(() => 'signal' as const), manager.right.lost.then(() => 'lost' as const)]);
  if (ended === 'lost') {
    io.stderr.write('capt-endpoint: leader election lost: the Lease could not be renewed in time\n');
    return 1;
  }
  await manager.right.stop();
  logger.info({}, 'stopped');
  return 0;
};
