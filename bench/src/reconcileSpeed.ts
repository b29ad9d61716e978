/**
 * Whole-reconcile speed: what one steady-state `reconcileEndpoint` costs end to end, in
 * microseconds and bytes allocated, beside two references measured in the same process:
 *
 * - `JSON.parse` of the four objects a reconcile reads (control plane, Cluster,
 *   WorkspaceTemplateApply, Workspace), the decoding any client pays to have them at all;
 * - the floor: the same four objects read from plain `Map`s (keys built from namespace and name,
 *   the Workspace's name taken from the WorkspaceTemplateApply) and one comparison.
 *
 * Every body runs through the same pool as the scale passes (16 in flight), so the floor pays
 * the same per-reconcile promise as the library does. Cached: over all the control planes (a
 * pass over 10,000 in a full run) and over 64 hot ones. Objects in hand: through the plain
 * client (one GET of the Workspace over loopback HTTP) and through the fake client of
 * `@capt-endpoint/testing`, as a user's unit test runs it: each reconcile meets stored objects
 * no read has met yet, as in a fresh fake, so the fake copies and freezes what it reads and the
 * core decodes it (a fake that kept the objects would hand out frozen copies and decodings it
 * made for an earlier reconcile). Before each round over the hot control planes, the store is
 * given fresh copies (the store's `restore`, timed; the copies are made just before, untimed).
 *
 * The first set through the fake: a control plane by name whose endpoint is not set yet, as a
 * user's unit test of the first reconcile runs it (four reads, three merge patches, each write
 * recording managedFields), beside `JSON.parse` of the same four objects; its store too is given
 * fresh copies of the unset objects before each round.
 *
 * Bytes allocated are the growth of the heap in use over a batch that no garbage collection
 * interrupted (the process runs with a young generation large enough; a batch that met a
 * collection is measured again).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import * as E from 'fp-ts/lib/Either.js';
import { reconcileEndpoint, type ClusterClient, type KubeObject, type ObjectRef } from '@capt-endpoint/core';
import { copyJsonValue } from '@capt-endpoint/core/json';
import { createFakeClient, type FakeClient, type StoreSnapshot } from '@capt-endpoint/testing';
import { applyNameOf, chainOf, nameOf, namespaceOf, workspaceNameOf } from './fixtures';
import { spread, type Spread } from './stats';
import { cachedClient, plainClient, spawnServer, type CachedClient } from './wire';

export interface ReconcileSpeedOptions {
  readonly controlPlanes: number;
  readonly hot: number;
  readonly rounds: number;
  /** Reconciles in flight, as in the scale passes. */
  readonly concurrency: number;
}

export const WHOLE_BODIES = ['floorAll', 'floorHot', 'jsonParse', 'cachedAll', 'cachedHot', 'plainInHand', 'fakeInHand', 'fakeInHandShared', 'jsonParseFirstSet', 'fakeFirstSet'] as const;
export type WholeBody = (typeof WHOLE_BODIES)[number];

export interface WholeRow {
  /** Microseconds per reconcile, one sample per round. */
  readonly micros: Spread;
  /** Bytes allocated per reconcile, one sample per measured batch. */
  readonly bytes: Spread;
  /** Per round, to the same round's `JSON.parse` of the four objects (before the first set, for `fakeFirstSet`). */
  readonly toJsonParse: Spread;
  /** Per round, to the same round's floor (over all control planes for `cachedAll`, over the hot ones otherwise). */
  readonly toFloor: Spread;
}

export interface ReconcileSpeedResult {
  readonly controlPlanes: number;
  readonly hot: number;
  readonly concurrency: number;
  /** Bytes of JSON of one control plane's four objects, as the server holds them. */
  readonly jsonBytes: number;
  /** The same, before the first set. */
  readonly jsonBytesFirstSet?: number;
  /** Reconciles per timed batch, per body. */
  readonly batch: Readonly<Record<WholeBody, number>>;
  readonly rows: Readonly<Record<WholeBody, WholeRow>>;
  /** The outcome every measured reconcile reported. */
  readonly outcomes: readonly string[];
  /** Where the fake client's rows come from: a process of their own, holding this many control planes (see unitTestRows.ts). */
  readonly unitTest?: { readonly controlPlanes: number };
}

const ref = (apiVersion: string, kind: string, name: string, namespace?: string): ObjectRef => ({ apiVersion, kind, name, namespace });
const controlPlaneRef = (i: number) => ref('controlplane.cluster.x-k8s.io/v1beta1', 'CAPTControlPlane', nameOf(i), namespaceOf(i));
const clusterRef = (i: number) => ref('cluster.x-k8s.io/v1beta1', 'Cluster', nameOf(i), namespaceOf(i));
const applyRef = (i: number) => ref('infrastructure.cluster.x-k8s.io/v1beta1', 'WorkspaceTemplateApply', applyNameOf(i), namespaceOf(i));
const workspaceRef = (i: number) => ref('tf.upbound.io/v1beta1', 'Workspace', workspaceNameOf(i));

/** Runs `work` over 0..n-1 with at most `concurrency` in flight (as the scale passes do). */
const pool = async (n: number, concurrency: number, work: (k: number) => Promise<unknown>): Promise<void> => {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
};

const read = async (client: ClusterClient, r: ObjectRef, readOnly = false): Promise<KubeObject> => {
  const got = await client.get(r, { readOnly })();
  if (E.isLeft(got) || got.right === undefined) throw new Error(`bench: could not read ${r.kind} ${r.name}`);
  return got.right;
};

let sink = 0;

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

export const measureReconcileSpeed = async (options: ReconcileSpeedOptions): Promise<ReconcileSpeedResult> => {
  const { controlPlanes: n, concurrency } = options;
  const hot = Math.min(options.hot, n);
  const server = await spawnServer();
  const indices = Array.from({ length: n }, (_, i) => i);
  await server.seed(indices, 'steady');
  const cached: CachedClient = await cachedClient(server.kubeConfig);
  const plain = plainClient(server.kubeConfig);
  const fake = createFakeClient(Array.from({ length: hot }, (_, i) => chainOf(i, 'steady')).flat());
  // As a unit test's fresh fake holds them: a fake for the in-hand reconciles, and one for the first set.
  const unitFake = createFakeClient(Array.from({ length: hot }, (_, i) => chainOf(i, 'steady')).flat());
  const firstSetFake = createFakeClient(Array.from({ length: hot }, (_, i) => chainOf(i, 'outputs')).flat());
  const seeded = new Map<FakeClient, StoreSnapshot>([unitFake, firstSetFake].map((f) => [f, f.store.snapshot()]));
  /** A fresh copy of what `of` was seeded with. */
  const freshCopy = (of: FakeClient): StoreSnapshot => ({ objects: new Map([...seeded.get(of)!.objects].map(([key, object]) => [key, copyJsonValue(object)])) });
  /** Nanoseconds the current timed batch spent making fresh copies, which its time leaves out. */
  let untimed = 0n;
  /**
   * `count` reconciles over the hot control planes, each round over them in a store of fresh
   * copies: those `prepare` made (a batch measured for its allocation), otherwise made just
   * before their round, untimed. A unit test makes its objects just before it reconciles them; a
   * timed batch's copies all made before its timer were young while it ran, and a scavenge in
   * the batch moved them all at the batch's expense.
   */
  const inFreshStores = async (of: FakeClient, count: number, reconcile: (k: number) => Promise<void>): Promise<void> => {
    const stores = prepared.get(of);
    prepared.delete(of);
    for (let round = 0, done = 0; done < count; round++, done += hot) {
      let fresh = stores?.[round];
      if (stores === undefined) {
        const start = process.hrtime.bigint();
        fresh = freshCopy(of);
        untimed += process.hrtime.bigint() - start;
      }
      if (fresh === undefined) throw new Error('bench: no fresh store prepared for this round');
      of.store.restore(fresh);
      await pool(Math.min(hot, count - done), concurrency, reconcile);
    }
  };
  /** Made before an allocation batch's collection and taken by the batch, so that the copies are not counted as its allocation. */
  const prepared = new Map<FakeClient, StoreSnapshot[]>();
  const prepare = (body: WholeBody, count: number): void => {
    const of = body === 'fakeInHand' ? unitFake : body === 'fakeFirstSet' ? firstSetFake : undefined;
    if (of !== undefined) prepared.set(of, Array.from({ length: Math.ceil(count / hot) }, () => freshCopy(of)));
  };

  try {
    const targets = indices.map((i) => ({ namespace: namespaceOf(i), name: nameOf(i) }));
    // The floor's maps hold the very objects the cache holds (read-only reads hand them out).
    const key = (namespace: string | undefined, name: string): string => (namespace === undefined ? name : `${namespace}/${name}`);
    // The few fields the floor reads, as the steady objects hold them.
    interface Held {
      readonly spec: { readonly workspaceTemplateApplyName: string; readonly controlPlaneEndpoint: { readonly host: string } };
      readonly status: { readonly workspaceName: string };
    }
    const maps = { controlPlanes: new Map<string, Held>(), clusters: new Map<string, Held>(), applies: new Map<string, Held>(), workspaces: new Map<string, Held>() };
    for (const i of indices) {
      const readOnly = async (r: ObjectRef) => {
        const got = await cached.get(r, { readOnly: true })();
        if (E.isLeft(got) || got.right === undefined) throw new Error(`bench: the cache lacks ${r.kind} ${r.name}`);
        return got.right as unknown as Held;
      };
      maps.controlPlanes.set(key(namespaceOf(i), nameOf(i)), await readOnly(controlPlaneRef(i)));
      maps.clusters.set(key(namespaceOf(i), nameOf(i)), await readOnly(clusterRef(i)));
      maps.applies.set(key(namespaceOf(i), applyNameOf(i)), await readOnly(applyRef(i)));
      maps.workspaces.set(key(undefined, workspaceNameOf(i)), await readOnly(workspaceRef(i)));
    }
    // Async like a reconcile, so the floor pays the same await per call.
    // eslint-disable-next-line @typescript-eslint/require-await
    const floor = async (k: number): Promise<boolean> => {
      const { namespace, name } = targets[k]!;
      const controlPlane = maps.controlPlanes.get(key(namespace, name))!;
      const cluster = maps.clusters.get(key(namespace, name))!;
      const apply = maps.applies.get(key(namespace, controlPlane.spec.workspaceTemplateApplyName))!;
      const workspace = maps.workspaces.get(key(undefined, apply.status.workspaceName));
      return workspace !== undefined && controlPlane.spec.controlPlaneEndpoint.host === cluster.spec.controlPlaneEndpoint.host;
    };

    const textsOf = (state: 'steady' | 'outputs') => Array.from({ length: hot }, (_, i) => chainOf(i, state).map((object) => JSON.stringify(object)));
    const texts = textsOf('steady');
    const textsFirstSet = textsOf('outputs');
    const jsonBytesOf = (of: string[][]) => of[0]!.reduce((sum, text) => sum + text.length, 0);
    const parseAll = (of: string[][], count: number) => {
      for (let k = 0; k < count; k++) for (const text of of[k % hot]!) sink ^= JSON.parse(text) === null ? 1 : 2;
    };
    // Objects in hand: as a host's own watch delivers them, plain (unfrozen) objects of its own.
    const inHandPlain = await Promise.all(Array.from({ length: hot }, async (_, i) => ({ controlPlane: await read(plain, controlPlaneRef(i)), cluster: await read(plain, clusterRef(i)), workspaceApply: await read(plain, applyRef(i)) })));
    const inHandFake = await Promise.all(Array.from({ length: hot }, async (_, i) => ({ controlPlane: await read(fake, controlPlaneRef(i)), cluster: await read(fake, clusterRef(i)), workspaceApply: await read(fake, applyRef(i)) })));
    // The same, held as the fake hands them to read-only readers: frozen, one per version.
    const inHandShared = await Promise.all(
      Array.from({ length: hot }, async (_, i) => ({ controlPlane: await read(fake, controlPlaneRef(i), true), cluster: await read(fake, clusterRef(i), true), workspaceApply: await read(fake, applyRef(i), true) })),
    );

    const outcomes = new Set<string>();
    const ours = async (client: ClusterClient, target: Parameters<typeof reconcileEndpoint>[1]): Promise<void> => {
      const result = await reconcileEndpoint(client, target)();
      if (E.isLeft(result)) throw new Error(`bench: reconcile failed: ${result.left.message}`);
      if (client === firstSetFake) {
        if (result.right._tag !== 'Updated') throw new Error(`bench: a first set gave ${result.right._tag}`);
        return;
      }
      if (result.right.updated.length > 0 || result.right._tag !== 'UpToDate') outcomes.add(`${result.right._tag} (${result.right.updated.join(', ')})`);
      else outcomes.add(result.right._tag);
    };

    // One batch of each body: `count` reconciles; the hot bodies go round the hot control planes.
    const bodies: Record<WholeBody, (count: number) => Promise<void>> = {
      floorAll: (count) => pool(count, concurrency, async (k) => void (sink ^= (await floor(k % n)) ? 1 : 2)),
      floorHot: (count) => pool(count, concurrency, async (k) => void (sink ^= (await floor(k % hot)) ? 1 : 2)),
      // eslint-disable-next-line @typescript-eslint/require-await
      jsonParse: async (count) => parseAll(texts, count),
      // eslint-disable-next-line @typescript-eslint/require-await
      jsonParseFirstSet: async (count) => parseAll(textsFirstSet, count),
      cachedAll: (count) => pool(count, concurrency, (k) => ours(cached, targets[k % n]!)),
      cachedHot: (count) => pool(count, concurrency, (k) => ours(cached, targets[k % hot]!)),
      plainInHand: (count) => pool(count, concurrency, (k) => ours(plain, inHandPlain[k % hot]!)),
      fakeInHand: (count) => inFreshStores(unitFake, count, (k) => ours(unitFake, inHandFake[k]!)),
      fakeInHandShared: (count) => pool(count, concurrency, (k) => ours(fake, inHandShared[k % hot]!)),
      fakeFirstSet: (count) => inFreshStores(firstSetFake, count, (k) => ours(firstSetFake, targets[k]!)),
    };
    const time = async (body: WholeBody, count: number): Promise<number> => {
      untimed = 0n;
      const start = process.hrtime.bigint();
      await bodies[body](count);
      const micros = Number(process.hrtime.bigint() - start - untimed) / 1e3 / count;
      // The fake records every call: its record must not grow over the run.
      for (const client of [fake, unitFake, firstSetFake]) client.resetCalls();
      return micros;
    };

    // Warm up (JIT, decode memos, the first pass over every control plane), then size each
    // body's batch to about 50 ms: long enough that a batch rarely lives or dies by one time slice.
    for (const body of WHOLE_BODIES) await time(body, body.endsWith('All') ? n : Math.max(hot, 200));
    for (const body of WHOLE_BODIES) await time(body, body.endsWith('All') ? n : Math.max(hot, 200));
    const batch = {} as Record<WholeBody, number>;
    for (const body of WHOLE_BODIES) {
      const perOp = await time(body, body.endsWith('All') ? n : Math.max(hot, 500));
      // A pass over every control plane is its own batch: that is the figure the goal names.
      batch[body] = body.endsWith('All') ? n : Math.max(hot, Math.round(50_000 / perOp / hot) * hot);
    }

    const samples = Object.fromEntries(WHOLE_BODIES.map((b) => [b, [] as number[]])) as unknown as Record<WholeBody, number[]>;
    const toJson = Object.fromEntries(WHOLE_BODIES.map((b) => [b, [] as number[]])) as unknown as Record<WholeBody, number[]>;
    const toFloor = Object.fromEntries(WHOLE_BODIES.map((b) => [b, [] as number[]])) as unknown as Record<WholeBody, number[]>;
    for (let round = 0; round < options.rounds; round++) {
      const order = WHOLE_BODIES.map((_, k) => WHOLE_BODIES[(k + round) % WHOLE_BODIES.length]!);
      const got = {} as Record<WholeBody, number>;
      for (const body of order) got[body] = await time(body, batch[body]);
      for (const body of WHOLE_BODIES) {
        samples[body].push(got[body]);
        toJson[body].push(got[body] / (body === 'fakeFirstSet' ? got.jsonParseFirstSet : got.jsonParse));
        toFloor[body].push(got[body] / (body.endsWith('All') ? got.floorAll : got.floorHot));
      }
    }

    // Allocation: batches of the hot bodies' kind (a few thousand reconciles, well inside the
    // young generation), each after a full collection; one that met a collection is discarded.
    let collections = 0;
    const observer = new PerformanceObserver((list) => {
      collections += list.getEntries().length;
    });
    observer.observe({ entryTypes: ['gc'] });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
    const bytes = Object.fromEntries(WHOLE_BODIES.map((b) => [b, [] as number[]])) as unknown as Record<WholeBody, number[]>;
    for (const body of WHOLE_BODIES) {
      const count = body === 'plainInHand' ? hot * 4 : Math.min(body.endsWith('All') ? n : batch[body], 2000);
      for (let attempt = 0; attempt < 20 && bytes[body].length < 5; attempt++) {
        prepare(body, count);
        gc();
        await settle();
        const seen = collections;
        const before = process.memoryUsage().heapUsed;
        await bodies[body](count);
        const after = process.memoryUsage().heapUsed;
        for (const client of [fake, unitFake, firstSetFake]) client.resetCalls();
        await settle();
        if (collections === seen) bytes[body].push((after - before) / count);
      }
    }
    observer.disconnect();

    const rows = Object.fromEntries(
      WHOLE_BODIES.map((body) => [body, { micros: spread(samples[body]), bytes: spread(bytes[body]), toJsonParse: spread(toJson[body]), toFloor: spread(toFloor[body]) }]),
    ) as unknown as Record<WholeBody, WholeRow>;
    if (sink === -1) console.log('unreachable');
    return { controlPlanes: n, hot, concurrency, jsonBytes: jsonBytesOf(texts), jsonBytesFirstSet: jsonBytesOf(textsFirstSet), batch, rows, outcomes: [...outcomes] };
  } finally {
    await cached.stop();
    await server.close();
  }
};
