import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { ApiError } from '@capt-endpoint/core';
import { apiError } from '@capt-endpoint/core/adapter';
import { createFakeClient, type FakeClient } from '@capt-endpoint/testing';
import {
  createLeaderElector,
  jsonLogger,
  leaderElectionTiming,
  leaseRecordOf,
  leaseRef,
  microTime,
  type LeaderElector,
  type LeaderElectionOptions,
} from '../src';

// Short but valid settings: a 1 s lease (the Lease stores whole seconds), renew deadline 0.5 s, retry 0.1 s.
const timing = { leaseDurationMs: 1000, renewDeadlineMs: 500, retryPeriodMs: 100 } as const;
const LEASE = leaseRef('kube-system', 'capt-endpoint');

const elector = (fake: FakeClient, identity: string, extra: Partial<LeaderElectionOptions> = {}): LeaderElector => {
  const made = createLeaderElector({ client: fake, namespace: 'kube-system', name: 'capt-endpoint', identity, ...timing, ...extra });
  if (E.isLeft(made)) throw new Error(made.left.message);
  return made.right;
};

const held = (fake: FakeClient) => {
  const lease = fake.object(LEASE);
  return lease === undefined ? undefined : leaseRecordOf(lease);
};

const until = async (predicate: () => boolean, ms = 5000): Promise<number> => {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > ms) throw new Error('not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - started;
};

/** Samples who leads every few milliseconds while the test runs; fails if two ever do at once. */
const watchLeaders = (electors: readonly LeaderElector[]) => {
  let both = 0;
  const timer = setInterval(() => {
    if (electors.filter((e) => e.isLeader()).length > 1) both++;
  }, 2);
  return { stop: () => clearInterval(timer), get overlaps() { return both; } };
};

/** A runs and leads; then B runs and sees A as the leader. */
const aLeadsBFollows = async (a: LeaderElector, b: LeaderElector) => {
  const leaders = watchLeaders([a, b]);
  const stopA = new AbortController();
  const stopB = new AbortController();
  const runA = a.run(stopA.signal);
  await until(() => a.isLeader());
  const runB = b.run(stopB.signal);
  await until(() => b.observedLeader() === 'a');
  return { leaders, stopA, stopB, runA, runB };
};

describe('leader election timing', () => {
  it('defaults to client-go 15 s / 10 s / 2 s', () => {
    expect(leaderElectionTiming()).toEqual(E.right({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }));
  });

  it.each([
    [{ leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }, 'longer than the renew deadline'],
    [{ renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }, '1.2 x the retry period'],
    [{ leaseDurationMs: 1500 }, 'whole seconds'],
    [{ retryPeriodMs: 0 }, 'positive'],
    [{ retryPeriodMs: Number.NaN }, 'positive'],
  ])('refuses %j', (settings, message) => {
    const checked = leaderElectionTiming(settings);
    expect(E.isLeft(checked) && checked.left.message).toContain(message);
  });

  it('refuses an empty Lease name as data, not an exception', () => {
    const made = createLeaderElector({ client: createFakeClient(), namespace: 'kube-system', name: '' });
    expect(E.isLeft(made) && made.left._tag).toBe('InvalidLeaderElection');
  });
});

describe('leader election on a Lease', () => {
  it('creates the missing Lease, leads, renews, and releases it on a clean stop', async () => {
    const fake = createFakeClient();
    const stop = new AbortController();
    const started = jest.fn();
    const stopped = jest.fn();
    const running = createLeaderElector({ client: fake, namespace: 'kube-system', name: 'capt-endpoint', identity: 'a', ...timing, onStartedLeading: started, onStoppedLeading: stopped });
    if (E.isLeft(running)) throw new Error('invalid');
    const done = running.right.run(stop.signal);
    await until(() => running.right.isLeader());
    expect(started).toHaveBeenCalledTimes(1);
    const first = held(fake);
    expect(first).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(fake.callsOf('create')).toHaveLength(1);
    await until(() => (held(fake)?.renewTime ?? 0) > (first?.renewTime ?? 0));
    expect(held(fake)?.acquireTime).toBe(first?.acquireTime);
    stop.abort();
    await expect(done).resolves.toBe('released');
    expect(stopped).toHaveBeenCalledWith('released');
    expect(held(fake)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(running.right.isLeader()).toBe(false);
  });

  it('warns once when the API server refuses the Lease (a missing permission), again after a success, and never leads meanwhile', async () => {
    const fake = createFakeClient();
    let text = '';
    const logger = jsonLogger({ write: (line: string) => (text += line) }, { level: 'debug' });
    const refusals = () => text.split('\n').filter((l) => l.includes('the Lease failed')).map((l) => JSON.parse(l) as { level: string; reason: string });
    const refused = fake.failOn('get', { kind: 'Lease' }, apiError('Forbidden', 'leases is forbidden', { code: 403 }));
    const a = elector(fake, 'a', { logger });
    const stop = new AbortController();
    const done = a.run(stop.signal);
    try {
      await until(() => refusals().length >= 4);
      expect(a.isLeader()).toBe(false);
      expect(refusals().map((l) => l.level)).toEqual(['warn', ...refusals().slice(1).map(() => 'debug')]);
      expect(refusals()[0]).toMatchObject({ reason: 'ApiForbidden' });
      // Granted: it leads; refused again later, it warns again.
      refused.remove();
      await until(() => a.isLeader());
      const before = refusals().length;
      fake.failOn('patch', { kind: 'Lease' }, apiError('Forbidden', 'leases is forbidden', { code: 403 }));
      await until(() => refusals().length > before);
      expect(refusals()[before]).toMatchObject({ level: 'warn', reason: 'ApiForbidden' });
    } finally {
      stop.abort();
      await done;
    }
  });

  it('releases the Lease on stop even when it changed since it was last seen (a renewal applied but cut short)', async () => {
    const fake = createFakeClient();
    const a = elector(fake, 'a', { retryPeriodMs: 400, renewDeadlineMs: 500 });
    const stop = new AbortController();
    const done = a.run(stop.signal);
    await until(() => a.isLeader());
    // The server holds a newer version than the one A last saw, still naming A.
    fake.edit(LEASE, { metadata: { labels: { touched: 'yes' } } });
    stop.abort();
    await expect(done).resolves.toBe('released');
    expect(held(fake)).toMatchObject({ holderIdentity: '' });
  });

  it('writes MicroTime with six fractional digits, as the Lease API stores it', () => {
    expect(microTime(Date.UTC(2026, 0, 5, 9, 14, 2, 311))).toBe('2026-01-05T09:14:02.311000Z');
  });

  it('lets one of two candidates lead; a release hands over at once, counted as a transition', async () => {
    const fake = createFakeClient();
    const a = elector(fake, 'a');
    const b = elector(fake, 'b');
    const { leaders, stopA, stopB, runA, runB } = await aLeadsBFollows(a, b);
    expect(b.isLeader()).toBe(false);
    stopA.abort();
    await expect(runA).resolves.toBe('released');
    // A released Lease is free at B's next attempt: one jittered retry period (at most 220 ms here).
    const handOver = await until(() => b.isLeader(), 2000);
    expect(handOver).toBeLessThan(timing.retryPeriodMs * 2.2 + 150);
    expect(held(fake)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    stopB.abort();
    await runB;
    leaders.stop();
    expect(leaders.overlaps).toBe(0);
  });

  it('takes over from a leader that stopped renewing only once the lease has expired, and the old leader stops first', async () => {
    const fake = createFakeClient();
    let partitioned = false;
    const cut = <T>(call: () => TE.TaskEither<ApiError, T>): TE.TaskEither<ApiError, T> =>
      partitioned ? TE.left(apiError('Unavailable', 'partitioned')) : call();
    const a = elector(fake, 'a', {
      client: { get: (ref, o) => cut(() => fake.get(ref, o)), create: (obj, o) => cut(() => fake.create(obj, o)), patch: (ref, p, o) => cut(() => fake.patch(ref, p, o)) },
    });
    const b = elector(fake, 'b');
    const { leaders, stopB, runA, runB } = await aLeadsBFollows(a, b);
    // A's API requests now fail (a partition): it cannot renew, and must stop leading on its own.
    partitioned = true;
    const lastRenewal = held(fake)?.renewTime ?? 0;
    await expect(runA).resolves.toBe('lost');
    const lostAt = Date.now();
    expect(lostAt - lastRenewal).toBeLessThanOrEqual(timing.renewDeadlineMs + timing.retryPeriodMs + 100);
    await until(() => b.isLeader(), 3000);
    const takenAt = held(fake)?.acquireTime ?? 0;
    // Not before the lease (as B saw it renewed) expired; not much later either.
    expect(takenAt - lastRenewal).toBeGreaterThanOrEqual(timing.leaseDurationMs);
    expect(takenAt - lastRenewal).toBeLessThanOrEqual(timing.leaseDurationMs + timing.retryPeriodMs * 2.2 + 150);
    expect(held(fake)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    stopB.abort();
    await runB;
    leaders.stop();
    expect(leaders.overlaps).toBe(0);
  });
});

describe('leader election on the monotonic clock', () => {
  /** A client on the fake that fails every request while `partitioned()`. */
  const partitionable = (fake: FakeClient, partitioned: () => boolean): LeaderElectionOptions['client'] => {
    const cut = <T>(call: () => TE.TaskEither<ApiError, T>): TE.TaskEither<ApiError, T> => (partitioned() ? TE.left(apiError('Unavailable', 'partitioned')) : call());
    return { get: (ref, o) => cut(() => fake.get(ref, o)), create: (obj, o) => cut(() => fake.create(obj, o)), patch: (ref, p, o) => cut(() => fake.patch(ref, p, o)) };
  };

  it('a leader whose wall clock steps back an hour while it cannot renew still stops at its renew deadline: never two leaders', async () => {
    const fake = createFakeClient();
    let partitioned = false;
    let wallSkewMs = 0;
    const a = elector(fake, 'a', { client: partitionable(fake, () => partitioned), now: () => Date.now() + wallSkewMs, monotonic: () => performance.now() });
    const b = elector(fake, 'b');
    const { leaders, stopA, stopB, runA, runB } = await aLeadsBFollows(a, b);
    partitioned = true;
    wallSkewMs = -3_600_000;
    await until(() => b.isLeader(), 3000);
    expect(a.isLeader()).toBe(false);
    expect(a.healthy()).toBe(false);
    leaders.stop();
    expect(leaders.overlaps).toBe(0);
    stopA.abort();
    stopB.abort();
    await expect(runA).resolves.toBe('lost');
    await runB;
  });

  it('stops leading and reports not healthy as soon as the monotonic clock passes the renew deadline, before the renewal gives up', async () => {
    const fake = createFakeClient();
    let monotonicSkewMs = 0;
    const a = elector(fake, 'a', { retryPeriodMs: 400, monotonic: () => performance.now() + monotonicSkewMs, now: () => Date.now() - 3_600_000 });
    const stop = new AbortController();
    const done = a.run(stop.signal);
    await until(() => a.isLeader());
    expect(a.healthy()).toBe(true);
    monotonicSkewMs = timing.renewDeadlineMs;
    expect(a.isLeader()).toBe(false);
    expect(a.healthy()).toBe(false);
    stop.abort();
    await done;
  });

  it.each([0, 1_000_000_000])('judges a held Lease that claims leaseDurationSeconds %d with the configured duration', async (claimed) => {
    const fake = createFakeClient();
    let partitioned = false;
    let readsByB = 0;
    // B sees the Lease with the duration someone else wrote over it.
    const claiming: LeaderElectionOptions['client'] = {
      get: (ref, o) => {
        readsByB++;
        return TE.map((lease: ReturnType<FakeClient['object']>) => (lease === undefined ? lease : { ...lease, spec: { ...(lease['spec'] as object), leaseDurationSeconds: claimed } }))(fake.get(ref, o));
      },
      create: (obj, o) => fake.create(obj, o),
      patch: (ref, p, o) => fake.patch(ref, p, o),
    };
    const a = elector(fake, 'a', { client: partitionable(fake, () => partitioned) });
    const b = elector(fake, 'b', { client: claiming });
    const { leaders, stopA, stopB, runA, runB } = await aLeadsBFollows(a, b);
    await until(() => readsByB >= 4);
    expect(b.isLeader()).toBe(false);
    partitioned = true;
    await until(() => b.isLeader(), 3000);
    leaders.stop();
    expect(leaders.overlaps).toBe(0);
    stopA.abort();
    stopB.abort();
    await runA;
    await runB;
  });
});
