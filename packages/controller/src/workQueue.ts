/** client-go's work queue (see `WorkQueue`). */
import { backoffDelay } from '@capt-endpoint/kubernetes';

export interface Timers {
  readonly set: (callback: () => void, ms: number) => unknown;
  readonly clear: (handle: unknown) => void;
}

export interface WorkQueueOptions {
  /** First retry delay, in milliseconds. Default 1000. */
  readonly baseDelayMs?: number | undefined;
  /** Longest retry delay, in milliseconds. Default 300 000 (five minutes). */
  readonly maxDelayMs?: number | undefined;
  /**
   * The random share of each retry delay, from 0 to 1: a delay `d` becomes one in
   * `[d * (1 - jitter), d]`. Default 0.5 (`DEFAULT_RETRY_JITTER`).
   */
  readonly jitter?: number | undefined;
  /** Random numbers in [0, 1) for the jitter. Default `Math.random`. */
  readonly random?: (() => number) | undefined;
  readonly timers?: Timers | undefined;
  /** The clock, in milliseconds, for the observer's durations. Default `performance.now`. */
  readonly now?: (() => number) | undefined;
  /** Told what the queue does, for metrics. */
  readonly observer?: WorkQueueObserver | undefined;
}

/** Told what the queue does, for metrics. */
export interface WorkQueueObserver {
  /** A key was queued (not one already waiting). */
  readonly added?: (() => void) | undefined;
  /** A rate-limited retry was scheduled. */
  readonly retried?: (() => void) | undefined;
  /** A key was handed to a worker after waiting this long since it was added. */
  readonly handedOut?: ((waitedMs: number) => void) | undefined;
  /** A worker is done with a key it held this long. */
  readonly finished?: ((workedMs: number) => void) | undefined;
}

/** The keys being processed: their held time summed, and the longest (0 when none). */
export interface InFlight {
  readonly totalMs: number;
  readonly longestMs: number;
}

/** The default random share of a retry delay. */
export const DEFAULT_RETRY_JITTER = 0.5;

const systemTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The delay before retry number `failures + 1`: `d` = base · 2^failures, capped at `maxDelayMs`,
 * less a random share of up to `jitter` of it, so in `[d * (1 - jitter), d]`.
 */
export const retryDelay = (failures: number, baseDelayMs: number, maxDelayMs: number, jitter = DEFAULT_RETRY_JITTER, random: () => number = Math.random): number =>
  backoffDelay(failures + 1, { initialMs: baseDelayMs, maxMs: maxDelayMs, jitter }, random);

/**
 * A work queue in the manner of client-go's: keys, not events, so a burst of changes to one
 * object is one reconcile. A key is handed to one worker at a time; a key added while it is being
 * processed is queued again when the worker calls `done`. Failed keys come back after a
 * per-key exponential backoff with jitter (`addRateLimited`), which `forget` resets, so keys
 * that failed together do not come back together; `addAfter` schedules a
 * key (the earliest schedule wins). `shutDown` stops handing out keys: waiting workers get
 * `undefined`, in-flight keys are finished by their workers, queued and scheduled keys are dropped.
 *
 * It keeps client-go's queue measurements: how long a key waited between being added and
 * handed out, how long its worker held it, and (read at any time by `inFlight`) how long the
 * keys being processed have been held.
 */
export class WorkQueue<K extends string = string> {
  private readonly queue: K[] = [];
  /** Keys waiting to be processed (queued, or added again while processing). */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly scheduled = new Map<K, { readonly at: number; readonly handle: unknown }>();
  private readonly waiters: Array<(key: K | undefined) => void> = [];
  /** When each waiting key was added, and when each key in flight was handed out. */
  private readonly addedAt = new Map<K, number>();
  private readonly startedAt = new Map<K, number>();
  private stopped = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly observer: WorkQueueObserver | undefined;

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 300_000;
    this.jitter = options.jitter ?? DEFAULT_RETRY_JITTER;
    this.random = options.random ?? Math.random;
    this.timers = options.timers ?? systemTimers;
    this.now = options.now ?? (() => performance.now());
    this.observer = options.observer;
  }

  /** Queues `key` unless it is already waiting. */
  add(key: K): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.observer?.added?.();
    this.dirty.add(key);
    this.addedAt.set(key, this.now());
    if (!this.processing.has(key)) this.enqueue(key);
  }

  /** Queues `key` after `ms` milliseconds; an earlier schedule for the key stands. */
  addAfter(key: K, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const existing = this.scheduled.get(key);
    if (existing !== undefined) {
      if (existing.at <= at) return;
      this.timers.clear(existing.handle);
    }
    const handle = this.timers.set(() => {
      this.scheduled.delete(key);
      this.add(key);
    }, ms);
    this.scheduled.set(key, { at, handle });
  }

  /** Queues `key` after its backoff, which doubles with each call until `forget`. Returns the delay. */
  addRateLimited(key: K): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.observer?.retried?.();
    const delay = retryDelay(failures, this.baseDelayMs, this.maxDelayMs, this.jitter, this.random);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets `key`'s backoff (after a success, or a failure that retrying cannot fix). */
  forget(key: K): void {
    this.failures.delete(key);
  }

  /** How many times in a row `key` has been retried. */
  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process, once there is one; `undefined` after `shutDown`. */
  get(): Promise<K | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) return new Promise((resolve) => this.handOut(key, resolve));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The worker is done with `key`; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.observer?.finished?.(this.now() - started);
    this.processing.delete(key);
    // Added while it was processed (and counted then): it goes back in line.
    if (this.dirty.has(key) && !this.stopped) this.enqueue(key);
  }

  /** Stops handing out keys and drops what is queued and scheduled. */
  shutDown(): void {
    this.stopped = true;
    for (const { handle } of this.scheduled.values()) this.timers.clear(handle);
    this.scheduled.clear();
    this.queue.length = 0;
    this.addedAt.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  get isShutDown(): boolean {
    return this.stopped;
  }

  /** How long the keys being processed have been held, now. */
  inFlight(): InFlight {
    const at = this.now();
    let totalMs = 0;
    let longestMs = 0;
    for (const started of this.startedAt.values()) {
      totalMs += at - started;
      longestMs = Math.max(longestMs, at - started);
    }
    return { totalMs, longestMs };
  }

  /** Keys queued now (not counting scheduled or in-flight ones). */
  get length(): number {
    return this.queue.length;
  }

  private enqueue(key: K): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) this.handOut(key, waiter);
    else this.queue.push(key);
  }

  private handOut(key: K, to: (key: K) => void): void {
    const at = this.now();
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.observer?.handedOut?.(at - added);
    this.startedAt.set(key, at);
    this.dirty.delete(key);
    this.processing.add(key);
    to(key);
  }
}
