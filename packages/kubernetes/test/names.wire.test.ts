// Names before paths, through the real client-node over loopback. A name like `.` or `..` in a
// reference would otherwise become a dot segment that the URL parser resolves: a GET of one
// Secret turned into a LIST of every Secret in the namespace (or, with namespace `..`, in the
// cluster). The core refuses such a name before any request (InvalidName in the condition), and
// the adapter refuses to build a path from an empty, `.` or `..` segment on its own.
import * as E from 'fp-ts/lib/Either.js';
import { KubeConfig } from '@kubernetes/client-node';
import { reconcileEndpoint, type ClusterClient, type KubeObject, type ObjectRef, type ReconcileOptions } from '@capt-endpoint/core';
import { startHostileApiServer, type HostileApiServer } from '@capt-endpoint/testing';
import { createCachedKubernetesClient, createKubernetesClient, type CachedKubernetesClient } from '../src';
import { NS, cluster, controlPlane, cpRef, deniedRequests, neededFor, startWire, workspace, workspaceApply, workspaceRef, type Wire } from './harness';

const secretAt = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Secret', namespace, name });

describe('the adapter builds no path from an empty, "." or ".." segment', () => {
  let hostile: HostileApiServer;
  beforeEach(async () => {
    hostile = await startHostileApiServer({ list: 'empty', get: 'notFound' });
  });
  afterEach(async () => hostile.close());

  const clientOf = () => createKubernetesClient(kubeConfigOf(hostile.kubeConfigYaml()));

  it.each([
    ['a Secret named "."', secretAt(NS, '.')],
    ['a Secret named ".."', secretAt(NS, '..')],
    ['a Secret named "." in namespace ".."', secretAt('..', '.')],
    ['a Secret in namespace "."', secretAt('.', 'conn')],
    ['a Secret in an empty namespace', secretAt('', 'conn')],
    ['a cluster-scoped Workspace named "."', { ...workspaceRef, name: '.' }],
    ['a WorkspaceTemplateApply named ".."', { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'WorkspaceTemplateApply', namespace: NS, name: '..' }],
  ])('a GET of %s is an Invalid ApiError, and no request (before, a LIST) reaches the server', async (_, ref) => {
    const client = clientOf();
    const result = await client.get(ref)();
    // Before the guard: { lists: 1 } for every dot segment, the server's collection read.
    expect(hostile.counts).toEqual({ lists: 0, watches: 0, other: 0 });
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'ApiError', kind: 'Invalid' });
  });

  it('a patch of the status of a control plane named "." sends nothing', async () => {
    const result = await clientOf().patchStatus({ ...cpRef, name: '.' }, { status: {} })();
    expect(E.isLeft(result) && result.left).toMatchObject({ kind: 'Invalid' });
    expect(hostile.counts).toEqual({ lists: 0, watches: 0, other: 0 });
  });

  it('a create in namespace ".." (an Event, say) sends nothing', async () => {
    const event: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { namespace: '..', generateName: 'x-' } };
    const result = await clientOf().create(event)();
    expect(E.isLeft(result) && result.left).toMatchObject({ kind: 'Invalid' });
    expect(hostile.counts).toEqual({ lists: 0, watches: 0, other: 0 });
  });
});

const kubeConfigOf = (yaml: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
};

describe('a reference that is not a Kubernetes name is a value error in the condition, with no request', () => {
  let wire: Wire;
  let cache: CachedKubernetesClient | undefined;
  afterEach(async () => {
    await cache?.stop();
    cache = undefined;
    await wire.server.close();
    expect(deniedRequests(wire.server.requests)).toEqual([]);
  });

  const withSecretRef = (secretRef: { name: string; namespace?: string }): KubeObject => {
    const ws = workspace({});
    (ws['spec'] as Record<string, unknown>)['writeConnectionSecretToRef'] = secretRef;
    return ws;
  };
  const withApplyName = (name: string): KubeObject => {
    const cp = controlPlane();
    (cp['spec'] as Record<string, unknown>)['workspaceTemplateApplyName'] = name;
    return cp;
  };
  const withWorkspaceName = (name: string): KubeObject => ({ ...workspaceApply(), status: { workspaceName: name } });
  const withOwnerName = (name: string): KubeObject => {
    const cp = controlPlane();
    cp.metadata.ownerReferences = [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name, uid: 'cluster-uid' }];
    return cp;
  };

  const cases: ReadonlyArray<readonly [string, readonly KubeObject[], ReconcileOptions, string]> = [
    ['a connection Secret named "."', [controlPlane(), cluster(), workspaceApply(), withSecretRef({ name: '.', namespace: NS })], {}, 'spec.writeConnectionSecretToRef.name'],
    ['a connection Secret named "." in namespace ".." (any namespace allowed)', [controlPlane(), cluster(), workspaceApply(), withSecretRef({ name: '.', namespace: '..' })], { allowSecretNamespaces: 'any' }, 'spec.writeConnectionSecretToRef.namespace'],
    ['a connection Secret named "a/b"', [controlPlane(), cluster(), workspaceApply(), withSecretRef({ name: 'a/b', namespace: NS })], {}, 'spec.writeConnectionSecretToRef.name'],
    ['spec.workspaceTemplateApplyName "."', [withApplyName('.'), cluster(), workspaceApply(), workspace()], {}, 'spec.workspaceTemplateApplyName'],
    ['status.workspaceName ".."', [controlPlane(), cluster(), withWorkspaceName('..'), workspace()], {}, 'status.workspaceName'],
    ['an owner reference named "."', [withOwnerName('.'), cluster(), workspaceApply(), workspace()], {}, 'ownerReferences'],
  ];

  let firstReconcileRequest = 0;

  const reconciled = async (client: ClusterClient, options: ReconcileOptions) => {
    firstReconcileRequest = wire.server.requests.length;
    const result = await reconcileEndpoint(client, { namespace: NS, name: cpRef.name }, { fieldManager: 'e2e', ...options })();
    const condition = (wire.server.store.get(cpRef)?.['status'] as { conditions?: Array<Record<string, unknown>> } | undefined)?.conditions?.find((c) => c['type'] === 'EndpointReady');
    return { result, condition };
  };

  describe.each(['plain', 'cached'] as const)('through the %s client', (which) => {
    it.each(cases)('%s: InvalidName in the condition; nothing requested with it', async (_, objects, options, field) => {
      wire = await startWire({ objects: [...objects] });
      const client = which === 'plain' ? createKubernetesClient(wire.kc, { fieldManager: 'e2e' }) : (cache = createCachedKubernetesClient(wire.kc, { fieldManager: 'e2e' }));
      if (cache !== undefined) await cache.synced();
      const { result, condition } = await reconciled(client, options);
      // The reconcile's own requests: the cache's watches may (re)open at any time.
      const requests = wire.server.requests.slice(firstReconcileRequest).filter((r) => neededFor(r)?.verb !== 'watch');
      // No Secret read at all: neither the LIST a dot segment made of it, nor a GET; no list of anything.
      expect(requests.filter((r) => r.path.includes('/secrets'))).toEqual([]);
      expect(requests.filter((r) => neededFor(r)?.verb === 'list')).toEqual([]);
      expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'InvalidName', reason: 'InvalidName' });
      expect(E.isLeft(result) && result.left.message).toContain(field);
      expect(condition).toMatchObject({ status: 'False', reason: 'InvalidName' });
    });
  });

  it('a control plane named "." from a flag is refused before any request', async () => {
    wire = await startWire({ objects: [controlPlane(), cluster(), workspaceApply(), workspace()] });
    const client = createKubernetesClient(wire.kc);
    const result = await reconcileEndpoint(client, { namespace: NS, name: '.' })();
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'InvalidName', kind: 'CAPTControlPlane' });
    const inDotNamespace = await reconcileEndpoint(client, { namespace: '..', name: cpRef.name })();
    expect(E.isLeft(inDotNamespace) && inDotNamespace.left).toMatchObject({ _tag: 'InvalidName', kind: 'Namespace' });
    expect(wire.server.requests).toEqual([]);
  });
});
