// The owner Cluster through the version the API server serves: CAPT writes its owner reference at
// cluster.x-k8s.io/v1beta1, and Cluster API 1.16 stops serving v1beta1. A client here answers as
// an adapter does: NotServed for a version the server does not serve, Right(undefined) for a
// missing object.
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { reconcileEndpoint, type ReconcileTarget } from '../src/reconcile';
import { apiError, type ApiError } from '../src/errors';
import type { ClusterClient } from '../src/clusterClient';
import type { KubeObject, MergePatch, ObjectRef } from '../src/objectRef';
import { EKS_HOST, EKS_URL, cluster, controlPlane, workspace, workspaceApply } from './fixtures';

const V1BETA1 = 'cluster.x-k8s.io/v1beta1';
const V1BETA2 = 'cluster.x-k8s.io/v1beta2';
const EKS = { host: EKS_HOST, port: 443 };

interface Call {
  readonly verb: 'get' | 'patch' | 'patchStatus';
  readonly ref: ObjectRef;
  readonly patch?: MergePatch;
}

/**
 * A cluster that serves Cluster only at `served` versions and holds `clusterAt` (or no Cluster).
 * Any other kind is served as stored.
 */
const cluster$ = (options: { readonly served: readonly string[]; readonly stored?: KubeObject | undefined; readonly failAt?: ApiError | undefined }) => {
  const calls: Call[] = [];
  const others = new Map<string, KubeObject>(
    [controlPlane(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })].map((o) => [`${o.kind}/${o.metadata.name}`, o]),
  );
  const notServed = apiError('NotServed', 'the server could not find the requested resource', { code: 404 });
  const clusterRead = (ref: ObjectRef): E.Either<ApiError, KubeObject | undefined> => {
    if (!options.served.includes(ref.apiVersion)) return E.left(notServed);
    if (options.failAt !== undefined) return E.left(options.failAt);
    return E.right(options.stored === undefined ? undefined : { ...structuredClone(options.stored), apiVersion: ref.apiVersion });
  };
  const read = (ref: ObjectRef): E.Either<ApiError, KubeObject | undefined> =>
    ref.kind === 'Cluster' ? clusterRead(ref) : E.right(structuredClone(others.get(`${ref.kind}/${ref.name}`)));
  const write =
    (verb: 'patch' | 'patchStatus') =>
    (ref: ObjectRef, patch: MergePatch): TE.TaskEither<ApiError, KubeObject> => {
      calls.push({ verb, ref, patch });
      return TE.fromEither(E.chain((object: KubeObject | undefined) => (object === undefined ? E.left(apiError('NotFound', 'gone', { code: 404 })) : E.right(object)))(read(ref)));
    };
  const client: ClusterClient = {
    get: (ref) => {
      calls.push({ verb: 'get', ref });
      return TE.fromEither(read(ref));
    },
    patch: write('patch'),
    patchStatus: write('patchStatus'),
  };
  return { client, calls, clusterCalls: () => calls.filter((c) => c.ref.kind === 'Cluster').map((c) => `${c.verb} ${c.ref.apiVersion}`) };
};

const reconcile = async (client: ClusterClient, target: ReconcileTarget = { namespace: 'team-a', name: 'demo-cp' }) => {
  const result = await reconcileEndpoint(client, target, { now: () => new Date('2026-11-26T12:00:00Z') })();
  if (E.isLeft(result)) throw new Error(`unexpected Left: ${result.left.message}`);
  return result.right;
};

describe('the owner Cluster at the version the server serves', () => {
  it('an owner reference at an unserved v1beta1 reaches the Cluster at v1beta2 and patches it there', async () => {
    const api = cluster$({ served: [V1BETA2], stored: cluster(undefined, V1BETA2) });
    const outcome = await reconcile(api.client);
    expect(outcome).toMatchObject({ _tag: 'Updated', updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
    expect(outcome.cluster).toEqual({ apiVersion: V1BETA2, kind: 'Cluster', namespace: 'team-a', name: 'demo' });
    expect(api.clusterCalls()).toEqual([`get ${V1BETA1}`, `get ${V1BETA2}`, `patch ${V1BETA2}`]);
    expect(api.calls.find((c) => c.verb === 'patch' && c.ref.kind === 'Cluster')?.patch).toMatchObject({ spec: { controlPlaneEndpoint: EKS } });
  });

  it('an owner reference at an unserved v1beta2 (a Cluster API before 1.11) reaches it at v1beta1', async () => {
    const owned = controlPlane();
    owned.metadata.ownerReferences = [{ apiVersion: V1BETA2, kind: 'Cluster', name: 'demo', uid: 'cluster-uid' }];
    const api = cluster$({ served: [V1BETA1], stored: cluster() });
    const outcome = await reconcile(api.client, { controlPlane: owned });
    expect(outcome.cluster?.apiVersion).toBe(V1BETA1);
    expect(api.clusterCalls()).toEqual([`get ${V1BETA2}`, `get ${V1BETA1}`, `patch ${V1BETA1}`]);
  });

  it.each([
    ['only v1beta2 is served', [V1BETA2], [`get ${V1BETA2}`, `patch ${V1BETA2}`]],
    ['only v1beta1 is served', [V1BETA1], [`get ${V1BETA2}`, `get ${V1BETA1}`, `patch ${V1BETA1}`]],
    ['both are served', [V1BETA1, V1BETA2], [`get ${V1BETA2}`, `patch ${V1BETA2}`]],
  ])('an owner reference at a version the library does not know (v1alpha4) is read as an unserved one when %s: never asked, the known versions newest first', async (_, served, calls) => {
    const owned = controlPlane();
    owned.metadata.ownerReferences = [{ apiVersion: 'cluster.x-k8s.io/v1alpha4', kind: 'Cluster', name: 'demo', uid: 'cluster-uid' }];
    const api = cluster$({ served, stored: cluster(undefined, V1BETA2) });
    const outcome = await reconcile(api.client, { controlPlane: owned });
    expect(outcome).toMatchObject({ _tag: 'Updated', updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
    expect(outcome.cluster).toEqual({ apiVersion: served.length === 1 ? served[0] : V1BETA2, kind: 'Cluster', namespace: 'team-a', name: 'demo' });
    expect(api.clusterCalls()).toEqual(calls);
  });

  it('a served version is asked first, and only it', async () => {
    const api = cluster$({ served: [V1BETA1, V1BETA2], stored: cluster() });
    await reconcile(api.client);
    expect(api.clusterCalls()).toEqual([`get ${V1BETA1}`, `patch ${V1BETA1}`]);
  });

  it.each([
    ['the Cluster is really gone', [V1BETA2]],
    ['no Cluster version is served at all', []],
  ])('no owner, no error, when %s', async (_, served) => {
    const api = cluster$({ served, stored: undefined });
    const outcome = await reconcile(api.client);
    expect(outcome).toMatchObject({ _tag: 'Updated', cluster: undefined, updated: ['CAPTControlPlane', 'CAPTControlPlaneStatus'] });
    expect(api.clusterCalls()).toEqual([`get ${V1BETA1}`, `get ${V1BETA2}`]);
  });

  it('any other failure at the served version is the reconcile\'s error, not "no owner"', async () => {
    const api = cluster$({ served: [V1BETA2], stored: cluster(undefined, V1BETA2), failAt: apiError('Forbidden', 'clusters is forbidden', { code: 403 }) });
    const result = await reconcileEndpoint(api.client, { namespace: 'team-a', name: 'demo-cp' })();
    expect(result).toEqual(E.left(expect.objectContaining({ _tag: 'RequestFailed', verb: 'get', error: expect.objectContaining({ kind: 'Forbidden' }) })));
    expect(api.calls.filter((c) => c.verb !== 'get')).toEqual([]);
  });

  it('a Cluster the caller holds is written at the version it was read at, with no read', async () => {
    const api = cluster$({ served: [V1BETA2], stored: cluster(undefined, V1BETA2) });
    const outcome = await reconcile(api.client, { controlPlane: controlPlane(), cluster: cluster(undefined, V1BETA2) });
    expect(outcome.cluster?.apiVersion).toBe(V1BETA2);
    expect(api.clusterCalls()).toEqual([`patch ${V1BETA2}`]);
  });

  it('steady state: nothing written once both objects hold the endpoint', async () => {
    const api = cluster$({ served: [V1BETA2], stored: cluster(EKS, V1BETA2) });
    const settled = controlPlane({ endpoint: EKS, generation: 2, conditions: [{ type: 'EndpointReady', status: 'True', reason: 'EndpointSet', message: `endpoint ${EKS_HOST}:443 from output "cluster_endpoint" of Workspace demo-eks`, lastTransitionTime: '2026-11-26T00:00:00Z', observedGeneration: 2 }] });
    const outcome = await reconcile(api.client, { controlPlane: settled });
    expect(outcome).toMatchObject({ _tag: 'UpToDate', updated: [] });
    expect(api.calls.filter((c) => c.verb !== 'get')).toEqual([]);
  });
});
