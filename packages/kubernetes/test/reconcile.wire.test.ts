// reconcileEndpoint from core, end to end through this adapter and the real client-node against
// the fake API server: every outcome, and the requests each reconcile costs, plain and cached.
import * as E from 'fp-ts/lib/Either.js';
import { reconcileEndpoint, type ClusterClient, type EndpointError, type KubeObject, type ReconcileOutcome, type ReconcileTarget } from '@capt-endpoint/core';
import { captEndpointCrds, clusterCrdWith } from '@capt-endpoint/testing';
import { createCachedKubernetesClient, createKubernetesClient } from '../src';
import {
  EKS_URL,
  NS,
  SECRET_VALUE,
  applyRef,
  cluster,
  clusterRef,
  controlPlane,
  cpRef,
  deniedRequests,
  neededFor,
  secret,
  startWire,
  workspace,
  workspaceApply,
  type Wire,
} from './harness';

const EKS_HOST = new URL(EKS_URL).hostname;
const endpoint = { host: EKS_HOST, port: 443 };

let wire: Wire;
const startWith = async (objects: KubeObject[]): Promise<ClusterClient> => {
  wire = await startWire({ objects });
  return createKubernetesClient(wire.kc, { fieldManager: 'e2e' });
};
afterEach(async () => {
  await wire.server.close();
  expect(deniedRequests(wire.server.requests)).toEqual([]);
});

const run = async (client: ClusterClient, target: ReconcileTarget = { namespace: NS, name: cpRef.name }, options = {}): Promise<E.Either<EndpointError, ReconcileOutcome>> =>
  reconcileEndpoint(client, target, { fieldManager: 'e2e', ...options })();

const outcomeOf = async (client: ClusterClient, target?: ReconcileTarget, options = {}): Promise<ReconcileOutcome> => {
  const result = await run(client, target, options);
  if (E.isLeft(result)) throw new Error(`expected an outcome, got ${result.left.reason}: ${result.left.message}`);
  return result.right;
};

const errorOf = async (client: ClusterClient, target?: ReconcileTarget, options = {}): Promise<EndpointError> => {
  const result = await run(client, target, options);
  if (E.isRight(result)) throw new Error(`expected an error, got ${result.right._tag}`);
  return result.left;
};

const traffic = () => wire.server.requests.map((r) => `${r.method} ${r.path}${r.query['watch'] ? ' (watch)' : ''}`);
/**
 * The requests reconciles made: without the informers' lists and watches, which a reconcile
 * never makes (it reads by name) and which come when the informer needs them: a watch can reach
 * the server after `synced()` (that says every informer has listed, not that its watch is open;
 * on a loaded machine the Secret watch was seen arriving after a Workspace watch event), and an
 * idle watch ends after client-node's 30 s inactivity timeout and opens again.
 */
const reconcileTraffic = () =>
  wire.server.requests.filter((r) => !['list', 'watch'].includes(neededFor(r)?.verb ?? '')).map((r) => `${r.method} ${r.path}`);
const stored = (ref: { apiVersion: string; kind: string; namespace?: string; name: string }) => wire.server.store.get(ref);

describe('reconcile outcomes, end to end', () => {
  it('Updated: writes the endpoint to the control plane and the Cluster, then the condition', async () => {
    const client = await startWith([controlPlane(), cluster(), workspaceApply(), workspace(), secret()]);
    const outcome = await outcomeOf(client);
    expect(outcome).toMatchObject({ _tag: 'Updated', endpoint, updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
    expect(stored(cpRef)?.['spec']).toMatchObject({ controlPlaneEndpoint: endpoint });
    expect(stored(clusterRef)?.['spec']).toEqual({ controlPlaneEndpoint: endpoint });
    expect(stored(cpRef)?.['status']).toMatchObject({ conditions: [expect.objectContaining({ type: 'EndpointReady', status: 'True' })] });
    expect(traffic()).toEqual([
      `GET /apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${NS}/captcontrolplanes/eks-a`,
      `GET /apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters/eks-a`,
      `GET /apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/${NS}/workspacetemplateapplies/eks-a-apply`,
      'GET /apis/tf.upbound.io/v1beta1/workspaces/eks-a-ws',
      `PATCH /apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${NS}/captcontrolplanes/eks-a`,
      `PATCH /apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters/eks-a`,
      `PATCH /apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${NS}/captcontrolplanes/eks-a/status`,
    ]);
    for (const write of wire.server.requests.filter((r) => r.method === 'PATCH')) {
      expect(write).toMatchObject({ contentType: 'application/merge-patch+json', fieldManager: 'e2e' });
    }
  });

  it('Updated from the connection Secret when the outputs lack the endpoint; the Secret stays out of the outcome', async () => {
    const client = await startWith([controlPlane(), cluster(), workspaceApply(), workspace({}), secret({ cluster_endpoint: btoa('https://10.0.0.10:6443'), kubeconfig: SECRET_VALUE })]);
    const outcome = await outcomeOf(client);
    expect(outcome).toMatchObject({ _tag: 'Updated', endpoint: { host: '10.0.0.10', port: 6443 }, source: { from: 'secret' } });
    expect(traffic()).toContain(`GET /api/v1/namespaces/${NS}/secrets/eks-a-conn`);
    expect(JSON.stringify(outcome)).not.toContain(SECRET_VALUE);
  });

  it('UpToDate: a second reconcile by name reads and writes nothing more', async () => {
    const client = await startWith([controlPlane(), cluster(), workspaceApply(), workspace(), secret()]);
    await outcomeOf(client);
    wire.server.requests.length = 0;
    const outcome = await outcomeOf(client);
    expect(outcome).toMatchObject({ _tag: 'UpToDate', updated: [] });
    expect(wire.server.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(wire.server.requests).toHaveLength(4);
  });

  it('Waiting: the Workspace does not exist yet; the condition says so', async () => {
    const client = await startWith([controlPlane(), cluster(), workspaceApply(), secret()]);
    const outcome = await outcomeOf(client);
    expect(outcome).toMatchObject({ _tag: 'Waiting', endpoint: undefined, waitingOn: 'Workspace', updated: ['CAPTControlPlaneStatus'] });
    expect(outcome.requeueAfter).toBeGreaterThan(0);
    expect(stored(cpRef)?.['status']).toMatchObject({ conditions: [expect.objectContaining({ type: 'EndpointReady', status: 'False' })] });
  });

  it('Waiting: the connection Secret does not exist yet', async () => {
    const client = await startWith([controlPlane(), cluster(), workspaceApply(), workspace({})]);
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'Waiting', endpoint: undefined });
  });

  it('Drift: the objects hold another endpoint; kept, not overwritten', async () => {
    const held = { host: 'old.example', port: 443 };
    const client = await startWith([controlPlane(held), cluster(held), workspaceApply(), workspace(), secret()]);
    const outcome = await outcomeOf(client);
    expect(outcome).toMatchObject({ _tag: 'Drift', endpoint: held, drift: { current: held, workspace: endpoint, followed: false } });
    expect(stored(cpRef)?.['spec']).toMatchObject({ controlPlaneEndpoint: held });
    expect(stored(clusterRef)?.['spec']).toEqual({ controlPlaneEndpoint: held });
  });

  it('CleanedUp: a deleted control plane clears the Cluster endpoint', async () => {
    const deleting = controlPlane(endpoint);
    deleting.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
    deleting.metadata['finalizers'] = ['capt.appthrust.io/finalizer'];
    const client = await startWith([deleting, cluster(endpoint), workspaceApply(), workspace()]);
    const outcome = await outcomeOf(client);
    expect(outcome).toMatchObject({ _tag: 'CleanedUp', updated: ['Cluster'] });
    expect((stored(clusterRef)?.['spec'] as Record<string, unknown>)['controlPlaneEndpoint']).toBeUndefined();
  });

  it('ControlPlaneGone: one GET, a 404, no error', async () => {
    const client = await startWith([cluster(), workspaceApply(), workspace()]);
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'ControlPlaneGone' });
    expect(wire.server.requests).toHaveLength(1);
  });

  it('an invalid endpoint is an error and the condition says so', async () => {
    const client = await startWith([controlPlane(), cluster(), workspaceApply(), workspace({ cluster_endpoint: 'ftp://nope.example' }), secret()]);
    const error = await errorOf(client);
    expect(error).toMatchObject({ _tag: 'InvalidEndpointValue', retryable: false });
    expect(stored(cpRef)?.['status']).toMatchObject({ conditions: [expect.objectContaining({ type: 'EndpointReady', status: 'False' })] });
    expect((stored(cpRef)?.['spec'] as Record<string, unknown>)['controlPlaneEndpoint']).toBeUndefined();
  });

  it('an API failure is a RequestFailed naming the verb and object, with the ApiError inside', async () => {
    const client = await startWith([controlPlane(), cluster(), workspaceApply(), workspace(), secret()]);
    wire.server.inject((r) => (r.path.includes('/workspaces/') ? { code: 503, message: 'the server is currently unable to handle the request' } : undefined));
    const error = await errorOf(client);
    expect(error).toMatchObject({ _tag: 'RequestFailed', verb: 'get', retryable: true, error: { kind: 'Unavailable', code: 503 } });
    expect(error.message).toContain('Workspace');
  });

  it('a 409 on a write: read again, plan again, succeed', async () => {
    const client = await startWith([controlPlane(), cluster(), workspaceApply(), workspace(), secret()]);
    let conflicts = 1;
    wire.server.inject((r) => (r.method === 'PATCH' && conflicts-- > 0 ? { code: 409, reason: 'Conflict', message: 'the object has been modified' } : undefined));
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'Updated' });
    expect(wire.server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/captcontrolplanes/eks-a'))).toHaveLength(2);
  });

  it('409 on every write: ConflictRetriesExhausted, retryable', async () => {
    const client = await startWith([controlPlane(), cluster(), workspaceApply(), workspace(), secret()]);
    wire.server.inject((r) => (r.method === 'PATCH' ? { code: 409, message: 'the object has been modified' } : undefined));
    expect(await errorOf(client)).toMatchObject({ _tag: 'ConflictRetriesExhausted', retryable: true });
  });
});

describe("the client's fieldManager", () => {
  const reconcileWith = async (client: ClusterClient, options = {}) => {
    const result = await reconcileEndpoint(client, { namespace: NS, name: cpRef.name }, options)();
    if (E.isLeft(result)) throw new Error(result.left.message);
    return result.right;
  };
  const writers = () => wire.server.requests.filter((r) => r.method === 'PATCH').map((r) => r.fieldManager);

  it.each([
    ['plain', (kc: Wire['kc']): ClusterClient & { stop?: () => Promise<void> } => createKubernetesClient(kc, { fieldManager: 'my-controller' })],
    ['cached', (kc: Wire['kc']): ClusterClient & { stop?: () => Promise<void> } => createCachedKubernetesClient(kc, { fieldManager: 'my-controller' })],
  ])('%s: reconcileEndpoint writes under the name given to the client when its own options name none', async (_, make) => {
    wire = await startWire({ objects: [controlPlane(), cluster(), workspaceApply(), workspace(), secret()] });
    const client = make(wire.kc);
    await reconcileWith(client);
    expect(writers()).toEqual(['my-controller', 'my-controller', 'my-controller']);
    await client.stop?.();
  });

  it('a fieldManager given to the reconcile still wins', async () => {
    wire = await startWire({ objects: [controlPlane(), cluster(), workspaceApply(), workspace(), secret()] });
    await reconcileWith(createKubernetesClient(wire.kc, { fieldManager: 'my-controller' }), { fieldManager: 'per-reconcile' });
    expect(writers()).toEqual(['per-reconcile', 'per-reconcile', 'per-reconcile']);
  });
});

describe('requests per reconcile', () => {
  const converged = [controlPlane(), cluster(), workspaceApply(), workspace(), secret()];

  /** Converges once, then returns the objects as a controller's informers would hold them. */
  const inHand = async (client: ClusterClient): Promise<ReconcileTarget> => {
    await outcomeOf(client);
    return { controlPlane: stored(cpRef)!, cluster: stored(clusterRef)!, workspaceApply: stored(applyRef)! };
  };

  it('uncached, steady state with the objects in hand: one read (the Workspace) and no write', async () => {
    const client = await startWith(converged);
    const target = await inHand(client);
    wire.server.requests.length = 0;
    expect(await outcomeOf(client, target)).toMatchObject({ _tag: 'UpToDate', updated: [] });
    expect(traffic()).toEqual(['GET /apis/tf.upbound.io/v1beta1/workspaces/eks-a-ws']);
  });

  it('cached, steady state: zero requests, by name or with the objects in hand', async () => {
    await startWith(converged);
    const cache = createCachedKubernetesClient(wire.kc, { fieldManager: 'e2e' });
    try {
      const target = await inHand(cache);
      await cache.synced();
      wire.server.requests.length = 0;
      expect(await outcomeOf(cache)).toMatchObject({ _tag: 'UpToDate', updated: [] });
      expect(await outcomeOf(cache, target)).toMatchObject({ _tag: 'UpToDate', updated: [] });
      expect(reconcileTraffic()).toEqual([]);
    } finally {
      await cache.stop();
    }
  });

  it('cached: the first reconcile after a Workspace change sees the change without asking', async () => {
    await startWith([controlPlane(), cluster(), workspaceApply(), secret()]);
    const cache = createCachedKubernetesClient(wire.kc, { fieldManager: 'e2e' });
    try {
      await cache.synced();
      const woken: string[] = [];
      cache.onChange((change) => woken.push(`${change.kind} ${change.name}`));
      expect(await outcomeOf(cache)).toMatchObject({ _tag: 'Waiting', waitingOn: 'Workspace' });
      wire.server.store.add(workspace());
      // Generous under load: the watch event has to cross the loopback before the cache knows.
      for (let i = 0; i < 1500 && !woken.includes('Workspace eks-a-ws'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(woken).toContain('Workspace eks-a-ws');
      wire.server.requests.length = 0;
      expect(await outcomeOf(cache)).toMatchObject({ _tag: 'Updated', endpoint });
      const writes = [
        `PATCH /apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${NS}/captcontrolplanes/eks-a`,
        `PATCH /apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters/eks-a`,
        `PATCH /apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${NS}/captcontrolplanes/eks-a/status`,
      ];
      expect(reconcileTraffic()).toEqual(writes);
      expect(await outcomeOf(cache)).toMatchObject({ _tag: 'UpToDate' });
      expect(reconcileTraffic()).toEqual(writes);
    } finally {
      await cache.stop();
    }
  });
});


describe('Cluster API 1.16: the owner reference at v1beta1, which the server no longer serves', () => {
  const V1BETA2 = 'cluster.x-k8s.io/v1beta2';
  const clusterV1beta2 = { ...clusterRef, apiVersion: V1BETA2 };
  const crds = [...captEndpointCrds.filter((crd) => crd.spec.names.kind !== 'Cluster'), clusterCrdWith({ v1beta1: false, v1beta2: true })];
  const startLater = async (objects: KubeObject[]) => {
    wire = await startWire({ objects, crds });
  };
  // v1beta2 requires a spec with at least one field.
  const clusterAtV1beta2 = { ...cluster(), apiVersion: V1BETA2, spec: { paused: false } };
  const clusterPath = (version: string) => `/apis/cluster.x-k8s.io/${version}/namespaces/${NS}/clusters/eks-a`;

  it('the real adapter reads the 404 for the type, reaches the Cluster at v1beta2 and patches it there; it asks for v1beta1 once', async () => {
    await startLater([controlPlane(), clusterAtV1beta2, workspaceApply(), workspace(), secret()]);
    const client = createKubernetesClient(wire.kc, { fieldManager: 'e2e' });
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'Updated', cluster: clusterV1beta2, updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
    expect(stored(clusterV1beta2)?.['spec']).toEqual({ paused: false, controlPlaneEndpoint: endpoint });
    expect(traffic().filter((request) => request.includes('/cluster.x-k8s.io/'))).toEqual([`GET ${clusterPath('v1beta1')}`, `GET ${clusterPath('v1beta2')}`, `PATCH ${clusterPath('v1beta2')}`]);
    wire.server.requests.length = 0;
    // Steady state: no write, and the answer about v1beta1 is remembered.
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'UpToDate', cluster: clusterV1beta2, updated: [] });
    expect(traffic().filter((request) => request.includes('/cluster.x-k8s.io/'))).toEqual([`GET ${clusterPath('v1beta2')}`]);
    expect(traffic().filter((request) => !request.startsWith('GET'))).toEqual([]);
  });

  it('an owner reference at a version the library does not know (v1alpha4) reaches the Cluster at v1beta2, with no request at v1alpha4', async () => {
    const owned = controlPlane();
    owned.metadata.ownerReferences = [{ apiVersion: 'cluster.x-k8s.io/v1alpha4', kind: 'Cluster', name: clusterRef.name, uid: 'cluster-uid' }];
    await startLater([owned, clusterAtV1beta2, workspaceApply(), workspace(), secret()]);
    const client = createKubernetesClient(wire.kc, { fieldManager: 'e2e' });
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'Updated', cluster: clusterV1beta2, updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
    expect(stored(clusterV1beta2)?.['spec']).toEqual({ paused: false, controlPlaneEndpoint: endpoint });
    expect(traffic().filter((request) => request.includes('/cluster.x-k8s.io/'))).toEqual([`GET ${clusterPath('v1beta2')}`, `PATCH ${clusterPath('v1beta2')}`]);
  });

  it('a Cluster that is really gone is no owner, and no error', async () => {
    await startLater([controlPlane(), workspaceApply(), workspace(), secret()]);
    const client = createKubernetesClient(wire.kc, { fieldManager: 'e2e' });
    expect(await outcomeOf(client)).toMatchObject({ _tag: 'Updated', cluster: undefined, updated: ['CAPTControlPlane', 'CAPTControlPlaneStatus'] });
    expect(traffic().filter((request) => request.includes('/cluster.x-k8s.io/'))).toEqual([`GET ${clusterPath('v1beta1')}`, `GET ${clusterPath('v1beta2')}`]);
  });

  it('cached, caching Clusters at v1beta2: steady state costs zero requests', async () => {
    await startLater([controlPlane(), clusterAtV1beta2, workspaceApply(), workspace(), secret()]);
    const cache = createCachedKubernetesClient(wire.kc, { fieldManager: 'e2e', clusterApiVersion: V1BETA2 });
    try {
      await cache.synced();
      wire.server.requests.length = 0;
      expect(await outcomeOf(cache)).toMatchObject({ _tag: 'Updated', cluster: clusterV1beta2 });
      // The v1beta1 read falls through to the API once; v1beta2 comes from the cache.
      expect(reconcileTraffic().filter((request) => request.startsWith('GET'))).toEqual([`GET ${clusterPath('v1beta1')}`]);
      wire.server.requests.length = 0;
      const target = { controlPlane: stored(cpRef)!, workspaceApply: stored(applyRef)! };
      expect(await outcomeOf(cache)).toMatchObject({ _tag: 'UpToDate', updated: [] });
      expect(await outcomeOf(cache, target)).toMatchObject({ _tag: 'UpToDate', updated: [] });
      expect(reconcileTraffic()).toEqual([]);
    } finally {
      await cache.stop();
    }
  });
});
