// The cached client's steady memo: a reconcile by name whose objects are all the versions last
// seen UpToDate returns the outcome it remembered; any change to any of them is seen at once.
import * as E from 'fp-ts/lib/Either.js';
import { reconcileEndpoint, type Logger, type ReconcileOptions, type ReconcileOutcome } from '@capt-endpoint/core';
import { createCachedKubernetesClient, type CacheChange, type CachedKubernetesClient } from '../src';
import { sameOptions } from '../src/steadyMemo';
import { NS, cpRef, startWire, waitFor, workspaceRef, type Wire } from './harness';

let wire: Wire;
let client: CachedKubernetesClient | undefined;

beforeEach(async () => {
  wire = await startWire();
});
afterEach(async () => {
  await client?.stop();
  client = undefined;
  await wire.server.close();
});

const target = { namespace: NS, name: cpRef.name };

const reconcile = async (cache: CachedKubernetesClient, options?: ReconcileOptions): Promise<ReconcileOutcome> => {
  const result = await reconcileEndpoint(cache, target, options)();
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
};

/** A started cache, and a first reconcile that set the endpoint (our own writes update the cache at once). */
const steady = async (): Promise<{ cache: CachedKubernetesClient; changes: CacheChange[] }> => {
  const cache = createCachedKubernetesClient(wire.kc, { backoff: { initialMs: 20, maxMs: 200 } });
  client = cache;
  const changes: CacheChange[] = [];
  cache.onChange((change) => changes.push(change));
  await cache.synced();
  expect((await reconcile(cache))._tag).toBe('Updated');
  return { cache, changes };
};

describe('the steady memo of the cached client', () => {
  it('returns the remembered UpToDate outcome while no object changed, with no request and the same log line', async () => {
    const { cache } = await steady();
    const lines: string[] = [];
    const logger: Logger = { debug: (_, message) => lines.push(message), info: () => undefined, warn: () => undefined, error: () => undefined };
    const options = { logger };
    const computed = await reconcile(cache, options);
    expect(computed._tag).toBe('UpToDate');
    const before = wire.server.requests.length;
    const again = await reconcile(cache, options);
    expect(again).toBe(computed);
    expect(Object.isFrozen(again)).toBe(true);
    expect(wire.server.requests.length).toBe(before);
    expect(lines).toEqual([computed.message, computed.message]);
  });

  it('sees a change to the Workspace at once: the next reconcile plans again', async () => {
    const { cache, changes } = await steady();
    const computed = await reconcile(cache);
    expect(await reconcile(cache)).toBe(computed);
    wire.server.store.patch(workspaceRef, { status: { atProvider: { outputs: { cluster_endpoint: 'https://moved.example.com' } } } }, { subresource: 'status' });
    await waitFor('the Workspace change', () => changes.some((c) => c.kind === 'Workspace' && c.type === 'modified'));
    const after = await reconcile(cache);
    expect(after).not.toBe(computed);
    expect(after._tag).toBe('Drift');
  });

  it('sees a change to the control plane at once, even one that leaves the endpoint alone', async () => {
    const { cache, changes } = await steady();
    const computed = await reconcile(cache);
    // The first reconcile's own writes come back as watch events too: wait for those first.
    await waitFor('the first writes to come back', () => changes.filter((c) => c.kind === 'CAPTControlPlane').length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    changes.length = 0;
    wire.server.store.patch(cpRef, { metadata: { labels: { edited: 'yes' } } });
    await waitFor('the control plane change', () => changes.some((c) => c.kind === 'CAPTControlPlane' && c.type === 'modified'));
    const after = await reconcile(cache);
    expect(after).not.toBe(computed);
    expect(after).toEqual(computed);
    expect(await reconcile(cache)).toBe(after);
  });

  it('answers only for the same options: equal fields share the outcome, other values plan again', async () => {
    const { cache } = await steady();
    const computed = await reconcile(cache, { requeueWhileWaiting: 5000 });
    expect(await reconcile(cache, { requeueWhileWaiting: 5000 })).toBe(computed);
    const other = await reconcile(cache, { requeueWhileWaiting: 6000 });
    expect(other).not.toBe(computed);
    expect(await reconcile(cache)).not.toBe(other);
  });

  it('remembers nothing for objects held by the caller', async () => {
    const { cache } = await steady();
    const held = await cache.get(cpRef)();
    if (E.isLeft(held) || held.right === undefined) throw new Error('no control plane');
    const first = await reconcileEndpoint(cache, { controlPlane: held.right })();
    const second = await reconcileEndpoint(cache, { controlPlane: held.right })();
    expect(E.isRight(first) && E.isRight(second) && first.right !== second.right).toBe(true);
  });
});

describe('sameOptions', () => {
  it('is true for one object, and for objects with the same own fields and values', () => {
    const logger = {};
    expect(sameOptions({}, {})).toBe(true);
    expect(sameOptions({ logger, writeCondition: false }, { writeCondition: false, logger })).toBe(true);
  });

  it('is false when a field differs, is missing on either side, or holds another object', () => {
    expect(sameOptions({ writeCondition: false }, {})).toBe(false);
    expect(sameOptions({}, { writeCondition: false })).toBe(false);
    expect(sameOptions({ writeCondition: false }, { writeCondition: true })).toBe(false);
    expect(sameOptions({ allowSecretNamespaces: ['a'] }, { allowSecretNamespaces: ['a'] })).toBe(false);
    expect(sameOptions({ a: undefined }, { b: undefined })).toBe(false);
  });
});
