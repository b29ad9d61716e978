// The real @kubernetes/client-node against the loopback server: proves the server speaks
// enough of the API for the client's requests, errors, watches and informers.
import {
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { startFakeApiServer, type FakeApiServer } from '../src';
import { eventually, rejection } from './clientNodeHelpers';
import { controlPlane, cpRef, secret, workspace } from './fixtures';

const group = 'controlplane.cluster.x-k8s.io';
const version = 'v1beta1';
const plural = 'captcontrolplanes';
const mergePatch = setHeaderOptions('Content-Type', 'application/merge-patch+json');

let server: FakeApiServer;
let config: KubeConfig;

beforeEach(async () => {
  server = await startFakeApiServer({ objects: [controlPlane(), workspace(), secret()] });
  config = new KubeConfig();
  config.loadFromString(server.kubeConfigYaml());
});

afterEach(async () => {
  await server.close();
});


describe('client-node against the fake API server', () => {
  it('reads custom resources, cluster-scoped ones and Secrets', async () => {
    const custom = config.makeApiClient(CustomObjectsApi);
    expect(await custom.getNamespacedCustomObject({ group, version, namespace: 'default', plural, name: 'cp' })).toMatchObject({
      kind: 'CAPTControlPlane',
      spec: { workspaceTemplateApplyName: 'wta' },
    });
    expect(await custom.getClusterCustomObject({ group: 'tf.upbound.io', version: 'v1beta1', plural: 'workspaces', name: 'ws' })).toMatchObject({
      kind: 'Workspace',
    });
    const read = await config.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'conn', namespace: 'default' });
    expect(read.data).toEqual(secret()['data']);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/default/captcontrolplanes/cp',
      'GET /apis/tf.upbound.io/v1beta1/workspaces/ws',
      'GET /api/v1/namespaces/default/secrets/conn',
    ]);
  });

  it('lists Secrets with the field selector on type', async () => {
    server.store.add({ ...secret(), metadata: { name: 'other', namespace: 'default' }, type: 'Opaque' });
    const list = await config.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'default', fieldSelector: 'type=connection.crossplane.io/v1alpha1' });
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['conn']);
    expect(list.metadata?.resourceVersion).toBe('4');
  });

  it('surfaces a 404 as an ApiException with the Status body', async () => {
    const error = await rejection(config.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'missing', namespace: 'default' }));
    expect(error.code).toBe(404);
    expect(JSON.parse(error.body)).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });

  it('merge-patches with the content type set explicitly, and the server sees it', async () => {
    const custom = config.makeApiClient(CustomObjectsApi);
    const patched = await custom.patchNamespacedCustomObject(
      { group, version, namespace: 'default', plural, name: 'cp', body: { spec: { controlPlaneEndpoint: { host: 'h.example', port: 443 } } }, fieldManager: 'capt-endpoint' },
      mergePatch,
    );
    expect(patched).toMatchObject({ spec: { controlPlaneEndpoint: { host: 'h.example', port: 443 } }, metadata: { generation: 2 } });
    expect(server.requests.at(-1)).toMatchObject({ method: 'PATCH', contentType: 'application/merge-patch+json', fieldManager: 'capt-endpoint' });
    const statused = await custom.patchNamespacedCustomObjectStatus(
      { group, version, namespace: 'default', plural, name: 'cp', body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } },
      mergePatch,
    );
    expect(statused).toMatchObject({ status: { conditions: [{ type: 'Ready' }] }, metadata: { generation: 2 } });
    expect(server.requests.at(-1)?.path).toMatch(/\/captcontrolplanes\/cp\/status$/);
  });

  it('gets 415 for a patch sent without the merge-patch content type (client-node defaults to json-patch)', async () => {
    const custom = config.makeApiClient(CustomObjectsApi);
    const error = await rejection(
      custom.patchNamespacedCustomObject({ group, version, namespace: 'default', plural, name: 'cp', body: [{ op: 'add', path: '/spec/x', value: 1 }] }),
    );
    expect(error.code).toBe(415);
    expect(server.requests.at(-1)?.contentType).toBe('application/json-patch+json');
    expect(server.store.get(cpRef)?.spec).toEqual({ workspaceTemplateApplyName: 'wta' });
  });

  it('gets 409 for a stale resourceVersion', async () => {
    const custom = config.makeApiClient(CustomObjectsApi);
    const error = await rejection(
      custom.patchNamespacedCustomObject(
        { group, version, namespace: 'default', plural, name: 'cp', body: { metadata: { resourceVersion: '0' }, spec: { x: 1 } } },
        mergePatch,
      ),
    );
    expect(error.code).toBe(409);
    expect(JSON.parse(error.body)).toMatchObject({ reason: 'Conflict' });
  });

  it('creates an events.k8s.io Event', async () => {
    const created = await config.makeApiClient(EventsV1Api).createNamespacedEvent({
      namespace: 'default',
      body: {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { generateName: 'cp.' },
        eventTime: new Date('2026-01-01T00:00:00Z'),
        reason: 'EndpointSet',
        action: 'Reconcile',
        reportingController: 'capt-endpoint',
        reportingInstance: 'test',
        regarding: { apiVersion: `${group}/${version}`, kind: 'CAPTControlPlane', namespace: 'default', name: 'cp' },
        type: 'Normal',
      },
    });
    expect(created.metadata?.name).toMatch(/^cp\./);
    expect(server.store.list('events.k8s.io/v1', 'Event', 'default').items).toHaveLength(1);
  });

  it('watches with client-node Watch and sees a dropped stream end cleanly', async () => {
    const events: string[] = [];
    let ended: unknown = 'open';
    await new Watch(config).watch(
      '/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/default/captcontrolplanes',
      { resourceVersion: server.store.resourceVersion, allowWatchBookmarks: true },
      (type, object: KubernetesObject) => events.push(`${type} ${object.metadata?.resourceVersion}`),
      (error) => {
        ended = error;
      },
    );
    server.store.patch(cpRef, { spec: { x: 1 } });
    await eventually(() => events.length === 1);
    server.bookmark();
    await eventually(() => events.length === 2);
    expect(events).toEqual(['MODIFIED 4', 'BOOKMARK 4']);
    server.dropWatches();
    await eventually(() => ended !== 'open');
    expect(ended).toBeNull();
  });

  it('keeps an informer in sync across dropped watches and a 410 Gone', async () => {
    const custom = config.makeApiClient(CustomObjectsApi);
    const path = '/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/default/captcontrolplanes';
    const informer = makeInformer<KubernetesObject>(config, path, () =>
      custom.listNamespacedCustomObject({ group, version, namespace: 'default', plural }),
    );
    const seen: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.metadata?.resourceVersion}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      await eventually(() => seen.includes('add cp'));
      server.store.patch(cpRef, { spec: { x: 1 } });
      await eventually(() => seen.includes('update cp 4'));

      // A dropped watch: the informer reconnects from its last resourceVersion (after its backoff).
      server.dropWatches();
      await eventually(() => server.openWatches === 1);
      server.store.add({ ...controlPlane(), metadata: { name: 'cp2', namespace: 'default' } });
      await eventually(() => seen.includes('add cp2'));

      // 410 Gone: history compacted while the watch is down; the informer relists and carries on.
      const requestsBefore = server.requests.length;
      server.dropWatches();
      server.store.delete({ ...cpRef, name: 'cp2' });
      server.store.compact();
      server.store.patch(cpRef, { spec: { x: 2 } });
      await eventually(() => seen.includes('delete cp2') && seen.some((s) => s.startsWith('update cp ') && s !== 'update cp 4'));
      const since = server.requests.slice(requestsBefore);
      expect(since.filter((r) => r.query['watch']).map((r) => r.query['resourceVersion'])).toContain('5');
      expect(since.filter((r) => r.method === 'GET' && !r.query['watch'])).toHaveLength(1); // the relist
      expect(informer.list().map((o) => o.metadata?.name)).toEqual(['cp']);
      expect(errors).toEqual([]);
      // Let the informer finish its reconnect backoff, so stopping leaves no timer behind.
      await eventually(() => server.openWatches === 1);
    } finally {
      await informer.stop();
    }
  });
});
