/** Leader election on a Lease, as client-go does it (see `createLeaderElector`). */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { ApiError, GetOptions, KubeObject, Logger, MergePatch, ObjectRef, PatchOptions } from '@capt-endpoint/core';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import { leaseObject, leasePatch, leaseRecordOf, leaseRef, type LeaseRecord } from './lease';

/** What leader election needs of a client: a `KubernetesClient` with the Lease resource registered has it. */
export interface LeaseClient {
  get(ref: ObjectRef, options?: GetOptions): TaskEither<ApiError, KubeObject | undefined>;
  create(object: KubeObject, options?: PatchOptions): TaskEither<ApiError, KubeObject>;
  patch(ref: ObjectRef, patch: MergePatch, options?: PatchOptions): TaskEither<ApiError, KubeObject>;
}

export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go's `JitterFactor`: a wait of one retry period is stretched by up to 120%. */
export const DEFAULT_JITTER_FACTOR = 1.2;
/** The longest a release may take on the way out (SIGTERM must end the process within 5 s). */
export const RELEASE_TIMEOUT_MS = 1_500;
/** The longest lease an observed Lease may claim; a longer one (or one under 1 s) is judged with the configured duration. */
export const MAX_OBSERVED_LEASE_DURATION_SECONDS = 3_600;

export interface LeaderElectionTiming {
  /** How long a follower waits after the last renewal it saw before it takes the Lease. Whole seconds on the wire. */
  readonly leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it stops leading. */
  readonly renewDeadlineMs: number;
  /** The wait between attempts, to take or to renew. */
  readonly retryPeriodMs: number;
}

export interface LeaderElectionOptions extends Partial<LeaderElectionTiming> {
  readonly client: LeaseClient;
  readonly namespace: string;
  readonly name: string;
  /** Who this candidate is; default the host name and a random suffix, as client-go's examples. */
  readonly identity?: string | undefined;
  readonly jitterFactor?: number | undefined;
  readonly logger?: Logger | undefined;
  /** The wall clock, in milliseconds since the epoch: it only stamps the times written into the Lease. */
  readonly now?: (() => number) | undefined;
  /** The monotonic clock, in milliseconds, that measures every deadline and expiry; default `performance.now`. */
  readonly monotonic?: (() => number) | undefined;
  readonly random?: (() => number) | undefined;
  /** Told when this candidate starts leading; writes may begin. */
  readonly onStartedLeading?: (() => void) | undefined;
  /** Told when this candidate stops leading: `lost` (it could not renew) or `released` (a clean stop). */
  readonly onStoppedLeading?: ((why: 'lost' | 'released') => void) | undefined;
  /** Told whenever the Lease names a different holder than before (`''` when released). */
  readonly onNewLeader?: ((identity: string) => void) | undefined;
}

/** Settings that cannot work: as client-go, a lease longer than the renew deadline, which is longer than a jittered retry. */
export interface InvalidLeaderElection {
  readonly _tag: 'InvalidLeaderElection';
  readonly message: string;
}

const invalid = (message: string): E.Either<InvalidLeaderElection, never> => E.left({ _tag: 'InvalidLeaderElection', message });

/** Checks the timing (client-go's rules, in milliseconds; the lease duration in whole seconds). */
export const leaderElectionTiming = (
  timing: Partial<LeaderElectionTiming> = {},
  jitterFactor = DEFAULT_JITTER_FACTOR,
): E.Either<InvalidLeaderElection, LeaderElectionTiming> => {
  const leaseDurationMs = timing.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
  const renewDeadlineMs = timing.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
  const retryPeriodMs = timing.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
  for (const [name, value] of Object.entries({ leaseDurationMs, renewDeadlineMs, retryPeriodMs }))
    if (!Number.isFinite(value) || value <= 0) return invalid(`${name} must be a positive number of milliseconds`);
  if (leaseDurationMs % 1000 !== 0) return invalid('the lease duration must be whole seconds (a Lease stores leaseDurationSeconds)');
  if (leaseDurationMs <= renewDeadlineMs) return invalid('the lease duration must be longer than the renew deadline');
  if (renewDeadlineMs <= jitterFactor * retryPeriodMs) return invalid(`the renew deadline must be longer than ${jitterFactor} x the retry period`);
  return E.right({ leaseDurationMs, renewDeadlineMs, retryPeriodMs });
};

export const defaultIdentity = (): string => `${hostname()}_${randomUUID()}`;

export interface LeaderElector {
  readonly identity: string;
  /**
   * Campaigns until `signal` aborts: takes the Lease, then renews it. Resolves when it stops:
   * `stopped` (aborted before leading), `released` (aborted while leading; the Lease was given
   * up, or the attempt to give it up ended) or `lost` (a renewal did not succeed in time).
   */
  run(signal: AbortSignal): Promise<'stopped' | 'released' | 'lost'>;
  /** True while leading and within the renew deadline of the last renewal (false as soon as it passes, even mid-renewal). */
  isLeader(): boolean;
  /** The holder named by the Lease as last read (`undefined` before the first read, `''` when nobody holds it). */
  observedLeader(): string | undefined;
  /** For a health probe: false once leading has outlived its renew deadline, and after the Lease was lost. */
  healthy(): boolean;
}

const abortableSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** A signal that aborts with `parent` or after `ms`, and its disposer. */
const deadline = (parent: AbortSignal, ms: number): { readonly signal: AbortSignal; readonly dispose: () => void } => {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  const timer = setTimeout(abort, Math.max(0, ms));
  parent.addEventListener('abort', abort, { once: true });
  if (parent.aborted) controller.abort();
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', abort);
    },
  };
};

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's semantics:
 *
 * - a candidate tries to take the Lease every retry period (jittered by 1.2, as client-go's
 *   `JitterUntil`); it may take it when nobody holds it or when the holder has not renewed it
 *   for the lease duration, measured on the candidate's own clock from the moment it first saw
 *   the holder's latest record (so clocks need not agree across machines);
 * - every write carries the resourceVersion it was computed from, so of two candidates in one
 *   round only one wins (the other gets 409 Conflict);
 * - the leader renews every retry period; if it cannot renew within the renew deadline of its
 *   last renewal it stops leading, before any follower can see the Lease expire;
 * - on a clean stop the leader releases the Lease (empty holder, duration 1 s) so the next
 *   candidate takes it at once;
 * - every deadline and expiry is measured on the monotonic clock (`performance.now()`), as
 *   client-go does: a wall clock stepped back cannot keep a leader that stopped renewing in
 *   office. The wall clock only stamps the times written into the Lease;
 * - a Lease whose `leaseDurationSeconds` is below 1 s or above an hour (whoever can write the
 *   Lease wrote it) is judged with the configured duration, so it can neither hand the Lease
 *   over early nor keep it forever.
 *
 * One difference, which only shortens a hand-over: a waiting candidate also wakes when the
 * Lease it watches is due to expire, instead of up to a whole jittered retry period later.
 *
 * Measured (`packages/cli/test/chaos.test.ts`, two `run` processes, lease 2 s, renew 1.5 s,
 * retry 250 ms): a killed leader's Lease held by the follower 1.9 to 2.3 s after the kill;
 * SIGTERM to exit 0.2 to 0.35 s, the released Lease taken about 0.54 s later. On kube-apiserver
 * 1.37 (`deploy/test/leaderElection.real.test.ts`, lease 4 s, retry 0.5 s): 4.2 to 4.4 s after a
 * `kill -9`, 0.6 to 0.7 s after SIGTERM; an API server restart on the same etcd keeps the leader.
 */
export const createLeaderElector = (options: LeaderElectionOptions): E.Either<InvalidLeaderElection, LeaderElector> => {
  const jitterFactor = options.jitterFactor ?? DEFAULT_JITTER_FACTOR;
  const checked = leaderElectionTiming(options, jitterFactor);
  if (E.isLeft(checked)) return checked;
  if (options.namespace === '' || options.name === '') return invalid('the Lease needs a namespace and a name');
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = checked.right;
  const { client, logger } = options;
  const identity = options.identity ?? defaultIdentity();
  const now = options.now ?? Date.now;
  const monotonic = options.monotonic ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const ref = leaseRef(options.namespace, options.name);
  const lease = `${options.namespace}/${options.name}`;

  /** The Lease as last read or written, and when (on our monotonic clock) its record last changed. */
  let observed: { readonly record: LeaseRecord; readonly raw: string; readonly resourceVersion: string | undefined } | undefined;
  let observedAt = 0;
  let leading = false;
  let lost = false;
  let renewedAt = 0;
  const withinRenewDeadline = (): boolean => monotonic() - renewedAt < renewDeadlineMs;
  /** How long the observed holder's lease lasts, in milliseconds, trusting only a sane duration. */
  const judgedDurationMs = (record: LeaseRecord): number =>
    record.leaseDurationSeconds >= 1 && record.leaseDurationSeconds <= MAX_OBSERVED_LEASE_DURATION_SECONDS ? record.leaseDurationSeconds * 1000 : leaseDurationMs;

  const observe = (object: KubeObject): LeaseRecord => {
    const record = leaseRecordOf(object);
    const raw = JSON.stringify(record);
    const resourceVersion = typeof object.metadata.resourceVersion === 'string' ? object.metadata.resourceVersion : undefined;
    if (observed?.raw !== raw) {
      if (observed?.record.holderIdentity !== record.holderIdentity) options.onNewLeader?.(record.holderIdentity);
      observedAt = monotonic();
    }
    observed = { record, raw, resourceVersion };
    return record;
  };

  // A refusal (401, 403) is a missing permission no retry mends: a warning, once until the
  // failure changes or a round succeeds; other failures pass with the next round.
  let refusal: string | undefined;
  const failed = (what: string, error: ApiError): false => {
    const refused = error.kind === 'Forbidden' && refusal !== `${what} ${error.reason}`;
    refusal = error.kind === 'Forbidden' ? `${what} ${error.reason}` : undefined;
    logger?.[refused ? 'warn' : 'debug']({ lease, reason: error.reason, code: error.code }, `${what} the Lease failed: ${error.message}`);
    return false;
  };
  const succeeded = (object: KubeObject): true => {
    refusal = undefined;
    observe(object);
    return true;
  };

  /** One round, as client-go's `tryAcquireOrRenew`: true when we hold the Lease after it. */
  const tryAcquireOrRenew = async (signal: AbortSignal): Promise<boolean> => {
    const at = now();
    const startedAt = monotonic();
    const mine: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: leaseDurationMs / 1000,
      acquireTime: at,
      renewTime: at,
      leaseTransitions: 0,
    };
    const read = await client.get(ref, { signal })();
    if (E.isLeft(read)) return failed('reading', read.left);
    if (read.right === undefined) {
      const created = await client.create(leaseObject(options.namespace, options.name, mine), { signal })();
      if (E.isLeft(created)) return failed('creating', created.left);
      return succeeded(created.right);
    }
    const current = observe(read.right);
    const held = current.holderIdentity === identity;
    if (current.holderIdentity !== '' && !held && observedAt + judgedDurationMs(current) > startedAt) return false;
    const next: LeaseRecord = held
      ? { ...mine, acquireTime: current.acquireTime ?? at, leaseTransitions: current.leaseTransitions }
      : { ...mine, leaseTransitions: current.leaseTransitions + 1 };
    const resourceVersion = observed?.resourceVersion;
    if (resourceVersion === undefined) return false;
    const written = await client.patch(ref, leasePatch(next, resourceVersion), { signal })();
    if (E.isLeft(written)) return failed('writing', written.left);
    return succeeded(written.right);
  };

  /** How long a candidate waits: a jittered retry period, or less when the held Lease expires sooner. */
  const candidateWait = (): number => {
    const jittered = retryPeriodMs * (1 + random() * jitterFactor);
    const record = observed?.record;
    if (record === undefined || record.holderIdentity === '') return jittered;
    const expiresIn = observedAt + judgedDurationMs(record) - monotonic();
    return Math.max(1, Math.min(jittered, expiresIn + 1));
  };

  /**
   * Gives the Lease up, if we hold it. A renewal cut short by the stop may have been applied
   * without our hearing of it: on 409 the Lease is read again and, still ours, released at its
   * new resourceVersion. The whole release ends within RELEASE_TIMEOUT_MS.
   */
  const release = async (): Promise<void> => {
    const signal = AbortSignal.timeout(Math.min(RELEASE_TIMEOUT_MS, renewDeadlineMs));
    for (let attempt = 0; attempt < 2; attempt++) {
      if (observed === undefined || observed.record.holderIdentity !== identity || observed.resourceVersion === undefined) return;
      const at = now();
      const empty: LeaseRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: at, renewTime: at, leaseTransitions: observed.record.leaseTransitions };
      const written = await client.patch(ref, leasePatch(empty, observed.resourceVersion), { signal })();
      if (E.isRight(written)) {
        observe(written.right);
        logger?.info({ lease, identity }, 'released the Lease');
        return;
      }
      const again = written.left.code === 409 && attempt === 0 ? await client.get(ref, { signal })() : undefined;
      if (again === undefined || E.isLeft(again) || again.right === undefined) {
        logger?.warn({ lease, reason: written.left.reason }, `could not release the Lease; it expires by itself: ${written.left.message}`);
        return;
      }
      observe(again.right);
    }
  };

  /** Tries to renew until it succeeds or the renew deadline of the last renewal passes. */
  const renew = async (signal: AbortSignal): Promise<boolean> => {
    for (;;) {
      const left = renewedAt + renewDeadlineMs - monotonic();
      if (left <= 0 || signal.aborted) return false;
      const attempt = deadline(signal, left);
      const renewed = await tryAcquireOrRenew(attempt.signal).finally(attempt.dispose);
      if (renewed && withinRenewDeadline()) {
        renewedAt = monotonic();
        return true;
      }
      await abortableSleep(Math.min(retryPeriodMs, renewedAt + renewDeadlineMs - monotonic()), signal);
    }
  };

  const run = async (signal: AbortSignal): Promise<'stopped' | 'released' | 'lost'> => {
    logger?.info({ lease, identity }, 'waiting to lead');
    while (!(await tryAcquireOrRenew(signal))) {
      if (signal.aborted) return 'stopped';
      await abortableSleep(candidateWait(), signal);
      if (signal.aborted) return 'stopped';
    }
    leading = true;
    lost = false;
    renewedAt = monotonic();
    logger?.info({ lease, identity, transitions: observed?.record.leaseTransitions }, 'leading');
    options.onStartedLeading?.();
    while (!signal.aborted) {
      await abortableSleep(retryPeriodMs, signal);
      if (signal.aborted) break;
      if (!(await renew(signal)) && !signal.aborted) {
        lost = true;
        break;
      }
    }
    leading = false;
    if (lost) logger?.error({ lease, identity, renewDeadlineMs }, 'lost the Lease: could not renew it in time');
    else await release();
    options.onStoppedLeading?.(lost ? 'lost' : 'released');
    return lost ? 'lost' : 'released';
  };

  return E.right({
    identity,
    run,
    isLeader: () => leading && withinRenewDeadline(),
    observedLeader: () => observed?.record.holderIdentity,
    healthy: () => !lost && (!leading || withinRenewDeadline()),
  });
};
