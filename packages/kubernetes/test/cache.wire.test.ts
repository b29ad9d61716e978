// createCachedKubernetesClient against the fake API server: informers list and watch through
// the real client-node, serve reads from memory, follow changes, survive dropped watches and
// 410 Gone, take our own writes, and stop without leaving anything open.
import * as E from 'fp-ts/lib/Either.js';
import type { ApiError, KubeObject, ObjectRef } from '@capt-endpoint/core';
import { createCachedKubernetesClient, type CacheChange, type CachedKubernetesClient, type CachedKubernetesClientOptions } from '../src';
import { MIN_HEALTHY_WATCH_MS } from '../src/informer';
import { EKS_URL, NS, applyRef, clusterRef, cpRef, deniedRequests, secretRef, startWire, waitFor, workspace, workspaceRef, type Wire } from './harness';

let wire: Wire;
let client: CachedKubernetesClient | undefined;
let errors: ApiError[];
/** The namespaces this test's cache lists and watches Secrets in: granted list and watch there (SECRET_CACHE_RULES). */
let secretCacheNamespaces: readonly string[] = [];

/** A cache with the opt-in Secret cache on for the test namespace (five informers), unless `options` say otherwise. */
const start = (options: CachedKubernetesClientOptions = {}): CachedKubernetesClient => {
  const settings: CachedKubernetesClientOptions = {
    backoff: { initialMs: 20, maxMs: 200 },
    onError: (error) => errors.push(error),
    secrets: { namespaces: [NS] },
    ...options,
  };
  secretCacheNamespaces = settings.secrets === undefined || settings.secrets === false ? [] : settings.secrets.namespaces;
  client = createCachedKubernetesClient(wire.kc, settings);
  return client;
};

beforeEach(async () => {
  errors = [];
  secretCacheNamespaces = [];
  wire = await startWire();
});
afterEach(async () => {
  await client?.stop();
  client = undefined;
  await wire.server.close();
  expect(deniedRequests(wire.server.requests, secretCacheNamespaces)).toEqual([]);
});

/** Synced, and every informer's watch open: from here on, only changes cause traffic. */
const settled = async (cache: CachedKubernetesClient, watchCount = 5): Promise<void> => {
  await cache.synced();
  await waitFor(`${watchCount} watches`, () => wire.server.openWatches === watchCount);
};

const read = async (ref: ObjectRef): Promise<KubeObject | undefined> => {
  const result = await client!.get(ref)();
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
};

const lists = () => wire.server.requests.filter((r) => r.method === 'GET' && r.query['watch'] === undefined && !r.path.split('/').includes('eks-a'));
const watches = () => wire.server.requests.filter((r) => r.query['watch'] === 'true');

describe('synced', () => {
  it('by default lists and watches no Secret anywhere: a Secret read is one GET, by name', async () => {
    const cache = start({ secrets: undefined });
    await settled(cache, 4);
    expect(lists().map((r) => r.path).sort()).toEqual([
      '/apis/cluster.x-k8s.io/v1beta1/clusters',
      '/apis/controlplane.cluster.x-k8s.io/v1beta1/captcontrolplanes',
      '/apis/infrastructure.cluster.x-k8s.io/v1beta1/workspacetemplateapplies',
      '/apis/tf.upbound.io/v1beta1/workspaces',
    ]);
    const before = wire.server.requests.length;
    expect((await read(secretRef))?.metadata.name).toBe(secretRef.name);
    expect((await read(secretRef))?.metadata.name).toBe(secretRef.name);
    expect(wire.server.requests.filter((r) => r.path.includes('/secrets')).map((r) => `${r.method} ${r.path}${r.query['watch'] === undefined ? '' : ' watch'}`)).toEqual([
      `GET /api/v1/namespaces/${NS}/secrets/${secretRef.name}`,
      `GET /api/v1/namespaces/${NS}/secrets/${secretRef.name}`,
    ]);
    expect(wire.server.requests.length).toBe(before + 2);
  });

  it('caches Secrets only in the namespaces it is given, each with its own list and watch', async () => {
    const cache = start({ secrets: { namespaces: [NS, 'other', NS] } });
    await settled(cache, 6);
    const secretTraffic = wire.server.requests.filter((r) => r.path.includes('/secrets'));
    expect(secretTraffic.map((r) => `${r.path}${r.query['watch'] === undefined ? '' : ' watch'}`).sort()).toEqual([
      `/api/v1/namespaces/${NS}/secrets`,
      `/api/v1/namespaces/${NS}/secrets watch`,
      '/api/v1/namespaces/other/secrets',
      '/api/v1/namespaces/other/secrets watch',
    ]);
    for (const request of secretTraffic) expect(request.query['fieldSelector']).toBe('type=connection.crossplane.io/v1alpha1');
    const before = wire.server.requests.length;
    expect((await read(secretRef))?.metadata.name).toBe(secretRef.name);
    expect(wire.server.requests.length).toBe(before);
    // A namespace not named is read with a GET.
    expect(await read({ ...secretRef, namespace: 'elsewhere' })).toBeUndefined();
    expect(wire.server.requests.slice(before).map((r) => r.path)).toEqual([`/api/v1/namespaces/elsewhere/secrets/${secretRef.name}`]);
    expect(cache.list('v1', 'Secret', NS)?.map((secret) => secret.metadata.name)).toEqual([secretRef.name]);
  });

  it('lists and watches each kind reconcile reads, then says it is synced', async () => {
    const cache = start();
    expect(cache.hasSynced()).toBe(false);
    await cache.synced();
    expect(cache.hasSynced()).toBe(true);
    expect(lists().map((r) => r.path).sort()).toEqual([
      `/api/v1/namespaces/${NS}/secrets`,
      '/apis/cluster.x-k8s.io/v1beta1/clusters',
      '/apis/controlplane.cluster.x-k8s.io/v1beta1/captcontrolplanes',
      '/apis/infrastructure.cluster.x-k8s.io/v1beta1/workspacetemplateapplies',
      '/apis/tf.upbound.io/v1beta1/workspaces',
    ]);
    await waitFor('five watches', () => wire.server.openWatches === 5);
    for (const request of watches()) {
      expect(request.query).toMatchObject({ watch: 'true', allowWatchBookmarks: 'true', timeoutSeconds: '300' });
      expect(Number(request.query['resourceVersion'])).toBeGreaterThan(0);
    }
    const secretTraffic = wire.server.requests.filter((r) => r.path === `/api/v1/namespaces/${NS}/secrets`);
    expect(secretTraffic).toHaveLength(2);
    for (const request of secretTraffic) expect(request.query['fieldSelector']).toBe('type=connection.crossplane.io/v1alpha1');
  });

  it('caches only connection Secrets by default; a read of another Secret falls through to a GET', async () => {
    wire.server.store.add({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'opaque', namespace: NS }, type: 'Opaque', data: { password: 'aHVudGVyMg==' } });
    const cache = start();
    await settled(cache);
    const before = wire.server.requests.length;
    expect((await read(secretRef))?.metadata.name).toBe(secretRef.name);
    expect(wire.server.requests.length).toBe(before);
    expect((await read({ ...secretRef, name: 'opaque' }))?.metadata.name).toBe('opaque');
    expect((await read({ ...secretRef, name: 'absent' }))).toBeUndefined();
    expect(wire.server.requests.slice(before).map((r) => r.path)).toEqual([
      `/api/v1/namespaces/${NS}/secrets/opaque`,
      `/api/v1/namespaces/${NS}/secrets/absent`,
    ]);
  });

  it('serves every read of a steady-state reconcile from memory: zero requests', async () => {
    const cache = start();
    await settled(cache);
    const before = wire.server.requests.length;
    for (const ref of [cpRef, clusterRef, applyRef, workspaceRef, secretRef]) expect((await read(ref))?.metadata.name).toBe(ref.name);
    expect(await read({ ...cpRef, name: 'absent' })).toBeUndefined();
    expect(wire.server.requests.length).toBe(before);
  });

  it('returns copies: mutating a result does not change the cache', async () => {
    const cache = start();
    await cache.synced();
    const first = await read(cpRef);
    first!.metadata.name = 'changed';
    expect((await read(cpRef))?.metadata.name).toBe('eks-a');
  });

  it('a copy shares no object or array with what the cache holds, however deep', async () => {
    const cache = start();
    await cache.synced();
    const mine = (await read(workspaceRef)) as KubeObject & { status: { atProvider: { outputs: Record<string, unknown> } } };
    mine.status.atProvider.outputs['cluster_endpoint'] = 'https://changed.example';
    (mine.metadata.labels ??= {})['added'] = 'yes';
    const again = (await read(workspaceRef)) as typeof mine;
    expect(again.status.atProvider.outputs['cluster_endpoint']).toBe(EKS_URL);
    expect(again.metadata.labels?.['added']).toBeUndefined();
  });

  it('readOnly reads get the held object itself, deep-frozen: the same one each time, and a change throws', async () => {
    const cache = start();
    await settled(cache);
    const before = wire.server.requests.length;
    const shared = async (ref: ObjectRef): Promise<KubeObject> => {
      const result = await cache.get(ref, { readOnly: true })();
      if (E.isLeft(result) || result.right === undefined) throw new Error(`no ${ref.name}`);
      return result.right;
    };
    const first = await shared(workspaceRef);
    expect(await shared(workspaceRef)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first['status'])).toBe(true);
    expect(() => {
      (first.metadata as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    expect((await read(workspaceRef))?.metadata.name).toBe(workspaceRef.name);
    expect(wire.server.requests.length).toBe(before);
  });

  it('a write’s result stays the caller’s to change; the cache holds its own frozen copy', async () => {
    const cache = start();
    await settled(cache);
    const written = await cache.patch(cpRef, { spec: { controlPlaneEndpoint: { host: 'a.example', port: 443 } } })();
    if (E.isLeft(written)) throw new Error(written.left.message);
    const mine = written.right as KubeObject & { spec: { controlPlaneEndpoint: { host: string } } };
    expect(Object.isFrozen(mine.spec)).toBe(false);
    mine.spec.controlPlaneEndpoint.host = 'changed.example';
    const held = await cache.get(cpRef, { readOnly: true })();
    expect(E.isRight(held) && (held.right as typeof mine).spec.controlPlaneEndpoint.host).toBe('a.example');
  });

  it('a new version shares with the one it replaces the parts that did not change', async () => {
    const cache = start();
    await settled(cache);
    const shared = async (): Promise<KubeObject & { spec: unknown; status?: unknown }> => {
      const result = await cache.get(cpRef, { readOnly: true })();
      if (E.isLeft(result) || result.right === undefined) throw new Error('no control plane');
      return result.right as KubeObject & { spec: unknown };
    };
    const before = await shared();
    wire.server.store.patch(cpRef, { status: { ready: true } }, { subresource: 'status' });
    // The watch delivers the new version.
    let after = await shared();
    for (let i = 0; i < 200 && after === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      after = await shared();
    }
    expect(after).not.toBe(before);
    // secretsReady: the CRD's default, filled in by the server once status exists.
    expect(after.status).toEqual({ ...(before.status as object), ready: true, secretsReady: false });
    expect(after.spec).toBe(before.spec);
    expect(after.metadata).not.toBe(before.metadata);
    expect(Object.isFrozen(after.status)).toBe(true);
  });

  it('drops metadata.managedFields from what it holds, listed or written; keepManagedFields keeps them', async () => {
    // The server records who wrote what, as the API server does.
    wire.server.store.patch(cpRef, { metadata: { labels: { edited: 'yes' } } }, { fieldManager: 'kubectl' });
    const managedFields = wire.server.store.get(cpRef)?.metadata['managedFields'];
    expect(managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', fieldsV1: { 'f:metadata': { 'f:labels': expect.any(Object) } } })]);
    const cache = start();
    await cache.synced();
    expect((await read(cpRef))?.metadata).not.toHaveProperty('managedFields');
    expect((await read(cpRef))?.metadata.name).toBe('eks-a');
    const written = await cache.patch(cpRef, { spec: { controlPlaneEndpoint: { host: 'a.example', port: 443 } } })();
    expect(E.isRight(written) && written.right.metadata['managedFields']).toEqual([...(managedFields as unknown[]), expect.objectContaining({ fieldsV1: { 'f:spec': expect.any(Object) } })]);
    expect((await read(cpRef))?.metadata).not.toHaveProperty('managedFields');
    await cache.stop();
    const keeping = start({ keepManagedFields: true });
    await keeping.synced();
    expect((await read(cpRef))?.metadata).toHaveProperty('managedFields', wire.server.store.get(cpRef)?.metadata['managedFields']);
  });

  it('a read that asks for managedFields goes to the API, once, and gets them', async () => {
    wire.server.store.patch(cpRef, { spec: { controlPlaneEndpoint: { host: 'https://a.example', port: 443 } } }, { fieldManager: 'manager' });
    const managedFields = wire.server.store.get(cpRef)?.metadata['managedFields'];
    expect(managedFields).toEqual([expect.objectContaining({ manager: 'manager', fieldsV1: { 'f:spec': { 'f:controlPlaneEndpoint': expect.any(Object) } } })]);
    const cache = start();
    await settled(cache);
    const before = wire.server.requests.length;
    const owned = await cache.get(cpRef, { readOnly: true, managedFields: true })();
    expect(E.isRight(owned) && owned.right?.metadata).toHaveProperty('managedFields', managedFields);
    expect(wire.server.requests.slice(before).map((r) => [r.method, r.path])).toEqual([['GET', `/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${NS}/captcontrolplanes/eks-a`]]);
    // Other reads stay in the cache.
    expect((await read(cpRef))?.metadata).not.toHaveProperty('managedFields');
    expect(wire.server.requests.length).toBe(before + 1);
  });

  it('scoped to one namespace: lists there, and a read elsewhere is a GET', async () => {
    const cache = start({ namespace: NS });
    await settled(cache);
    expect(lists().map((r) => r.path)).toContain(`/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${NS}/captcontrolplanes`);
    expect(lists().map((r) => r.path)).toContain('/apis/tf.upbound.io/v1beta1/workspaces');
    const before = wire.server.requests.length;
    expect(await read({ ...cpRef, namespace: 'elsewhere' })).toBeUndefined();
    expect(wire.server.requests.slice(before).map((r) => r.path)).toEqual(['/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/elsewhere/captcontrolplanes/eks-a']);
  });

  it('a kind not cached is read with a GET', async () => {
    const cache = start({ secrets: false });
    await settled(cache, 4);
    const before = wire.server.requests.length;
    expect((await read(secretRef))?.metadata.name).toBe(secretRef.name);
    expect(wire.server.requests.slice(before).map((r) => r.path)).toEqual(['/api/v1/namespaces/clusters/secrets/eks-a-conn']);
  });
});

describe('following changes', () => {
  it('watch events update the cache and are reported by kind, namespace, name and resourceVersion', async () => {
    const cache = start();
    const changes: CacheChange[] = [];
    cache.onChange((change) => changes.push(change));
    await settled(cache);
    changes.length = 0;
    wire.server.store.patch(workspaceRef, { status: { atProvider: { outputs: { cluster_endpoint: 'https://b.example' } } } }, { subresource: 'status' });
    await waitFor('the change', () => changes.length > 0);
    const { resourceVersion } = wire.server.store.get(workspaceRef)!.metadata;
    expect(changes).toEqual([{ type: 'modified', apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', namespace: undefined, name: 'eks-a-ws', resourceVersion }]);
    const before = wire.server.requests.length;
    expect((await read(workspaceRef))?.['status']).toMatchObject({ atProvider: { outputs: { cluster_endpoint: 'https://b.example' } } });
    wire.server.store.delete(applyRef);
    await waitFor('the deletion', () => changes.some((c) => c.type === 'deleted'));
    expect(await read(applyRef)).toBeUndefined();
    expect(wire.server.requests.length).toBe(before);
  });

  it('our own write updates the cache at once, before its watch event', async () => {
    const cache = start();
    await settled(cache);
    const before = wire.server.requests.length;
    const written = await cache.patch(cpRef, { spec: { controlPlaneEndpoint: { host: 'a.example', port: 443 } } })();
    expect(E.isRight(written)).toBe(true);
    const cached = await read(cpRef);
    expect(cached?.metadata.resourceVersion).toBe(E.isRight(written) ? written.right.metadata.resourceVersion : 'x');
    expect(cached?.['spec']).toMatchObject({ controlPlaneEndpoint: { host: 'a.example', port: 443 } });
    const status = await cache.patchStatus(cpRef, { status: { conditions: [] } })();
    expect((await read(cpRef))?.metadata.resourceVersion).toBe(E.isRight(status) ? status.right.metadata.resourceVersion : 'x');
    expect(wire.server.requests.slice(before).map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
  });

  it('unsubscribed listeners hear nothing more', async () => {
    const cache = start();
    const heard: CacheChange[] = [];
    const unsubscribe = cache.onChange((change) => heard.push(change));
    await cache.synced();
    unsubscribe();
    const count = heard.length;
    wire.server.store.patch(cpRef, { spec: { x: 1 } });
    await cache.patch(cpRef, { spec: { x: 2 } })();
    expect(heard.length).toBe(count);
  });
});

describe('surviving the API server', () => {
  it('resumes after dropped watches and still serves correct data', async () => {
    const cache = start();
    const changes: CacheChange[] = [];
    cache.onChange((change) => changes.push(change));
    await settled(cache);
    const listsBefore = lists().length;
    // A watch that lived a while and is ended by the server is resumed at once, as no failure.
    await new Promise((resolve) => setTimeout(resolve, MIN_HEALTHY_WATCH_MS));
    wire.server.dropWatches();
    await waitFor('the watches to reopen', () => wire.server.openWatches === 5);
    changes.length = 0;
    wire.server.store.patch(clusterRef, { spec: { controlPlaneEndpoint: { host: 'c.example', port: 6443 } } });
    await waitFor('the change after reconnecting', () => changes.length > 0);
    expect((await read(clusterRef))?.['spec']).toEqual({ controlPlaneEndpoint: { host: 'c.example', port: 6443 } });
    expect(lists().length).toBe(listsBefore); // resumed from the resourceVersion, no relist
    expect(errors).toEqual([]);
  });

  it('a watch that hears nothing for watchIdleTimeoutMs is ended and resumed, with no relist and no error', async () => {
    const cache = start({ watchIdleTimeoutMs: 150 });
    await settled(cache);
    const listsBefore = lists().length;
    const watchesBefore = watches().length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(watches().length).toBeGreaterThan(watchesBefore);
    expect(lists().length).toBe(listsBefore);
    expect(errors).toEqual([]);
    wire.server.store.patch(clusterRef, { spec: { controlPlaneEndpoint: { host: 'idle.example', port: 6443 } } });
    let seen: unknown;
    for (let i = 0; i < 200 && seen === undefined; i++) {
      const spec = (await read(clusterRef))?.['spec'] as { controlPlaneEndpoint?: unknown } | undefined;
      seen = spec?.controlPlaneEndpoint;
      if (seen === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(seen).toEqual({ host: 'idle.example', port: 6443 });
  });

  it('relists after 410 Gone and reports what changed while it was away', async () => {
    const cache = start();
    const changes: CacheChange[] = [];
    cache.onChange((change) => changes.push(change));
    await settled(cache);
    changes.length = 0;
    const listsBefore = lists().length;
    // While no watch is open: a deletion and a change, then compaction, so resuming is 410 Gone.
    await new Promise((resolve) => setTimeout(resolve, MIN_HEALTHY_WATCH_MS));
    wire.server.dropWatches();
    wire.server.store.delete(secretRef);
    wire.server.store.patch(cpRef, { spec: { workspaceTemplateApplyName: 'renamed' } });
    wire.server.store.compact();
    await waitFor('the relists', () => lists().length >= listsBefore + 5);
    await waitFor('the changes', () => changes.length >= 2);
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'deleted', apiVersion: 'v1', kind: 'Secret', namespace: NS, name: secretRef.name }),
        expect.objectContaining({ type: 'modified', apiVersion: cpRef.apiVersion, kind: 'CAPTControlPlane', namespace: NS, name: cpRef.name }),
      ]),
    );
    await waitFor('the watches to reopen', () => wire.server.openWatches === 5);
    const before = wire.server.requests.length;
    expect((await read(cpRef))?.['spec']).toMatchObject({ workspaceTemplateApplyName: 'renamed' });
    expect(wire.server.requests.length).toBe(before);
    // The Secret cache is narrowed by a selector, so a miss is confirmed with a GET (404).
    expect(await read(secretRef)).toBeUndefined();
    expect(wire.server.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/v1/namespaces/${NS}/secrets/${secretRef.name}`]);
    // Each 410 is told once, as the backoff step before the relist.
    expect(errors.map((e) => e.code)).toEqual([410, 410, 410, 410, 410]);
  });

  it('retries a failing list with backoff, reporting each failure, then syncs', async () => {
    let failures = 3;
    wire.server.inject((r) => (r.path.endsWith('/workspaces') && r.query['watch'] === undefined && failures-- > 0 ? { code: 503, message: 'etcd leader changed' } : undefined));
    const cache = start();
    await cache.synced();
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({ kind: 'Unavailable', code: 503, message: 'etcd leader changed' });
    expect((await read(workspaceRef))?.metadata.name).toBe(workspaceRef.name);
  });

  it('until synced, reads fall through to GETs', async () => {
    wire.server.inject((r) => (r.path.endsWith('/captcontrolplanes') ? { code: 500, message: 'down' } : undefined));
    const cache = start();
    await waitFor('a failed list', () => errors.length > 0);
    expect(cache.hasSynced()).toBe(false);
    const before = wire.server.requests.length;
    expect((await read(cpRef))?.metadata.name).toBe(cpRef.name);
    expect(wire.server.requests.slice(before).filter((r) => r.path.endsWith('/eks-a'))).toHaveLength(1);
  });
});

describe('paged lists', () => {
  const workspacesPath = '/apis/tf.upbound.io/v1beta1/workspaces';
  const workspaceLists = () => lists().filter((r) => r.path === workspacesPath);
  /** Adds Workspaces `ws-00`..: with the harness's `eks-a-ws`, `count + 1` in all. */
  const addWorkspaces = (count: number): void => {
    wire.server.store.addAll(Array.from({ length: count }, (_, i) => ({ ...workspace(), metadata: { name: `ws-${String(i).padStart(2, '0')}` } })));
  };
  const wsNamed = (name: string) => ({ ...workspaceRef, name });

  it('lists more objects than a page in ceil(n / pageSize) requests, following continue, and holds them all', async () => {
    addWorkspaces(24);
    const cache = start({ pageSize: 10 });
    await settled(cache);
    const pages = workspaceLists();
    expect(pages.map((r) => r.query['limit'])).toEqual(['10', '10', '10']);
    expect(pages.map((r) => r.query['continue'] === undefined)).toEqual([true, false, false]);
    // The other kinds hold one object each: one request each.
    expect(lists().length).toBe(3 + 4);
    const before = wire.server.requests.length;
    for (const name of ['eks-a-ws', 'ws-00', 'ws-09', 'ws-10', 'ws-23']) expect((await read(wsNamed(name)))?.metadata.name).toBe(name);
    expect(wire.server.requests.length).toBe(before);
    expect(errors).toEqual([]);
  });

  it('applies the list only after its last page, and watches from the first page\'s resourceVersion', async () => {
    addWorkspaces(4);
    const listedAt = wire.server.store.resourceVersion;
    const added: string[] = [];
    const modified: string[] = [];
    let heldDuringList: number | undefined;
    wire.server.inject((r) => {
      if (r.path !== workspacesPath || r.query['continue'] === undefined || heldDuringList !== undefined) return undefined;
      heldDuringList = added.length;
      // A write between pages: the list does not show it, the watch from the list's version does.
      wire.server.store.patch(wsNamed('ws-00'), { metadata: { labels: { changed: 'between-pages' } } });
      return undefined;
    });
    const cache = start({ pageSize: 2 });
    cache.onChange((change) => {
      if (change.kind === 'Workspace') (change.type === 'added' ? added : modified).push(change.name);
    });
    await settled(cache);
    expect(heldDuringList).toBe(0);
    expect(added.sort()).toEqual(['eks-a-ws', 'ws-00', 'ws-01', 'ws-02', 'ws-03']);
    const watch = watches().find((r) => r.path === workspacesPath);
    expect(watch?.query['resourceVersion']).toBe(listedAt);
    await waitFor('the change made between pages', () => modified.includes('ws-00'));
    expect((await read(wsNamed('ws-00')))?.metadata.labels).toEqual({ changed: 'between-pages' });
    expect(errors).toEqual([]);
  });

  it('pageSize 0 lists each kind in one request, without limit', async () => {
    addWorkspaces(24);
    const cache = start({ pageSize: 0 });
    await settled(cache);
    expect(workspaceLists().map((r) => [r.query['limit'], r.query['continue']])).toEqual([[undefined, undefined]]);
    expect((await read(wsNamed('ws-23')))?.metadata.name).toBe('ws-23');
  });

  it('starts the list again from the first page when a continue token has expired (410), reporting it', async () => {
    addWorkspaces(6);
    let expire = true;
    wire.server.inject((r) => {
      if (r.path === workspacesPath && r.query['continue'] !== undefined && expire) {
        expire = false;
        wire.server.expireContinueTokens();
      }
      return undefined;
    });
    const cache = start({ pageSize: 3 });
    await settled(cache);
    // First page, its continue answered 410, then the three pages of the list again.
    expect(workspaceLists().map((r) => r.query['continue'] === undefined)).toEqual([true, false, true, false, false]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 410, statusReason: 'Expired', message: expect.stringContaining('continue parameter is too old') });
    for (const name of ['eks-a-ws', 'ws-00', 'ws-05']) expect((await read(wsNamed(name)))?.metadata.name).toBe(name);
  });

  it('relists in pages after 410 Gone: what is gone is removed, what is on a later page stays', async () => {
    addWorkspaces(5);
    const cache = start({ pageSize: 2 });
    const changes: CacheChange[] = [];
    await settled(cache);
    cache.onChange((change) => changes.push(change));
    const listsBefore = workspaceLists().length;
    await new Promise((resolve) => setTimeout(resolve, MIN_HEALTHY_WATCH_MS));
    wire.server.dropWatches();
    wire.server.store.delete(wsNamed('ws-04'));
    wire.server.store.compact();
    await waitFor('the paged relist', () => workspaceLists().length >= listsBefore + 3);
    await waitFor('the deletion', () => changes.some((c) => c.kind === 'Workspace'));
    await waitFor('the watches to reopen', () => wire.server.openWatches === 5);
    expect(changes.filter((c) => c.kind === 'Workspace')).toEqual([expect.objectContaining({ type: 'deleted', apiVersion: workspaceRef.apiVersion, kind: 'Workspace', namespace: undefined, name: 'ws-04' })]);
    expect(await read(wsNamed('ws-04'))).toBeUndefined();
    expect((await read(wsNamed('ws-03')))?.metadata.name).toBe('ws-03');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.code === 410)).toBe(true);
  });

  it('refuses a pageSize that is not a non-negative integer, before starting anything', () => {
    for (const pageSize of [-1, 2.5, Number.NaN]) expect(() => start({ pageSize })).toThrow(RangeError);
    client = undefined;
    expect(wire.server.requests).toEqual([]);
  });
});

describe('stopping', () => {
  it('closes every watch, reports no error, and resolves a pending synced()', async () => {
    const cache = start();
    await settled(cache);
    await cache.stop();
    await waitFor('the watches to close', () => wire.server.openWatches === 0);
    expect(errors).toEqual([]);
    const requests = wire.server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(wire.server.requests.length).toBe(requests);
  });

  it('stops while still failing to list, without waiting out the backoff', async () => {
    wire.server.inject(() => ({ code: 500, message: 'down' }));
    const cache = start({ backoff: { initialMs: 60_000 } });
    await waitFor('a failed list', () => errors.length > 0);
    const pending = cache.synced();
    await cache.stop();
    await pending;
    expect(cache.hasSynced()).toBe(false);
  });
});
