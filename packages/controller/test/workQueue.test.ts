import { retryDelay, WorkQueue, type Timers } from '../src';

/** Timers the test fires by hand, in order of their delay. */
const manualTimers = () => {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  const timers: Timers = {
    set: (callback, ms) => {
      pending.set(++next, { callback, ms });
      return next;
    },
    clear: (handle) => {
      pending.delete(handle as number);
    },
  };
  const fire = (): number[] => {
    const fired = [...pending.entries()].sort((a, b) => a[1].ms - b[1].ms);
    pending.clear();
    fired.forEach(([, timer]) => timer.callback());
    return fired.map(([, timer]) => timer.ms);
  };
  return { timers, fire, delays: () => [...pending.values()].map((t) => t.ms) };
};

describe('WorkQueue', () => {
  it('hands out each key once however often it was added', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
  });

  it('never hands a key to two workers: added while in flight, it comes back after done', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    const key = await queue.get();
    queue.add('a');
    queue.add('a');
    expect(queue.length).toBe(0);
    queue.done(key as string);
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    expect(queue.length).toBe(0);
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.add('late');
    expect(await waiting).toBe('late');
  });

  it('retries with per-key exponential backoff until forget', () => {
    const clock = manualTimers();
    // random 0: no share taken off, the full delay.
    const queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000, timers: clock.timers, random: () => 0 });
    expect([1, 2, 3, 4, 5].map(() => {
      const delay = queue.addRateLimited('a');
      clock.fire();
      return delay;
    })).toEqual([100, 200, 400, 800, 1000]);
    expect(queue.retries('a')).toBe(5);
    expect(queue.addRateLimited('b')).toBe(100);
    queue.forget('a');
    expect(queue.retries('a')).toBe(0);
    expect(queue.addRateLimited('a')).toBe(100);
  });

  it('keeps the earliest schedule for a key', () => {
    const clock = manualTimers();
    const queue = new WorkQueue({ timers: clock.timers });
    queue.addAfter('a', 5000);
    queue.addAfter('a', 9000);
    expect(clock.delays()).toEqual([5000]);
    queue.addAfter('a', 1000);
    expect(clock.delays()).toEqual([1000]);
    expect(queue.length).toBe(0);
    clock.fire();
    expect(queue.length).toBe(1);
  });

  it('on shutDown releases waiting workers and drops queued and scheduled keys', async () => {
    const clock = manualTimers();
    const queue = new WorkQueue({ timers: clock.timers });
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add('a');
    queue.addAfter('b', 10);
    expect(queue.length).toBe(0);
    expect(clock.delays()).toEqual([]);
    expect(await queue.get()).toBeUndefined();
  });

  it('computes capped delays', () => {
    const full = () => 0;
    expect(retryDelay(0, 1000, 300_000, 0.5, full)).toBe(1000);
    expect(retryDelay(3, 1000, 300_000, 0.5, full)).toBe(8000);
    expect(retryDelay(100, 1000, 300_000, 0.5, full)).toBe(300_000);
  });

  it('jitters each retry by up to half its delay, so keys that failed together come back apart', () => {
    // The random source decides the share taken off: none at 0, half at (nearly) 1.
    expect([0, 0.5, 0.999].map((r) => retryDelay(3, 1000, 300_000, 0.5, () => r))).toEqual([8000, 6000, 4004]);
    expect(retryDelay(100, 1000, 300_000, 0.5, () => 0.5)).toBe(225_000);
    const clock = manualTimers();
    const draws = [0.1, 0.9];
    const queue = new WorkQueue({ timers: clock.timers, random: () => draws.shift() ?? 0 });
    expect([queue.addRateLimited('a'), queue.addRateLimited('b')]).toEqual([950, 550]);
    // Every delay stays within the documented range [d/2, d], whatever the draw.
    for (let failures = 0; failures < 12; failures++)
      for (const r of [0, 0.25, 0.5, 0.75, 0.9999]) {
        const d = Math.min(300_000, 1000 * 2 ** failures);
        const delay = retryDelay(failures, 1000, 300_000, undefined, () => r);
        expect(delay).toBeGreaterThanOrEqual(d / 2);
        expect(delay).toBeLessThanOrEqual(d);
      }
  });
});

describe('the work queue observer', () => {
  it('counts a key once when queued, not again when it comes back after done, and counts each retry', async () => {
    let added = 0;
    let retried = 0;
    const queue = new WorkQueue({ timers: manualTimers().timers, observer: { added: () => added++, retried: () => retried++ } });
    queue.add('a');
    queue.add('a');
    expect(added).toBe(1);
    const key = await queue.get();
    queue.add('a'); // while in flight
    expect(added).toBe(2);
    queue.done(key!);
    expect(queue.length).toBe(1);
    expect(added).toBe(2);
    queue.addRateLimited('b');
    queue.addRateLimited('b');
    expect(retried).toBe(2);
  });

  it('measures how long each key waited and was worked on, and how long the keys in flight have been held', async () => {
    let now = 1000;
    const waited: number[] = [];
    const worked: number[] = [];
    const queue = new WorkQueue({ now: () => now, observer: { handedOut: (ms) => waited.push(ms), finished: (ms) => worked.push(ms) } });
    queue.add('a');
    queue.add('b');
    now += 40;
    const a = await queue.get();
    now += 10;
    const b = await queue.get();
    expect(waited).toEqual([40, 50]);
    now += 100;
    // a held 110 ms, b 100 ms.
    expect(queue.inFlight()).toEqual({ totalMs: 210, longestMs: 110 });
    queue.done(a!);
    expect(worked).toEqual([110]);
    expect(queue.inFlight()).toEqual({ totalMs: 100, longestMs: 100 });
    queue.done(b!);
    expect(queue.inFlight()).toEqual({ totalMs: 0, longestMs: 0 });
  });
});
