// What a controller asks of the clients beyond reads and writes: the cached client lists what
// it holds of a kind (so a controller can enumerate its control planes), and both clients tell
// an observer how each request ended (for rest_client_requests_total).
import * as E from 'fp-ts/lib/Either.js';
import { createCachedKubernetesClient, createKubernetesClient, type CachedKubernetesClient } from '../src';
import { NS, controlPlane, cpRef, wirePerTest } from './harness';

const wire = wirePerTest();
let cache: CachedKubernetesClient | undefined;
afterEach(async () => {
  await cache?.stop();
  cache = undefined;
});

describe('the cached client lists what it holds', () => {
  it('lists a kind once synced, narrowed to a namespace when asked, frozen for reading only', async () => {
    const other = controlPlane();
    wire().server.store.add({ ...other, metadata: { ...other.metadata, name: 'eks-b', namespace: 'elsewhere', uid: 'b' } });
    cache = createCachedKubernetesClient(wire().kc);
    expect(cache.list(cpRef.apiVersion, cpRef.kind)).toBeUndefined();
    await cache.synced();
    const all = cache.list(cpRef.apiVersion, cpRef.kind) ?? [];
    expect(all.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([`${NS}/eks-a`, 'elsewhere/eks-b']);
    expect(cache.list(cpRef.apiVersion, cpRef.kind, 'elsewhere')?.map((o) => o.metadata.name)).toEqual(['eks-b']);
    expect(Object.isFrozen(all[0])).toBe(true);
    // A kind the cache does not hold is not answered with an empty list.
    expect(cache.list('v1', 'ConfigMap')).toBeUndefined();
  });

  it('follows the watch: an object created later is listed', async () => {
    cache = createCachedKubernetesClient(wire().kc);
    await cache.synced();
    const later = controlPlane();
    wire().server.store.add({ ...later, metadata: { ...later.metadata, name: 'eks-later', uid: 'later' } });
    for (let i = 0; i < 200 && (cache.list(cpRef.apiVersion, cpRef.kind)?.length ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cache.list(cpRef.apiVersion, cpRef.kind)?.map((o) => o.metadata.name).sort()).toEqual(['eks-a', 'eks-later']);
  });
});

describe('onRequest', () => {
  it('tells the method and status of every request, and no status when none came', async () => {
    const seen: Array<[string, number | undefined]> = [];
    const client = createKubernetesClient(wire().kc, { onRequest: (method, code) => seen.push([method, code]), timeoutMs: 300 });
    expect(E.isRight(await client.get(cpRef)())).toBe(true);
    expect(E.isRight(await client.get({ ...cpRef, name: 'missing' })())).toBe(true);
    await client.patch(cpRef, { metadata: { resourceVersion: '999999' } })();
    const stop = wire().server.inject((request) => (request.path.endsWith('/silent') ? { action: 'hang' } : undefined));
    await client.get({ ...cpRef, name: 'silent' })();
    stop();
    expect(seen).toEqual([
      ['GET', 200],
      ['GET', 404],
      ['PATCH', 409],
      ['GET', undefined],
    ]);
    await client.close();
  });

  it('counts the cached client\'s lists, and an observer that throws changes no result', async () => {
    const methods: string[] = [];
    cache = createCachedKubernetesClient(wire().kc, {
      onRequest: (method) => {
        methods.push(method);
        throw new Error('observer bug');
      },
    });
    await cache.synced();
    expect(methods.length).toBeGreaterThanOrEqual(4);
    expect(new Set(methods)).toEqual(new Set(['GET']));
    expect(E.isRight(await cache.patch(cpRef, { spec: { version: '1.31' } })())).toBe(true);
  });
});
