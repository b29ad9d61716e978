// The manager on a Cluster API 1.16 API server, through the real client-node over loopback:
// Cluster is served at v1beta2 only, CAPT's owner reference still names v1beta1, and no
// clusterApiVersion is set. The cache finds the version the server serves, syncs, and /readyz
// answers; the reconcile patches the Cluster at v1beta2.
import type { KubeObject } from '@capt-endpoint/core';
import { captEndpointCrds, clusterCrdWith, startFakeApiServer, type FakeApiServer } from '@capt-endpoint/testing';
import { deniedByDeploy } from '../../../deploy/test/deployRbac';
import type { Manager } from '../src';
import { EKS_HOST, manifest, startManagerOn } from './helpers';

const V1BETA2 = 'cluster.x-k8s.io/v1beta2';
const CLUSTER = { apiVersion: V1BETA2, kind: 'Cluster', namespace: 'team-a', name: 'demo' };

let server: FakeApiServer;
let manager: Manager | undefined;
let logs: string;

afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await server.close();
  expect(deniedByDeploy(server.requests)).toEqual([]);
});

/** Resolves once `predicate` holds, checking every 20 ms; fails after `ms`. */
const until = async (what: string, predicate: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}\n${logs}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const readyz = async (): Promise<number> => {
  const port = manager?.healthAddress?.port;
  return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status ?? 0;
};

const logLines = (): Array<Record<string, unknown>> =>
  logs
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the manager on an API server that serves Cluster at v1beta2 only', () => {
  beforeEach(async () => {
    logs = '';
    // v1beta2 needs a spec with at least one field; the demo's Cluster is written at v1beta1.
    const cluster: KubeObject = { ...manifest('cluster.yaml')[0]!, apiVersion: V1BETA2, spec: { paused: false } };
    server = await startFakeApiServer({
      objects: [cluster, ...['controlplane.yaml', 'workspacetemplateapply.yaml', 'later/workspace-applied.yaml', 'connection-secret.yaml'].flatMap(manifest)],
      crds: [...captEndpointCrds.filter((crd) => crd.spec.names.kind !== 'Cluster'), clusterCrdWith({ v1beta1: false, v1beta2: true })],
    });
  });

  it('without clusterApiVersion: the cache syncs at v1beta2, /readyz answers 200, and the Cluster is patched there', async () => {
    manager = await startManagerOn(server, (text) => (logs += text), {
      healthAddress: { host: '127.0.0.1', port: 0 },
      cache: { backoff: { initialMs: 20, maxMs: 200 } },
    });
    await until('/readyz answers 200', async () => (await readyz()) === 200);
    await until('the Cluster holds the endpoint', () => (server.store.get(CLUSTER)?.['spec'] as Record<string, unknown> | undefined)?.['controlPlaneEndpoint'] !== undefined);
    expect(server.store.get(CLUSTER)?.['spec']).toEqual({ paused: false, controlPlaneEndpoint: { host: EKS_HOST, port: 443 } });
    await until('the reconcile is logged', () => logs.includes('"result":"Updated"'));
    // The unserved version is told once, as news (info), naming the version used instead.
    const notServed = logLines().filter((line) => line['reason'] === 'ApiNotServed');
    expect(notServed).toEqual([expect.objectContaining({ level: 'info', watch: 'cluster.x-k8s.io/v1beta1/Cluster', msg: expect.stringMatching(/; listing cluster\.x-k8s\.io\/v1beta2 instead$/) })]);
    expect(logLines().filter((line) => line['level'] === 'warn' || line['level'] === 'error')).toEqual([]);
  });
});
