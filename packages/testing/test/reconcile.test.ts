// reconcileEndpoint (from @capt-endpoint/core) driven through the fake cluster: every outcome,
// the request budget, and what is left untouched. The core's own tests stay free of this
// package; this is where the two meet.
import * as E from 'fp-ts/lib/Either.js';
import { reconcileEndpoint, type ClusterClient, type KubeObject, type ObjectRef, type ReconcileOptions } from '@capt-endpoint/core';
import { captEndpointCrds, clusterCrdWith, createFakeClient, type FakeClient } from '../src';
import { EKS_HOST, EKS_URL, cluster, controlPlane, secret, workspace, workspaceApply } from '../../core/test/fixtures';

const CP: ObjectRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo-cp' };
const CLUSTER: ObjectRef = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: 'team-a', name: 'demo' };
const EKS = { host: EKS_HOST, port: 443 };
const target = { namespace: 'team-a', name: 'demo-cp' };

// The fake holds the real kinds' schemas: every write the library makes must pass them.
const fakeWith = (...objects: KubeObject[]): FakeClient => createFakeClient(objects, { crds: captEndpointCrds });
const complete = (ws: KubeObject = workspace({ outputs: { cluster_endpoint: EKS_URL } }), ...more: KubeObject[]) =>
  fakeWith(controlPlane(), cluster(), workspaceApply('demo-eks'), ws, ...more);

const run = async (fake: FakeClient, options: ReconcileOptions = {}, t: Parameters<typeof reconcileEndpoint>[1] = target) =>
  reconcileEndpoint(fake, t, { now: () => new Date('2026-11-26T12:00:00Z'), ...options })();
const right = async (fake: FakeClient, options?: ReconcileOptions, t?: Parameters<typeof reconcileEndpoint>[1]) => {
  const result = await run(fake, options, t);
  if (E.isLeft(result)) throw new Error(`unexpected Left: ${result.left._tag}: ${result.left.message}`);
  return result.right;
};
const stored = (fake: FakeClient, ref: ObjectRef) => fake.object(ref) as KubeObject & { spec: Record<string, unknown>; status: { conditions: Array<Record<string, unknown>> } };
const endpointCondition = (fake: FakeClient) => stored(fake, CP).status.conditions.find((c) => c['type'] === 'EndpointReady');

/** Everything but the fields we own, so a test can assert nothing else moved. */
const unrelated = (object: KubeObject | undefined) => {
  const copy = structuredClone(object) as Record<string, any>;
  delete copy['metadata']['resourceVersion'];
  delete copy['metadata']['generation'];
  delete copy['metadata']['managedFields'];
  delete copy['metadata']['annotations']?.['capt-endpoint.io/endpoint-writes'];
  if (copy['metadata']['annotations'] && Object.keys(copy['metadata']['annotations']).length === 0) delete copy['metadata']['annotations'];
  delete copy['spec']['controlPlaneEndpoint'];
  if (copy['status']?.conditions) copy['status'].conditions = copy['status'].conditions.filter((c: { type: string }) => c.type !== 'EndpointReady');
  return copy;
};

describe('reconcileEndpoint through the fake cluster', () => {
  it('first set from the outputs: both objects, then the condition; nothing else changes', async () => {
    const fake = complete();
    const before = { cp: unrelated(fake.object(CP)), cluster: unrelated(fake.object(CLUSTER)) };
    const outcome = await right(fake);
    expect(outcome).toMatchObject({
      _tag: 'Updated',
      endpoint: EKS,
      updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'],
      source: { from: 'outputs', key: 'cluster_endpoint' },
      requeueAfter: undefined,
    });
    expect(stored(fake, CP).spec['controlPlaneEndpoint']).toEqual(EKS);
    expect(stored(fake, CLUSTER).spec['controlPlaneEndpoint']).toEqual(EKS);
    expect(endpointCondition(fake)).toMatchObject({ status: 'True', reason: 'EndpointSet', observedGeneration: 2 });
    expect(unrelated(fake.object(CP))).toEqual(before.cp);
    expect(unrelated(fake.object(CLUSTER))).toEqual(before.cluster);
    // One patch per object written plus one status patch, each merge patch carrying only our fields.
    expect(fake.writes().map((c) => [c.verb, c.kind])).toEqual([
      ['patch', 'CAPTControlPlane'],
      ['patch', 'Cluster'],
      ['patchStatus', 'CAPTControlPlane'],
    ]);
    expect(fake.writes()[0]?.body).toEqual({
      metadata: { resourceVersion: expect.any(String), annotations: { 'capt-endpoint.io/endpoint-writes': '{"writes":["2026-11-26T12:00:00Z"],"probes":0}' } },
      spec: { controlPlaneEndpoint: EKS },
    });
    expect(fake.writes().every((c) => c.fieldManager === 'capt-endpoint')).toBe(true);
    // Cluster status belongs to Cluster API.
    expect(fake.writes().some((c) => c.kind === 'Cluster' && c.verb === 'patchStatus')).toBe(false);
  });

  it('reads read-only, and runs to the end on the frozen objects such reads get', async () => {
    const fake = complete();
    const reads: Array<{ readOnly: boolean | undefined; frozen: boolean }> = [];
    const client: ClusterClient = {
      get: (ref, options) => async () => {
        const result = await fake.get(ref, options)();
        if (E.isRight(result) && result.right !== undefined) reads.push({ readOnly: options?.readOnly, frozen: Object.isFrozen(result.right.metadata) });
        return result;
      },
      patch: (ref, patch, options) => fake.patch(ref, patch, options),
      patchStatus: (ref, patch, options) => fake.patchStatus(ref, patch, options),
    };
    const first = await reconcileEndpoint(client, target, { now: () => new Date('2026-11-26T12:00:00Z') })();
    expect(E.isRight(first) && first.right._tag).toBe('Updated');
    const again = await reconcileEndpoint(client, target, { now: () => new Date('2026-11-26T12:00:00Z') })();
    expect(E.isRight(again) && again.right._tag).toBe('UpToDate');
    expect(reads.length).toBeGreaterThanOrEqual(8);
    expect(reads.every((read) => read.readOnly === true && read.frozen)).toBe(true);
  });

  it('then costs one read and no writes with the objects in hand', async () => {
    const fake = complete();
    await right(fake);
    fake.resetCalls();
    const outcome = await right(fake, {}, {
      controlPlane: fake.object(CP)!,
      cluster: fake.object(CLUSTER)!,
      workspaceApply: fake.get('infrastructure.cluster.x-k8s.io/v1beta1', 'WorkspaceTemplateApply', 'team-a', 'demo-eks-apply')!,
    });
    expect(outcome).toMatchObject({ _tag: 'UpToDate', updated: [], requeueAfter: undefined });
    expect(fake.calls.map((c) => [c.verb, c.kind])).toEqual([['get', 'Workspace']]);
  });

  it('by name, the steady state reads the chain and writes nothing', async () => {
    const fake = complete();
    await right(fake);
    fake.resetCalls();
    expect((await right(fake))._tag).toBe('UpToDate');
    expect(fake.writes()).toEqual([]);
    expect(fake.count('get')).toBe(4);
  });

  it.each([
    ['cluster-scoped', false, { name: 'demo-eks-conn', namespace: 'team-a' }],
    ['namespaced', true, { name: 'demo-eks-conn' }],
  ])('first set from the connection Secret (%s Workspace)', async (_kind, namespaced, secretRef) => {
    const ws = workspace({ namespaced, secretRef });
    const fake = complete(ws, secret({ cluster_endpoint: `${EKS_URL}\n`, kubeconfig: 'apiVersion: v1' }));
    const outcome = await right(fake, namespaced ? { workspaceApiVersion: 'tf.m.upbound.io/v1beta1' } : {});
    expect(outcome).toMatchObject({ _tag: 'Updated', endpoint: EKS, source: { from: 'secret', key: 'cluster_endpoint' } });
    expect(fake.callsOf('get').map((c) => c.kind)).toContain('Secret');
  });

  it('prefers the outputs over the Secret and then does not read the Secret', async () => {
    const ws = workspace({ outputs: { cluster_endpoint: EKS_URL }, secretRef: { name: 'demo-eks-conn', namespace: 'team-a' } });
    const fake = complete(ws, secret({ cluster_endpoint: 'https://other.example.com' }));
    expect((await right(fake)).endpoint).toEqual(EKS);
    expect(fake.count('get', { kind: 'Secret' })).toBe(0);
  });

  const waitingCases: Array<[string, () => FakeClient, string]> = [
    ['no WorkspaceTemplateApply name', () => fakeWith(controlPlane({ applyName: null }), cluster()), 'WorkspaceTemplateApplyName'],
    ['WorkspaceTemplateApply missing', () => fakeWith(controlPlane(), cluster()), 'WorkspaceTemplateApply'],
    ['no workspaceName', () => fakeWith(controlPlane(), cluster(), workspaceApply()), 'WorkspaceName'],
    ['Workspace missing', () => fakeWith(controlPlane(), cluster(), workspaceApply('demo-eks')), 'Workspace'],
    ['no outputs', () => complete(workspace({})), 'EndpointOutput'],
    ['Secret missing', () => complete(workspace({ secretRef: { name: 'demo-eks-conn', namespace: 'team-a' } })), 'ConnectionSecret'],
  ];
  it.each(waitingCases)('waits on %s: no spec writes, False condition written once', async (_name, make, waitingOn) => {
    const fake = make();
    const first = await right(fake);
    expect(first).toMatchObject({ _tag: 'Waiting', waitingOn, requeueAfter: 15000, endpoint: undefined });
    expect(fake.writes().map((c) => c.verb)).toEqual(['patchStatus']);
    expect(endpointCondition(fake)).toMatchObject({ status: 'False', reason: `WaitingFor${waitingOn}` });
    fake.resetCalls();
    expect((await right(fake))._tag).toBe('Waiting');
    expect(fake.writes()).toEqual([]);
  });

  it('picks up the endpoint once the Workspace gains its output', async () => {
    const fake = complete(workspace({}));
    expect((await right(fake))._tag).toBe('Waiting');
    fake.edit({ apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: 'demo-eks' }, { status: { atProvider: { outputs: { cluster_endpoint: EKS_URL } } } });
    expect(await right(fake)).toMatchObject({ _tag: 'Updated', endpoint: EKS });
    expect(endpointCondition(fake)).toMatchObject({ status: 'True', lastTransitionTime: '2026-11-26T12:00:00Z' });
  });

  it('an invalid value: a typed error, a False condition, no endpoint written', async () => {
    const fake = complete(workspace({ outputs: { cluster_endpoint: 'https://api.example.com:99999' } }));
    const result = await run(fake);
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'InvalidEndpointValue', cause: 'InvalidPort', retryable: false });
    expect(fake.writes().map((c) => c.verb)).toEqual(['patchStatus']);
    expect(stored(fake, CP).spec['controlPlaneEndpoint']).toBeUndefined();
    expect(stored(fake, CLUSTER).spec['controlPlaneEndpoint']).toBeUndefined();
    expect(endpointCondition(fake)).toMatchObject({ status: 'False', reason: 'InvalidEndpoint' });
  });

  it.each([
    ['the metadata service', 'https://169.254.169.254', 'cloud-metadata'],
    ['the metadata service, IPv4-mapped', 'https://[::ffff:169.254.169.254]:443', 'cloud-metadata'],
    ['loopback', 'https://127.0.0.1:6443', 'loopback'],
    ['localhost', 'localhost:6443', 'loopback'],
    ['the unspecified address', 'https://[::]:6443', 'unspecified'],
    ['link-local', 'https://[fe80::1]:6443', 'link-local'],
  ])('an endpoint in %s is refused by the policy: EndpointNotAllowed names the rule, nothing is written to either spec', async (_what, output, rule) => {
    const fake = complete(workspace({ outputs: { cluster_endpoint: output } }));
    const result = await run(fake);
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'EndpointNotAllowed', rule, retryable: false });
    expect(E.isLeft(result) && result.left.message).toContain(`--allow-endpoint-range ${rule}`);
    expect(fake.writes().map((c) => c.verb)).toEqual(['patchStatus']);
    expect(stored(fake, CP).spec['controlPlaneEndpoint']).toBeUndefined();
    expect(stored(fake, CLUSTER).spec['controlPlaneEndpoint']).toBeUndefined();
    expect(endpointCondition(fake)).toMatchObject({ status: 'False' });
  });

  it('a development cluster allows a named range: loopback is written when allowed, the metadata service still is not', async () => {
    const local = complete(workspace({ outputs: { cluster_endpoint: 'https://127.0.0.1:6443' } }));
    expect(await right(local, { allowEndpointRanges: ['loopback'] })).toMatchObject({ _tag: 'Updated', endpoint: { host: '127.0.0.1', port: 6443 } });
    const metadata = complete(workspace({ outputs: { cluster_endpoint: 'https://169.254.169.254' } }));
    const refused = await run(metadata, { allowEndpointRanges: ['loopback', 'link-local'] });
    expect(E.isLeft(refused) && refused.left._tag).toBe('EndpointNotAllowed');
  });

  it('a refused endpoint from the Secret is not quoted', async () => {
    const fake = complete(workspace({ secretRef: { name: 'demo-eks-conn', namespace: 'team-a' } }), secret({ cluster_endpoint: 'https://169.254.169.254' }));
    const result = await run(fake);
    expect(E.isLeft(result) && result.left._tag).toBe('EndpointNotAllowed');
    expect(JSON.stringify(fake.object(CP))).not.toContain('169.254.169.254');
    expect(E.isLeft(result) && result.left.message).not.toContain('169.254.169.254');
  });

  it('an invalid value in the Secret never reaches the condition, the error or the log', async () => {
    const token = 'sk-live-5f4dcc3b5aa765d61d8327deb882cf99';
    const logged: string[] = [];
    const logger = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((l) => [l, (o: object, m: string) => logged.push(JSON.stringify(o) + m)])) as never;
    const fake = complete(workspace({ secretRef: { name: 'demo-eks-conn', namespace: 'team-a' } }), secret({ cluster_endpoint: `https://admin:${token}@api.example.com` }));
    const result = await run(fake, { logger });
    expect(E.isLeft(result) && result.left._tag).toBe('InvalidEndpointValue');
    expect(JSON.stringify(result)).not.toContain(token);
    expect(JSON.stringify(fake.object(CP))).not.toContain(token);
    expect(JSON.stringify(fake.calls)).not.toContain(token);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(token);
  });

  describe('drift', () => {
    const OLD = { host: 'old.example.com', port: 443 };
    const drifted = () => fakeWith(controlPlane({ endpoint: OLD }), cluster(OLD), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } }));

    it("keeps the endpoint under 'keep' and reports both values", async () => {
      const fake = drifted();
      const outcome = await right(fake);
      expect(outcome).toMatchObject({ _tag: 'Drift', endpoint: OLD, drift: { current: OLD, workspace: EKS, followed: false } });
      expect(fake.writes().map((c) => c.verb)).toEqual(['patchStatus']);
      expect(stored(fake, CP).spec['controlPlaneEndpoint']).toEqual(OLD);
      expect(stored(fake, CLUSTER).spec['controlPlaneEndpoint']).toEqual(OLD);
      expect(endpointCondition(fake)).toMatchObject({ status: 'False', reason: 'EndpointDrift' });
    });

    it("follows the Workspace under 'update'", async () => {
      const fake = drifted();
      const outcome = await right(fake, { onEndpointChange: 'update' });
      expect(outcome).toMatchObject({ _tag: 'Updated', endpoint: EKS, drift: { followed: true } });
      expect(stored(fake, CP).spec['controlPlaneEndpoint']).toEqual(EKS);
      expect(stored(fake, CLUSTER).spec['controlPlaneEndpoint']).toEqual(EKS);
    });
  });

  it('an endpoint stored in another spelling of the Workspace\'s address is up to date: no spec write, no drift', async () => {
    const LONG = { host: '2001:0DB8:0000:0000:0000:0000:0000:0001', port: 6443 };
    const fake = fakeWith(controlPlane({ endpoint: LONG }), cluster(LONG), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: 'https://[2001:db8::1]:6443' } }));
    const first = await right(fake);
    expect(first).toMatchObject({ _tag: 'UpToDate', endpoint: LONG, drift: undefined });
    // Only the condition is recorded, once; the stored spelling is left as it is.
    expect(fake.writes().map((c) => [c.verb, c.kind])).toEqual([['patchStatus', 'CAPTControlPlane']]);
    expect(endpointCondition(fake)).toMatchObject({ status: 'True', reason: 'EndpointSet' });
    expect(stored(fake, CP).spec['controlPlaneEndpoint']).toEqual(LONG);
    expect(stored(fake, CLUSTER).spec['controlPlaneEndpoint']).toEqual(LONG);
    fake.resetCalls();
    expect(await right(fake, { onEndpointChange: 'update' })).toMatchObject({ _tag: 'UpToDate', updated: [] });
    expect(fake.writes()).toEqual([]);
  });

  it('without an owner Cluster writes only the control plane', async () => {
    const fake = fakeWith(controlPlane({ owner: false }), cluster(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } }));
    const outcome = await right(fake);
    expect(outcome).toMatchObject({ _tag: 'Updated', cluster: undefined, updated: ['CAPTControlPlane', 'CAPTControlPlaneStatus'] });
    expect(stored(fake, CLUSTER).spec['controlPlaneEndpoint']).toBeUndefined();
  });

  it('finds the owner Cluster by the owner reference, not by name', async () => {
    const owned = controlPlane();
    owned.metadata.ownerReferences = [{ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', name: 'prod-east', uid: 'u' }];
    const other = { ...cluster(undefined, 'cluster.x-k8s.io/v1beta2'), metadata: { name: 'prod-east', namespace: 'team-a' } };
    const fake = fakeWith(owned, cluster(), other, workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } }));
    await right(fake);
    expect((fake.get('cluster.x-k8s.io/v1beta2', 'Cluster', 'team-a', 'prod-east') as unknown as { spec: Record<string, unknown> }).spec['controlPlaneEndpoint']).toEqual(EKS);
    expect(stored(fake, CLUSTER).spec['controlPlaneEndpoint']).toBeUndefined();
  });

  it('reaches a Cluster stored once by the API server at whatever served version its owner reference names', async () => {
    const owned = controlPlane();
    owned.metadata.ownerReferences = [{ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', name: 'demo', uid: 'cluster-uid' }];
    const fake = fakeWith(owned, cluster(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } }));
    expect(await right(fake)).toMatchObject({ _tag: 'Updated', updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
    expect(fake.writes({ kind: 'Cluster' }).map((c) => c.apiVersion)).toEqual(['cluster.x-k8s.io/v1beta2']);
    // Seeded at v1beta1, the same object read at v1beta1 holds the endpoint written at v1beta2.
    expect(stored(fake, CLUSTER).spec['controlPlaneEndpoint']).toEqual(EKS);
    fake.resetCalls();
    expect(await right(fake)).toMatchObject({ _tag: 'UpToDate' });
    expect(fake.writes()).toEqual([]);
  });

  describe('Cluster API 1.16: v1beta1 no longer served, CAPT\'s owner reference still at v1beta1', () => {
    const unservedV1beta1 = [...captEndpointCrds.filter((crd) => crd.spec.names.kind !== 'Cluster'), clusterCrdWith({ v1beta1: false, v1beta2: true })];
    const later = (...objects: KubeObject[]) => createFakeClient(objects, { crds: unservedV1beta1 });
    const CLUSTER_V1BETA2: ObjectRef = { ...CLUSTER, apiVersion: 'cluster.x-k8s.io/v1beta2' };

    it('patches the Cluster at v1beta2, the version the server serves; then steady state writes nothing', async () => {
      const fake = later(controlPlane(), cluster(undefined, 'cluster.x-k8s.io/v1beta2'), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } }));
      const outcome = await right(fake);
      expect(outcome).toMatchObject({ _tag: 'Updated', cluster: CLUSTER_V1BETA2, updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
      expect(stored(fake, CLUSTER_V1BETA2).spec['controlPlaneEndpoint']).toEqual(EKS);
      expect(fake.callsOf('*', { kind: 'Cluster' }).map((c) => [c.verb, c.apiVersion, c.error?.kind])).toEqual([
        ['get', 'cluster.x-k8s.io/v1beta1', 'NotServed'],
        ['get', 'cluster.x-k8s.io/v1beta2', undefined],
        ['patch', 'cluster.x-k8s.io/v1beta2', undefined],
      ]);
      fake.resetCalls();
      expect(await right(fake)).toMatchObject({ _tag: 'UpToDate', cluster: CLUSTER_V1BETA2, updated: [] });
      expect(fake.writes()).toEqual([]);
    });

    it('an owner reference at a version the library does not know (v1alpha4) reaches the Cluster at the served version, as an unserved one does', async () => {
      const owned = controlPlane();
      owned.metadata.ownerReferences = [{ apiVersion: 'cluster.x-k8s.io/v1alpha4', kind: 'Cluster', name: 'demo', uid: 'cluster-uid' }];
      const fake = later(owned, cluster(undefined, 'cluster.x-k8s.io/v1beta2'), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } }));
      expect(await right(fake)).toMatchObject({ _tag: 'Updated', cluster: CLUSTER_V1BETA2, updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
      expect(stored(fake, CLUSTER_V1BETA2).spec['controlPlaneEndpoint']).toEqual(EKS);
      expect(fake.callsOf('*', { kind: 'Cluster' }).map((c) => [c.verb, c.apiVersion, c.error?.kind])).toEqual([
        ['get', 'cluster.x-k8s.io/v1beta2', undefined],
        ['patch', 'cluster.x-k8s.io/v1beta2', undefined],
      ]);
    });

    it('a Cluster that is really gone is no owner, and no error', async () => {
      const fake = later(controlPlane(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } }));
      expect(await right(fake)).toMatchObject({ _tag: 'Updated', cluster: undefined, updated: ['CAPTControlPlane', 'CAPTControlPlaneStatus'] });
      expect(fake.writes({ kind: 'Cluster' })).toEqual([]);
    });
  });

  it('on deletion removes the endpoint from the Cluster, then has nothing to do', async () => {
    const fake = fakeWith(controlPlane({ endpoint: EKS, deleting: true }), cluster(EKS), workspaceApply('demo-eks'));
    const outcome = await right(fake);
    expect(outcome).toMatchObject({ _tag: 'CleanedUp', updated: ['Cluster'] });
    expect(stored(fake, CLUSTER).spec['controlPlaneEndpoint']).toBeUndefined();
    expect(fake.writes()[0]?.body).toMatchObject({ spec: { controlPlaneEndpoint: null } });
    fake.resetCalls();
    expect(await right(fake)).toMatchObject({ _tag: 'CleanedUp', updated: [] });
    expect(fake.writes()).toEqual([]);
  });

  it('refuses a conditionType the API server would reject before sending anything', async () => {
    for (const conditionType of ['Endpoint Ready', 'endpoint/', '-Ready', 'x'.repeat(317), 'Example.com/Ready']) {
      const fake = complete();
      const result = await run(fake, { conditionType });
      expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'InvalidOptions', option: 'conditionType', retryable: false });
      expect(fake.calls).toEqual([]);
    }
    // A prefixed type the pattern allows is written, and the schema accepts it.
    const fake = complete();
    expect(await right(fake, { conditionType: 'example.com/EndpointReady' })).toMatchObject({ _tag: 'Updated' });
    expect(stored(fake, CP).status.conditions.map((c) => c['type'])).toContain('example.com/EndpointReady');
  });

  it('a control plane that no longer exists is an outcome', async () => {
    expect((await right(fakeWith()))._tag).toBe('ControlPlaneGone');
  });

  it('refuses a Secret in another namespace unless allowed', async () => {
    const ws = workspace({ secretRef: { name: 'conn', namespace: 'team-b' } });
    const fake = complete(ws, secret({ cluster_endpoint: EKS_URL }, 'conn', 'team-b'));
    const result = await run(fake);
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'SecretNamespaceNotAllowed', secret: { namespace: 'team-b', name: 'conn' } });
    expect(fake.count('get', { kind: 'Secret' })).toBe(0);
    expect(endpointCondition(fake)).toMatchObject({ status: 'False', reason: 'SecretNamespaceNotAllowed' });
    expect((await right(fake, { allowSecretNamespaces: ['team-b'] })).endpoint).toEqual(EKS);
  });

  it('recovers from a 409 on the first write by reading again and planning again', async () => {
    const fake = complete();
    fake.failOn('patch', { kind: 'CAPTControlPlane' }, ['Conflict']);
    const outcome = await right(fake);
    expect(outcome._tag).toBe('Updated');
    expect(stored(fake, CP).spec['controlPlaneEndpoint']).toEqual(EKS);
    expect(fake.count('get', { kind: 'CAPTControlPlane' })).toBe(2);
  });

  it('gives up after a second conflict with a retryable error', async () => {
    const fake = complete();
    fake.failOn('patch', { kind: 'CAPTControlPlane' }, 'Conflict');
    const result = await run(fake);
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'ConflictRetriesExhausted', retryable: true });
  });

  it('a real concurrent change makes our stale write a 409, and the re-plan keeps it', async () => {
    const fake = complete();
    const held = fake.object(CP)!;
    // Someone else sets the endpoint after we read the control plane.
    fake.edit(CP, { spec: { controlPlaneEndpoint: { host: 'set.by.someone.else', port: 6443 } } });
    const outcome = await right(fake, {}, { controlPlane: held });
    expect(stored(fake, CP).spec['controlPlaneEndpoint']).toEqual({ host: 'set.by.someone.else', port: 6443 });
    expect(outcome._tag).toBe('Drift');
  });

  it('turns a failed request into a typed, retryable error', async () => {
    const fake = complete();
    fake.failOn('get', { kind: 'Workspace' }, ['Unavailable']);
    const result = await run(fake);
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'RequestFailed', verb: 'get', retryable: true, error: { kind: 'Unavailable' } });
  });

  it('with writeCondition false writes no status but carries the condition and its patch', async () => {
    const fake = complete();
    const outcome = await right(fake, { writeCondition: false });
    expect(fake.writes().map((c) => c.verb)).toEqual(['patch', 'patch']);
    expect(outcome.condition).toMatchObject({ type: 'EndpointReady', status: 'True' });
    expect(outcome.statusPatch).toMatchObject({ status: { conditions: expect.any(Array) } });
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await run(complete(), { signal: controller.signal });
    expect(E.isLeft(result) && result.left._tag).toBe('RequestFailed');
  });

  it('rejects an unknown Workspace apiVersion as an invalid option', async () => {
    const result = await run(complete(), { workspaceApiVersion: 'tf.upbound.io/v2' as never });
    expect(E.isLeft(result) && result.left._tag).toBe('InvalidOptions');
  });
});
