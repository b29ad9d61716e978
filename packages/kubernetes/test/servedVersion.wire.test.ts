// The cached client caches Clusters at the version the API server serves: on a Cluster API 1.16
// server (v1beta1 no longer served) it lists v1beta1 once, hears the 404 for the type, moves on
// to v1beta2 and syncs; a reconcile then reaches the Cluster there and patches it. Reads at
// another Cluster API version than the one cached are answered from the cache, converted, once
// the server has answered at that version. All through the real client-node over loopback.
import * as E from 'fp-ts/lib/Either.js';
import { reconcileEndpoint, type ApiError, type KubeObject, type ObjectRef, type ReconcileOutcome } from '@capt-endpoint/core';
import { captEndpointCrds, clusterCrdWith, clusterEndpointConverter } from '@capt-endpoint/testing';
import { createCachedKubernetesClient, type CachedKind, type CachedKubernetesClient, type CachedKubernetesClientOptions, type Retry } from '../src';
import { EKS_URL, NS, cluster, clusterRef, controlPlane, cpRef, neededFor, secret, waitFor, wirePerTest, workspace, workspaceApply, type Wire } from './harness';

const V1BETA1 = 'cluster.x-k8s.io/v1beta1';
const V1BETA2 = 'cluster.x-k8s.io/v1beta2';
const endpoint = { host: new URL(EKS_URL).hostname, port: 443 };
const clusterAt = (apiVersion: string): ObjectRef => ({ ...clusterRef, apiVersion });
const crdsServing = (served: { readonly v1beta1: boolean; readonly v1beta2: boolean }) => [
  ...captEndpointCrds.filter((crd) => crd.spec.names.kind !== 'Cluster'),
  clusterCrdWith(served),
];
// v1beta2 requires a spec with at least one field.
const clusterV1beta2 = (): KubeObject => ({ ...cluster(), apiVersion: V1BETA2, spec: { paused: false } });
const objects = (...extra: KubeObject[]): KubeObject[] => [controlPlane(), workspaceApply(), workspace(), secret(), ...extra];

let cache: CachedKubernetesClient | undefined;
let reports: Array<{ readonly error: ApiError; readonly kind: CachedKind; readonly retry: Retry }>;

/**
 * A server for each test of the calling describe block, with its objects and CRDs. After each
 * test the cache stops first, then the server closes and its traffic is checked against the RBAC.
 */
let currentWire: () => Wire;
const serving = (served: { readonly v1beta1: boolean; readonly v1beta2: boolean }, extra: readonly KubeObject[], convert?: typeof clusterEndpointConverter): void => {
  afterEach(async () => {
    await cache?.stop();
    cache = undefined;
  });
  const wire = wirePerTest({ objects: objects(...extra), crds: crdsServing(served), ...(convert ? { convert } : {}) });
  beforeEach(() => {
    currentWire = wire;
  });
};

const start = (options: CachedKubernetesClientOptions = {}): CachedKubernetesClient => {
  cache = createCachedKubernetesClient(currentWire().kc, {
    fieldManager: 'e2e',
    backoff: { initialMs: 20, maxMs: 200 },
    onError: (error, kind, retry) => reports.push({ error, kind, retry }),
    ...options,
  });
  return cache;
};

beforeEach(() => {
  reports = [];
});

const server = () => currentWire().server;
const clusterLists = () =>
  server().requests.filter((r) => r.path.includes('/cluster.x-k8s.io/') && r.query['watch'] === undefined && neededFor(r)?.verb === 'list').map((r) => r.path);
const clusterRequests = () =>
  server().requests.filter((r) => r.path.includes('/cluster.x-k8s.io/') && !['list', 'watch'].includes(neededFor(r)?.verb ?? '')).map((r) => `${r.method} ${r.path}`);
const clusterPath = (version: string) => `/apis/cluster.x-k8s.io/${version}/namespaces/${NS}/clusters/eks-a`;

const outcomeOf = async (client: CachedKubernetesClient): Promise<ReconcileOutcome> => {
  const result = await reconcileEndpoint(client, { namespace: NS, name: cpRef.name }, { fieldManager: 'e2e' })();
  if (E.isLeft(result)) throw new Error(`expected an outcome, got ${result.left.reason}: ${result.left.message}`);
  return result.right;
};

const read = async (ref: ObjectRef, options = {}): Promise<KubeObject | undefined> => {
  const result = await cache!.get(ref, options)();
  if (E.isLeft(result)) throw new Error(`${result.left.kind}: ${result.left.message}`);
  return result.right;
};

describe('Cluster API 1.16: Clusters served at v1beta2 only', () => {
  serving({ v1beta1: false, v1beta2: true }, [clusterV1beta2()]);

  it('without clusterApiVersion, the cache hears v1beta1 is not served, says so once, caches v1beta2 and syncs', async () => {
    const client = start();
    await waitFor('the cache to sync', () => client.hasSynced());
    expect(clusterLists()).toEqual(['/apis/cluster.x-k8s.io/v1beta1/clusters', '/apis/cluster.x-k8s.io/v1beta2/clusters']);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      kind: { apiVersion: V1BETA1, kind: 'Cluster' },
      error: { kind: 'NotServed', code: 404 },
      retry: { attempt: 1, delayMs: 0 },
    });
    expect(reports[0]?.error.message).toMatch(/^the API server does not serve clusters\.cluster\.x-k8s\.io at cluster\.x-k8s\.io\/v1beta1: .*; listing cluster\.x-k8s\.io\/v1beta2 instead$/);
    expect(client.list(V1BETA2, 'Cluster')?.map((object) => [object.apiVersion, object.metadata.name])).toEqual([[V1BETA2, 'eks-a']]);
  });

  it('a reconcile reaches the Cluster at v1beta2 from the cache and patches it there; steady state asks for nothing', async () => {
    const client = start();
    await waitFor('the cache to sync', () => client.hasSynced());
    server().requests.length = 0;
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'Updated', cluster: clusterAt(V1BETA2), updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
    expect(server().store.get(clusterAt(V1BETA2))?.['spec']).toEqual({ paused: false, controlPlaneEndpoint: endpoint });
    // The list's 404 answers the v1beta1 read without a request; v1beta2 comes from the cache.
    expect(clusterRequests()).toEqual([`PATCH ${clusterPath('v1beta2')}`]);
    server().requests.length = 0;
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'UpToDate', cluster: clusterAt(V1BETA2), updated: [] });
    expect(clusterRequests()).toEqual([]);
    expect(server().requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('an explicit clusterApiVersion is cached as given: at v1beta1 here it never syncs, and nothing else is listed', async () => {
    const client = start({ clusterApiVersion: V1BETA1 });
    await waitFor('three reports', () => reports.length >= 3);
    expect(client.hasSynced()).toBe(false);
    expect(new Set(clusterLists())).toEqual(new Set(['/apis/cluster.x-k8s.io/v1beta1/clusters']));
    expect(reports.every((report) => report.kind.apiVersion === V1BETA1 && report.error.kind === 'NotServed' && report.retry.delayMs > 0)).toBe(true);
  });
});

describe('a server that serves Cluster at neither version', () => {
  serving({ v1beta1: false, v1beta2: false }, []);

  it('tries each version in turn, backing off after every round, and does not sync', async () => {
    const client = start();
    await waitFor('two rounds', () => reports.length >= 4);
    expect(client.hasSynced()).toBe(false);
    expect(clusterLists().slice(0, 4)).toEqual([V1BETA1, V1BETA2, V1BETA1, V1BETA2].map((version) => `/apis/${version}/clusters`));
    // Within a round the next version is listed at once; after it, the backoff's next step.
    expect(reports.slice(0, 4).map((report) => [report.kind.apiVersion, report.retry.attempt, report.retry.delayMs > 0])).toEqual([
      [V1BETA1, 1, false],
      [V1BETA2, 2, true],
      [V1BETA1, 3, false],
      [V1BETA2, 4, true],
    ]);
  });
});

describe('a Cluster API before 1.11: Clusters served at v1beta1 only', () => {
  serving({ v1beta1: true, v1beta2: false }, [cluster()]);

  it('the default caches v1beta1, with no error', async () => {
    const client = start();
    await client.synced();
    expect(clusterLists()).toEqual(['/apis/cluster.x-k8s.io/v1beta1/clusters']);
    expect(reports).toEqual([]);
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'Updated', cluster: clusterRef });
  });
});

describe('reads at the Cluster API version the cache does not hold', () => {
  serving({ v1beta1: true, v1beta2: true }, [cluster()], clusterEndpointConverter);

  it('cached at v1beta1 (served), a read at v1beta2 asks the API once, then is answered from the cache at v1beta2', async () => {
    const client = start();
    await client.synced();
    expect(clusterLists()).toEqual(['/apis/cluster.x-k8s.io/v1beta1/clusters']);
    server().requests.length = 0;
    const asked = await read(clusterAt(V1BETA2));
    expect(clusterRequests()).toEqual([`GET ${clusterPath('v1beta2')}`]);
    const cached = await read(clusterAt(V1BETA2), { readOnly: true });
    expect(clusterRequests()).toHaveLength(1);
    expect(cached).toMatchObject({ apiVersion: V1BETA2, kind: 'Cluster', metadata: { name: 'eks-a', uid: 'cluster-uid' } });
    // v1beta1 spells "unset" {host: "", port: 0}; v1beta2 leaves the field out, as the server's conversion does.
    expect(client.list(V1BETA1, 'Cluster')?.[0]?.['spec']).toEqual({ controlPlaneEndpoint: { host: '', port: 0 } });
    expect(cached?.['spec']).toEqual(asked?.['spec']);
    expect(cached?.['spec']).toEqual({});
    // A read-only reader gets the same frozen view each time; anyone else a copy of their own.
    expect(await read(clusterAt(V1BETA2), { readOnly: true })).toBe(cached);
    expect(Object.isFrozen(cached)).toBe(true);
    const copy = await read(clusterAt(V1BETA2));
    expect(copy).toEqual(cached);
    expect(copy).not.toBe(cached);
    expect(clusterRequests()).toHaveLength(1);
  });

  it('an owner reference at v1beta2: the first reconcile asks for v1beta2 and patches there; its result updates the v1beta1 cache; then zero requests', async () => {
    const owned = controlPlane();
    owned.metadata.ownerReferences = [{ apiVersion: V1BETA2, kind: 'Cluster', name: clusterRef.name, uid: 'cluster-uid' }];
    server().store.put(owned);
    const client = start();
    await client.synced();
    server().requests.length = 0;
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'Updated', cluster: clusterAt(V1BETA2), updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
    expect(clusterRequests()).toEqual([`GET ${clusterPath('v1beta2')}`, `PATCH ${clusterPath('v1beta2')}`]);
    expect((await read(clusterRef, { readOnly: true }))?.['spec']).toEqual({ controlPlaneEndpoint: endpoint });
    server().requests.length = 0;
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'UpToDate', cluster: clusterAt(V1BETA2), updated: [] });
    expect(server().requests.filter((r) => !['list', 'watch'].includes(neededFor(r)?.verb ?? ''))).toEqual([]);
  });

  it('an explicit clusterApiVersion v1beta2 answers the v1beta1 owner reference from the cache once v1beta1 has answered', async () => {
    const client = start({ clusterApiVersion: V1BETA2 });
    await client.synced();
    expect(clusterLists()).toEqual(['/apis/cluster.x-k8s.io/v1beta2/clusters']);
    server().requests.length = 0;
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'Updated', cluster: clusterRef });
    expect(clusterRequests()).toEqual([`GET ${clusterPath('v1beta1')}`, `PATCH ${clusterPath('v1beta1')}`]);
    expect((await read(clusterAt(V1BETA2), { readOnly: true }))?.['spec']).toEqual({ controlPlaneEndpoint: endpoint });
    server().requests.length = 0;
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'UpToDate', cluster: clusterRef, updated: [] });
    expect(server().requests.filter((r) => !['list', 'watch'].includes(neededFor(r)?.verb ?? ''))).toEqual([]);
  });
});

describe('a Cluster API version that stops being served while the cache runs', () => {
  serving({ v1beta1: true, v1beta2: true }, [cluster()]);

  it('the v1beta1 watch gets a 404 for the type: the cache lists v1beta2 instead, reports the Cluster moved, and answers at v1beta2', async () => {
    const changes: string[] = [];
    const client = start();
    client.onChange((change) => {
      if (change.kind === 'Cluster') changes.push(`${change.type} ${change.apiVersion}`);
    });
    await client.synced();
    await waitFor('the Cluster watch', () => server().requests.some((r) => r.query['watch'] === 'true' && r.path === '/apis/cluster.x-k8s.io/v1beta1/clusters'));
    expect(changes).toEqual([`added ${V1BETA1}`]);
    // From here on the server answers v1beta1 as kube-apiserver does once the CRD stops serving it.
    server().inject((request) => (request.path.startsWith('/apis/cluster.x-k8s.io/v1beta1/') ? { code: 404, message: 'the server could not find the requested resource' } : undefined));
    server().dropWatches();
    await waitFor('the Cluster at v1beta2', () => changes.length === 3);
    expect(changes).toEqual([`added ${V1BETA1}`, `deleted ${V1BETA1}`, `added ${V1BETA2}`]);
    expect(client.list(V1BETA2, 'Cluster')?.map((object) => object.apiVersion)).toEqual([V1BETA2]);
    expect(reports.some((report) => report.kind.apiVersion === V1BETA1 && report.error.kind === 'NotServed')).toBe(true);
    expect(client.hasSynced()).toBe(true);
    server().requests.length = 0;
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'Updated', cluster: clusterAt(V1BETA2) });
    expect(clusterRequests()).toEqual([`PATCH ${clusterPath('v1beta2')}`]);
  });
});
