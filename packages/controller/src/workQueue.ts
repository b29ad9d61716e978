/**
 * A work queue in the manner of client-go's: keys, not events, so a burst of changes to one
 * object is one reconcile. A key is handed to one worker at a time; a key added while it is being
 * processed is queued again when the worker calls `done`. Failed keys come back after a
 * per-key exponential backoff (`addRateLimited`), which `forget` resets; `addAfter` schedules a
 * key (the earliest schedule wins). `shutDown` stops handing out keys: waiting workers get
 * `undefined`, in-flight keys are finished by their workers, queued and scheduled keys are dropped.
 */

export interface Timers {
  readonly set: (callback: () => void, ms: number) => unknown;
  readonly clear: (handle: unknown) => void;
}

export interface WorkQueueOptions {
  /** First retry delay, in milliseconds. Default 1000. */
  readonly baseDelayMs?: number | undefined;
  /** Longest retry delay, in milliseconds. Default 300 000 (five minutes). */
  readonly maxDelayMs?: number | undefined;
  readonly timers?: Timers | undefined;
  /** Told of every key queued (not of one already waiting) and every rate-limited retry: for metrics. */
  readonly observer?: { readonly added?: (() => void) | undefined; readonly retried?: (() => void) | undefined } | undefined;
}

const systemTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The delay before retry number `failures + 1`: base · 2^failures, capped. */
export const retryDelay = (failures: number, baseDelayMs: number, maxDelayMs: number): number =>
  Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(failures, 30));

export class WorkQueue<K extends string = string> {
  private readonly queue: K[] = [];
  /** Keys waiting to be processed (queued, or added again while processing). */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly scheduled = new Map<K, { readonly at: number; readonly handle: unknown }>();
  private readonly waiters: Array<(key: K | undefined) => void> = [];
  private stopped = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timers: Timers;
  private readonly observer: WorkQueueOptions['observer'];

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 300_000;
    this.timers = options.timers ?? systemTimers;
    this.observer = options.observer;
  }

  /** Queues `key` unless it is already waiting. */
  add(key: K): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.observer?.added?.();
    this.dirty.add(key);
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
    const delay = retryDelay(failures, this.baseDelayMs, this.maxDelayMs);
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
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  get isShutDown(): boolean {
    return this.stopped;
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
    this.dirty.delete(key);
    this.processing.add(key);
    to(key);
  }
}
