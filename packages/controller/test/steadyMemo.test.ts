// The controller over the cached client's steady memo (ADR 0086): a steady reconcile is
// recalled, not planned again, and the dependency index keeps what the control plane depends on,
// so a change to its Workspace still wakes it.
import { KubeConfig } from '@kubernetes/client-node';
import type { ObjectChange, SteadyMemo } from '@capt-endpoint/core';
import { createCachedKubernetesClient, type CachedKubernetesClient } from '@capt-endpoint/kubernetes';
import { captEndpointCrds, startFakeApiServer, type FakeApiServer } from '@capt-endpoint/testing';
import { jsonLogger, startController, type Controller, type WatchedCluster } from '../src';
import { EKS_HOST, eventually, initialObjects, manifest } from './helpers';

const cpChange: ObjectChange = { type: 'modified', apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo' };
const workspaceRef = { apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: 'demo-eks-controlplane' } as const;

/** Terraform has applied: the Workspace holds the endpoint. */
const appliedObjects = () => [...initialObjects().filter((object) => object.kind !== 'Workspace'), ...manifest('later/workspace-applied.yaml')];

let server: FakeApiServer | undefined;
let cache: CachedKubernetesClient | undefined;
let controller: Controller | undefined;
afterEach(async () => {
  await controller?.stop();
  await cache?.stop();
  await server?.close();
  controller = cache = server = undefined;
});

/** The cached client over a loopback API server; its memo counts what it recalls; `notify` plays a watch event that changed nothing (a resync). */
const cachedCluster = async () => {
  server = await startFakeApiServer({ objects: appliedObjects(), crds: captEndpointCrds });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(server.kubeConfigYaml());
  const inner = createCachedKubernetesClient(kubeConfig, { backoff: { initialMs: 20, maxMs: 200 } });
  cache = inner;
  await inner.synced();
  const memo = inner.steadyMemo as SteadyMemo;
  const counts = { recalled: 0 };
  const listeners: Array<(change: ObjectChange) => void> = [];
  const cluster: WatchedCluster = {
    get: (ref, options) => inner.get(ref, options),
    patch: (ref, patch, options) => inner.patch(ref, patch, options),
    patchStatus: (ref, patch, options) => inner.patchStatus(ref, patch, options),
    decodeMemo: inner.decodeMemo,
    steadyMemo: {
      recall: (ref, options) => {
        const outcome = memo.recall(ref, options);
        if (outcome !== undefined) counts.recalled++;
        return outcome;
      },
      remember: (ref, options, reads, outcome) => memo.remember(ref, options, reads, outcome),
    },
    list: (apiVersion, kind, namespace) => inner.list(apiVersion, kind, namespace),
    onChange: (listener) => {
      listeners.push(listener);
      return inner.onChange(listener);
    },
    synced: () => inner.synced(),
    stop: () => inner.stop(),
  };
  const notify = (change: ObjectChange): void => listeners.forEach((listener) => listener(change));
  return { cluster, counts, notify, server };
};

const start = (cluster: WatchedCluster) => {
  let text = '';
  controller = startController({ cluster, logger: jsonLogger({ write: (line: string) => (text += line) }, { level: 'debug' }), concurrency: 1, stopsCluster: false });
  const results = () =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['result'] !== undefined);
  return { results };
};

/** Lets queued changes and reconciles run, then waits until the controller has been quiet a while. */
const settled = async (results: () => readonly unknown[]): Promise<void> => {
  let seen = -1;
  await eventually(() => {
    const now = results().length;
    const quiet = now === seen;
    seen = now;
    return quiet;
  });
};

describe('the controller over a steady memo', () => {
  it('recalls a steady reconcile: no read recorded, nothing planned', async () => {
    const { cluster, counts, notify } = await cachedCluster();
    const { results } = start(cluster);
    // Our writes' echoes wake nothing: a change that changed nothing (a resync) finds it UpToDate.
    await eventually(() => results().some((line) => line['result'] === 'Updated'));
    await settled(results);
    notify(cpChange);
    await eventually(() => results().some((line) => line['result'] === 'UpToDate'));
    await settled(results);
    const before = counts.recalled;
    const lines = results().length;

    notify(cpChange);
    await eventually(() => results().length > lines);
    expect(counts.recalled).toBe(before + 1);
    expect(results().at(-1)).toMatchObject({ controlPlane: 'team-a/demo', result: 'UpToDate', reads: 0, writes: 0, recalled: true, endpoint: { host: EKS_HOST, port: 443 } });
  });

  it('after a recalled reconcile, a change to the Workspace still wakes the control plane', async () => {
    const { cluster, counts, notify, server } = await cachedCluster();
    const { results } = start(cluster);
    // Our writes' echoes wake nothing: a change that changed nothing (a resync) finds it UpToDate.
    await eventually(() => results().some((line) => line['result'] === 'Updated'));
    await settled(results);
    notify(cpChange);
    await eventually(() => results().some((line) => line['result'] === 'UpToDate'));
    await settled(results);
    notify(cpChange);
    await eventually(() => counts.recalled > 0);
    await settled(results);

    server.store.patch(workspaceRef, { status: { atProvider: { outputs: { cluster_endpoint: 'https://moved.example.com' } } } }, { subresource: 'status' });
    await eventually(() => results().some((line) => line['result'] === 'Drift'));
    expect(results().at(-1)).toMatchObject({ controlPlane: 'team-a/demo', result: 'Drift' });
  });
});
