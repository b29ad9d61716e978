/**
 * A controller built on @capt-endpoint/controller, as an operator would deploy it: the manager
 * caches the cluster, serves metrics and probes, and reconciles every control plane's endpoint
 * while it holds the Lease. Two copies of it against one API server share the work the way two
 * replicas of deploy/kubernetes/deployment.yaml do: one leads, the other waits with a warm cache.
 *
 * examples/leader-elected-controller.test.ts runs it against @capt-endpoint/testing's loopback
 * API server; in a cluster, load the KubeConfig with `loadFromCluster()` instead.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { jsonLogger, parseBindAddress, startManager, type Manager } from '@capt-endpoint/controller';

export interface ExampleControllerOptions {
  /** Where its JSON log lines go. */
  readonly log: { write(text: string): unknown };
  /** Who this replica is in the Lease (default the host name and a random suffix). */
  readonly identity?: string;
  /** `HOST:PORT` for metrics and probes on one port, or `0` for none. */
  readonly listen?: string;
}

export const startExampleController = async (kubeConfig: KubeConfig, options: ExampleControllerOptions): Promise<Manager> => {
  const address = parseBindAddress(options.listen ?? '0');
  if (E.isLeft(address)) throw new Error(address.left.message);
  const manager = await startManager({
    kubeConfig,
    logger: jsonLogger(options.log),
    reconcile: { onEndpointChange: 'keep' },
    concurrency: 4,
    // Short settings so the example hands over in about a second; the defaults are client-go's 15 s / 10 s / 2 s.
    leaderElection: { namespace: 'capt-endpoint-system', name: 'capt-endpoint', identity: options.identity, leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 250 },
    metricsAddress: address.right,
    // Metrics and probes on one plain HTTP port, for a local example; a deployment keeps the default (HTTPS, each scraper reviewed).
    metricsSecure: false,
    healthAddress: address.right,
  });
  if (E.isLeft(manager)) throw new Error(manager.left.message);
  return manager.right;
};
