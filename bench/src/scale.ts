/**
 * Scale: many control planes through the Kubernetes adapter against the loopback server, a
 * first pass (every endpoint to set) and a steady pass (nothing to change), with wall time,
 * requests, writes, peak RSS and peak heap. One configuration per process (started with
 * --expose-gc by the orchestrator); the server runs in a process of its own.
 */
import { getHeapStatistics } from 'node:v8';
import * as E from 'fp-ts/lib/Either.js';
import { reconcileEndpoint, type ClusterClient } from '@capt-endpoint/core';
import { goControllerReconcile } from './baseline';
import { nameOf, namespaceOf } from './fixtures';
import type { RequestCount } from './loopback';
import { msSince } from './stats';
import { cachedClient, connectServer, plainClient, spawnServer, type CachedClient, type ServerAddress, type ServerHandle } from './wire';

export const SCALE_CONFIGS = ['ours-uncached', 'ours-cached', 'baseline-uncached', 'baseline-cached'] as const;
export type ScaleConfig = (typeof SCALE_CONFIGS)[number];

export interface ScaleOptions {
  readonly config: ScaleConfig;
  readonly controlPlanes: number;
  /** Reconciles in flight at once (a controller's worker count). */
  readonly concurrency: number;
  /** Steady passes after the first pass (each one a sample; the first pass happens once a process). */
  readonly steadyPasses: number;
  /**
   * A server seeded by `seedScale` and snapshotted, shared by the configurations: each run
   * restores it to the seeded state. Without one, the run starts and seeds a server of its own.
   */
  readonly server?: ServerAddress | undefined;
}

export interface PassResult {
  readonly wallMs: number;
  readonly requests: number;
  readonly writes: number;
  readonly byVerb: RequestCount['byVerb'];
  readonly failures: number;
  /** Outcome tags (library) or "wrote N" (baseline), tallied. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly peakRssBytes: number;
  readonly peakHeapBytes: number;
}

export interface ScaleResult {
  readonly config: ScaleConfig;
  readonly controlPlanes: number;
  readonly concurrency: number;
  /** Heap in use before any client existed (after a full GC): node, client-node and the bench itself. */
  readonly heapBeforeClientBytes: number;
  /** Cached configurations: time and requests to list everything and start watching. */
  readonly cacheSync: { readonly ms: number; readonly requests: number } | undefined;
  readonly first: PassResult;
  readonly steady: readonly PassResult[];
  readonly peakRssBytes: number;
  readonly peakHeapBytes: number;
  /** Heap still in use after the steady pass and a full GC: what the client keeps. */
  readonly retainedHeapBytes: number;
  /** JSON size of every object on the server: all of them are of kinds the cached client caches. */
  readonly objectsJsonBytes: number;
  readonly objects: number;
  /** Cached configurations: failed lists and watches of the informers, by kind and error. */
  readonly informerErrors: Readonly<Record<string, number>> | undefined;
  /** Where the process's time went: getting the server ready (started and seeded, or restored), and the whole run. */
  readonly setupMs: number;
  readonly totalMs: number;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/**
 * Tracks the peaks of RSS and heap in use, sampled on a timer and at every phase boundary:
 * the heap every 10 ms (V8's statistics are cheap to read), RSS every 50 ms (read from the OS).
 */
const memorySampler = () => {
  let rss = 0;
  let heap = 0;
  let ticks = 0;
  const sampleHeap = (): void => {
    heap = Math.max(heap, getHeapStatistics().used_heap_size);
  };
  const sample = (): void => {
    sampleHeap();
    rss = Math.max(rss, process.memoryUsage.rss());
  };
  const timer = setInterval(() => (++ticks % 5 === 0 ? sample() : sampleHeap()), 10);
  return {
    sample,
    /** Peaks since the last reset, then starts over. */
    take: () => {
      sample();
      const peaks = { rss, heap };
      rss = 0;
      heap = 0;
      return peaks;
    },
    stop: () => clearInterval(timer),
  };
};

/** Runs `work` over 0..n-1 with at most `concurrency` in flight. */
const pool = async (n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> => {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
};

/** Waits until the cache has heard nothing for `quietMs` (the watch has delivered our writes). */
const cacheQuiet = async (client: CachedClient, quietMs: number): Promise<void> => {
  let last = Date.now();
  const unsubscribe = client.onChange(() => {
    last = Date.now();
  });
  while (Date.now() - last < quietMs) await new Promise((resolve) => setTimeout(resolve, quietMs / 4));
  unsubscribe();
};

/** Seeds `n` control planes, a quarter of them publishing the endpoint only through the connection Secret. */
export const seedScale = async (server: ServerHandle, n: number): Promise<void> => {
  const indices = Array.from({ length: n }, (_, i) => i);
  await server.seed(indices.filter((i) => i % 4 !== 3), 'outputs');
  await server.seed(indices.filter((i) => i % 4 === 3), 'secret');
};

export const runScale = async (options: ScaleOptions): Promise<ScaleResult> => {
  const { config, controlPlanes: n, concurrency } = options;
  const begun = process.hrtime.bigint();
  const shared = options.server;
  const server = shared === undefined ? await spawnServer() : connectServer(shared);
  if (shared === undefined) await seedScale(server, n);
  else await server.restore();
  const setupMs = msSince(begun);

  gc();
  const heapBeforeClientBytes = process.memoryUsage().heapUsed;
  const memory = memorySampler();
  const overall = { rss: 0, heap: 0 };
  const note = (peaks: { rss: number; heap: number }) => {
    overall.rss = Math.max(overall.rss, peaks.rss);
    overall.heap = Math.max(overall.heap, peaks.heap);
    return peaks;
  };

  let client: ClusterClient;
  let cached: CachedClient | undefined;
  let cacheSync: ScaleResult['cacheSync'];
  if (config.endsWith('cached') && !config.endsWith('uncached')) {
    await server.mark();
    const start = process.hrtime.bigint();
    cached = await cachedClient(server.kubeConfig);
    cacheSync = { ms: msSince(start), requests: (await server.count()).requests };
    client = cached;
  } else {
    client = plainClient(server.kubeConfig);
  }

  const reconcile = config.startsWith('ours')
    ? async (i: number): Promise<string> => {
        const result = await reconcileEndpoint(client, { namespace: namespaceOf(i), name: nameOf(i) })();
        if (E.isLeft(result)) throw new Error(result.left.reason);
        return result.right._tag;
      }
    : async (i: number): Promise<string> => `wrote ${(await goControllerReconcile(client, namespaceOf(i), nameOf(i))).wrote}`;

  const pass = async (): Promise<PassResult> => {
    const outcomes: Record<string, number> = {};
    let failures = 0;
    memory.take();
    await server.mark();
    const start = process.hrtime.bigint();
    await pool(n, concurrency, async (i) => {
      try {
        const tag = await reconcile(i);
        outcomes[tag] = (outcomes[tag] ?? 0) + 1;
      } catch (error) {
        failures++;
        const tag = `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 120);
        outcomes[tag] = (outcomes[tag] ?? 0) + 1;
      }
    });
    const wallMs = msSince(start);
    const peaks = note(memory.take());
    const count = await server.count();
    return { wallMs, ...count, failures, outcomes, peakRssBytes: peaks.rss, peakHeapBytes: peaks.heap };
  };

  note(memory.take());
  const first = await pass();
  const steady: PassResult[] = [];
  for (let k = 0; k < options.steadyPasses; k++) {
    if (cached !== undefined) await cacheQuiet(cached, 300);
    steady.push(await pass());
  }
  note(memory.take());
  memory.stop();
  gc();
  const retainedHeapBytes = process.memoryUsage().heapUsed;
  const after = await server.storeBytes();
  await cached?.stop();
  await server.close();
  return {
    config,
    controlPlanes: n,
    concurrency,
    heapBeforeClientBytes,
    cacheSync,
    first,
    steady,
    peakRssBytes: overall.rss,
    peakHeapBytes: overall.heap,
    retainedHeapBytes,
    // Sized after the passes, when every endpoint and condition has been written: the most the cache held.
    objectsJsonBytes: after.bytes,
    objects: after.objects,
    informerErrors: cached === undefined ? undefined : { ...cached.informerErrors },
    setupMs,
    totalMs: msSince(begun),
  };
};
