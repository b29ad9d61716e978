import { summarizeScale } from '../src/results';
import { MB, pass, scaleRun } from './builders';

describe('summarizeScale', () => {
  const runs = [
    scaleRun('ours-cached', {
      first: pass({ wallMs: 30_000, requests: 310, writes: 300 }),
      steady: [pass({ wallMs: 5 }), pass({ wallMs: 7 })],
      peakHeapBytes: 250 * MB,
      peakRssBytes: 400 * MB,
      retainedHeapBytes: 110 * MB,
      heapBeforeClientBytes: 31 * MB,
      objectsJsonBytes: 100 * MB,
      cacheSync: { ms: 40, requests: 9 },
    }),
    scaleRun('ours-cached', {
      first: pass({ wallMs: 10_000, requests: 300, writes: 300, failures: 2 }),
      steady: [pass({ wallMs: 6, requests: 1 })],
      peakHeapBytes: 200 * MB,
      peakRssBytes: 350 * MB,
      retainedHeapBytes: 130 * MB,
      heapBeforeClientBytes: 30 * MB,
      objectsJsonBytes: 101 * MB,
      cacheSync: undefined,
    }),
    scaleRun('ours-cached', {
      first: pass({ wallMs: 20_000, requests: 305, writes: 299 }),
      steady: [pass({ wallMs: 100 })],
      peakHeapBytes: 300 * MB,
      peakRssBytes: 380 * MB,
      retainedHeapBytes: 120 * MB,
      heapBeforeClientBytes: 32 * MB,
      objectsJsonBytes: 100 * MB,
      cacheSync: { ms: 60, requests: 9 },
    }),
  ];
  const summary = summarizeScale('ours-cached', runs);

  it('keeps the configuration', () => {
    expect(summary.config).toBe('ours-cached');
  });

  it('spreads the first passes, one per run', () => {
    expect(summary.first.wallMs).toEqual({ min: 10_000, median: 20_000, max: 30_000, runs: 3 });
    expect(summary.first.requests).toEqual({ min: 300, median: 305, max: 310, runs: 3 });
    expect(summary.first.writes).toEqual({ min: 299, median: 300, max: 300, runs: 3 });
    expect(summary.first.failures).toEqual({ min: 0, median: 0, max: 2, runs: 3 });
  });

  it('spreads the steady passes of every run together', () => {
    expect(summary.steady.wallMs).toEqual({ min: 5, median: 6.5, max: 100, runs: 4 });
    expect(summary.steady.requests).toEqual({ min: 0, median: 0, max: 1, runs: 4 });
  });

  it('spreads the memory figures over the runs', () => {
    expect(summary.peakHeapBytes).toEqual({ min: 200 * MB, median: 250 * MB, max: 300 * MB, runs: 3 });
    expect(summary.peakRssBytes).toEqual({ min: 350 * MB, median: 380 * MB, max: 400 * MB, runs: 3 });
    expect(summary.retainedHeapBytes).toEqual({ min: 110 * MB, median: 120 * MB, max: 130 * MB, runs: 3 });
    expect(summary.heapBeforeClientBytes).toEqual({ min: 30 * MB, median: 31 * MB, max: 32 * MB, runs: 3 });
  });

  it('takes the largest JSON size of the objects', () => {
    expect(summary.objectsJsonBytes).toBe(101 * MB);
  });

  it('spreads the cache syncs of the runs that had one', () => {
    expect(summary.cacheSyncMs).toEqual({ min: 40, median: 50, max: 60, runs: 2 });
  });

  it('gives no cache sync for a configuration without a cache', () => {
    expect(summarizeScale('baseline-uncached', [scaleRun('baseline-uncached'), scaleRun('baseline-uncached')]).cacheSyncMs).toBeUndefined();
  });

  it('gives each figure of a single run as it was', () => {
    const one = scaleRun('baseline-cached', {
      first: pass({ wallMs: 12_000, requests: 400, writes: 300 }),
      steady: [pass({ wallMs: 2000, requests: 100 })],
      peakHeapBytes: 180 * MB,
      objectsJsonBytes: 99 * MB,
      cacheSync: { ms: 70, requests: 5 },
    });
    const single = summarizeScale('baseline-cached', [one]);
    expect(single.first.wallMs).toEqual({ min: 12_000, median: 12_000, max: 12_000, runs: 1 });
    expect(single.first.requests).toEqual({ min: 400, median: 400, max: 400, runs: 1 });
    expect(single.steady.wallMs).toEqual({ min: 2000, median: 2000, max: 2000, runs: 1 });
    expect(single.steady.requests).toEqual({ min: 100, median: 100, max: 100, runs: 1 });
    expect(single.peakHeapBytes).toEqual({ min: 180 * MB, median: 180 * MB, max: 180 * MB, runs: 1 });
    expect(single.objectsJsonBytes).toBe(99 * MB);
    expect(single.cacheSyncMs).toEqual({ min: 70, median: 70, max: 70, runs: 1 });
  });
});
