/**
 * Failure injection for the fake client: rules that decide, per call, whether it fails and with
 * which `ApiError`, and a seeded random failure mode for convergence tests. Everything here is
 * deterministic: a rule sees the call, a queue fails the next N matching calls, and the random
 * mode draws from a PRNG seeded by the test.
 */
import type { ApiError, MergePatch, ObjectRef } from '@capt-endpoint/core';
import { conflict, internalError, notFound, requestTimeout, serviceUnavailable } from './apiErrors';

/** The ClusterClient methods, and `create` (which a KubernetesClient adds), as recorded. */
export type Verb = 'get' | 'patch' | 'patchStatus' | 'create';

export const VERBS: readonly Verb[] = ['get', 'patch', 'patchStatus', 'create'];

/** One call made through the ClusterClient interface. */
export interface Call extends ObjectRef {
  readonly verb: Verb;
  /** The merge patch sent, for `patch` and `patchStatus`; the object, for `create`. */
  readonly body?: MergePatch;
  readonly fieldManager?: string;
}

/** Shorthands for the usual failures: 404, 409 Conflict, 500, 503, and a client-side timeout. */
export type FailureShorthand = 'NotFound' | 'Conflict' | 'InternalError' | 'Unavailable' | 'Timeout';

/** What a rule injects: an ApiError as is, or a shorthand built for the call's object. */
export type Failure = ApiError | FailureShorthand;

/** A rule: the failure for this call, or undefined to let it through. */
export type FailureRule = (call: Call) => Failure | undefined;

/** Which calls a rule applies to: fields of the object reference to match, or a predicate. */
export type CallMatch = Partial<Pick<Call, 'apiVersion' | 'kind' | 'namespace' | 'name'>> | ((call: Call) => boolean);

export type VerbSelector = Verb | readonly Verb[] | '*';

export const failureFor = (failure: Failure, call: Call): ApiError => {
  switch (failure) {
    case 'NotFound':
      return notFound(call);
    case 'Conflict':
      return conflict(call);
    case 'InternalError':
      return internalError();
    case 'Unavailable':
      return serviceUnavailable();
    case 'Timeout':
      return requestTimeout();
    default:
      return failure;
  }
};

const verbMatches = (selector: VerbSelector, verb: Verb): boolean =>
  selector === '*' || (typeof selector === 'string' ? selector === verb : selector.includes(verb));

export const callMatches = (match: CallMatch | undefined, call: Call): boolean => {
  if (match === undefined) return true;
  if (typeof match === 'function') return match(call);
  return (Object.keys(match) as Array<keyof typeof match>).every((key) => (match[key] || undefined) === (call[key] || undefined));
};

/** A failure rule as installed: remove it, and see how often it fired and what is left of a queue. */
export interface FailureHandle {
  /** Uninstalls the rule. */
  remove(): void;
  /** How many calls this rule has failed so far. */
  readonly hits: number;
  /** Failures still queued (`Infinity` for a standing rule). */
  readonly pending: number;
}

/** An installed rule. `failureOf` consumes one queued failure when it fires. */
export class InstalledRule implements FailureHandle {
  hits = 0;
  private readonly queue: Failure[] | undefined;
  private readonly rule: FailureRule | undefined;

  constructor(
    private readonly verbs: VerbSelector,
    private readonly match: CallMatch | undefined,
    failure: Failure | readonly Failure[] | FailureRule,
    readonly remove: () => void,
  ) {
    if (typeof failure === 'function') this.rule = failure;
    else this.queue = Array.isArray(failure) ? [...(failure as readonly Failure[])] : undefined;
    if (!this.rule && !this.queue) this.rule = () => failure as Failure;
  }

  get pending(): number {
    return this.queue ? this.queue.length : Infinity;
  }

  failureOf(call: Call): ApiError | undefined {
    if (!verbMatches(this.verbs, call.verb) || !callMatches(this.match, call)) return undefined;
    const failure = this.queue ? this.queue.shift() : this.rule?.(call);
    if (failure === undefined) return undefined;
    this.hits += 1;
    return failureFor(failure, call);
  }
}

/** Random failures: each matching call fails with probability `rate`, drawn from a mulberry32 PRNG seeded with `seed`: the same seed and calls give the same failures. */
export interface RandomFailures {
  /** Probability in [0, 1] that a call fails. */
  readonly rate: number;
  readonly seed: number;
  /** The verbs that may fail (default: all). */
  readonly verbs?: readonly Verb[];
  /** The failures to choose from (default: InternalError, Unavailable, Timeout; Conflict too for writes). */
  readonly failures?: readonly Failure[];
}

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; returns numbers in [0, 1). */
export const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const transient: readonly Failure[] = ['InternalError', 'Unavailable', 'Timeout'];

/** A seeded source of random failures. */
export const randomFailureSource = (config: RandomFailures): ((call: Call) => ApiError | undefined) => {
  const next = mulberry32(config.seed);
  return (call) => {
    if (config.verbs && !config.verbs.includes(call.verb)) return undefined;
    // Draw twice on every eligible call so one call's outcome does not shift the next's.
    const fails = next() < config.rate;
    const pick = next();
    if (!fails) return undefined;
    const choices = config.failures ?? (call.verb === 'get' ? transient : [...transient, 'Conflict']);
    const failure = choices[Math.floor(pick * choices.length)];
    return failure === undefined ? undefined : failureFor(failure, call);
  };
};
