/**
 * Kubernetes Events (core/v1) about an object, rate-limited so a stuck object cannot flood the
 * API: per object, type and reason a token bucket allows a small burst, then one Event request
 * per interval. Occurrences in between are not lost but aggregated: the next request updates
 * the same Event's `count`, `lastTimestamp` and `message` instead of creating another one.
 *
 * The recorder takes plain inputs (object reference, type, reason, message), so it does not
 * depend on reconcile's outcome type. Messages are the caller's; build them from core's
 * outcome and error messages, which never contain Secret values. They are truncated to 1 KiB.
 */
import { hostname } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ApiError, KubeObject, MergePatch, ObjectRef, PatchOptions } from '@capt-endpoint/core';
import { inert } from '@capt-endpoint/core/adapter';
import { kubeTime } from '@capt-endpoint/core/json';
import { truncate } from './apiErrors';
import { createKubernetesClient, type KubernetesClientOptions } from './kubernetesClient';

export interface EventInput {
  /** The object the event is about; pass its uid when known (kubectl describe matches on it). */
  readonly regarding: ObjectRef & { readonly uid?: string | undefined };
  readonly type: 'Normal' | 'Warning';
  /** CamelCase, e.g. `EndpointSet`, `EndpointDrift`, `InvalidEndpoint`. */
  readonly reason: string;
  readonly message: string;
}

/** What `record` did: created an Event, updated the aggregated one, or only counted it. */
export type RecordResult = 'Created' | 'Updated' | 'Suppressed';

export interface EventRecorder {
  record(input: EventInput): TE.TaskEither<ApiError, RecordResult>;
}

/** What the recorder needs of a client: create and merge-patch (a `KubernetesClient` has both). */
export interface EventSink {
  create(object: KubeObject, options?: PatchOptions): TE.TaskEither<ApiError, KubeObject>;
  patch(ref: ObjectRef, patch: MergePatch, options?: PatchOptions): TE.TaskEither<ApiError, KubeObject>;
}

export interface EventRecorderOptions extends KubernetesClientOptions {
  /** `source.component` and `reportingComponent`. Default `capt-endpoint`. */
  readonly component?: string | undefined;
  /** `reportingInstance`. Default the host name. */
  readonly instance?: string | undefined;
  /** Requests allowed at once per object, type and reason. Default 2. */
  readonly burst?: number | undefined;
  /** One more request is allowed per this many milliseconds. Default 300 000 (5 minutes). */
  readonly intervalMs?: number | undefined;
  /** How many objects' limits are remembered; the least recently used are forgotten. Default 1000. */
  readonly maxTracked?: number | undefined;
  /** The clock, in milliseconds. */
  readonly now?: (() => number) | undefined;
}

export const MAX_EVENT_MESSAGE = 1024;

interface Track {
  tokens: number;
  refilledAt: number;
  /** The Event that aggregates this key, once created. */
  event: { readonly namespace: string; readonly name: string; readonly firstTimestamp: string } | undefined;
  /** Occurrences so far, the suppressed ones included. */
  count: number;
  busy: boolean;
}

/** Kubernetes' metav1.Time: RFC 3339 in whole seconds. */

const keyOf = (input: EventInput): string =>
  [input.regarding.uid ?? '', input.regarding.apiVersion, input.regarding.kind, input.regarding.namespace ?? '', input.regarding.name, input.type, input.reason].join('\u0000');

const isSink = (target: KubeConfig | EventSink): target is EventSink =>
  typeof (target as Partial<EventSink>).create === 'function' && typeof (target as Partial<EventSink>).patch === 'function';

/**
 * Records rate-limited, aggregated Kubernetes Events (events.k8s.io) through a `KubeConfig` (with
 * `createKubernetesClient`'s options) or any `{ create, patch }` client. `record` answers
 * `Created`, `Updated` (the aggregated Event was patched) or `Suppressed`: per object, type and
 * reason a token bucket of `burst` requests refills one per `intervalMs`, and suppressed
 * occurrences are added to the Event's `count` at its next request (ADR 0032). Build messages
 * from core's outcomes and errors: they never contain Secret values.
 */
export const createEventRecorder = (target: KubeConfig | EventSink, options: EventRecorderOptions = {}): EventRecorder => {
  const sink = isSink(target) ? target : createKubernetesClient(target, options);
  const component = options.component ?? 'capt-endpoint';
  const instance = options.instance ?? hostname();
  const burst = Math.max(1, options.burst ?? 2);
  const intervalMs = Math.max(1, options.intervalMs ?? 300_000);
  const maxTracked = Math.max(1, options.maxTracked ?? 1000);
  const now = options.now ?? Date.now;
  const tracks = new Map<string, Track>();

  /** The key's bucket, refilled for the time passed and marked most recently used. */
  const trackOf = (key: string, at: number): Track => {
    const found = tracks.get(key);
    const track = found ?? { tokens: burst, refilledAt: at, event: undefined, count: 0, busy: false };
    const earned = Math.floor((at - track.refilledAt) / intervalMs);
    if (earned > 0) {
      track.tokens = Math.min(burst, track.tokens + earned);
      track.refilledAt = track.tokens === burst ? at : track.refilledAt + earned * intervalMs;
    }
    tracks.delete(key);
    tracks.set(key, track);
    for (const oldest of tracks.keys()) {
      if (tracks.size <= maxTracked) break;
      tracks.delete(oldest);
    }
    return track;
  };

  const create = (input: EventInput, track: Track, at: number): TE.TaskEither<ApiError, RecordResult> => {
    const namespace = input.regarding.namespace ?? 'default';
    const name = `${input.regarding.name}.${(BigInt(at) * 1_000_000n).toString(16)}`;
    const firstTimestamp = kubeTime(new Date(at));
    const { uid, ...ref } = input.regarding;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: { ...ref, ...(uid === undefined ? {} : { uid }) },
      type: input.type,
      reason: input.reason,
      message: truncate(inert(input.message), MAX_EVENT_MESSAGE),
      count: track.count,
      firstTimestamp,
      lastTimestamp: firstTimestamp,
      source: { component },
      reportingComponent: component,
      reportingInstance: instance,
    };
    return TE.map((): RecordResult => {
      track.event = { namespace, name, firstTimestamp };
      return 'Created';
    })(sink.create(event));
  };

  const update = (input: EventInput, track: Track, at: number): TE.TaskEither<ApiError, RecordResult> => {
    const event = track.event!;
    const patch = { count: track.count, lastTimestamp: kubeTime(new Date(at)), message: truncate(inert(input.message), MAX_EVENT_MESSAGE) };
    return TE.orElse((error: ApiError) => (error.kind === 'NotFound' ? create(input, track, at) : TE.left(error)))(
      TE.map((): RecordResult => 'Updated')(sink.patch({ apiVersion: 'v1', kind: 'Event', namespace: event.namespace, name: event.name }, patch)),
    );
  };

  return {
    record: (input) => async () => {
      const at = now();
      const track = trackOf(keyOf(input), at);
      track.count++;
      if (track.busy || track.tokens < 1) return E.right<ApiError, RecordResult>('Suppressed');
      track.tokens--;
      track.busy = true;
      try {
        return await (track.event === undefined ? create(input, track, at) : update(input, track, at))();
      } finally {
        track.busy = false;
      }
    },
  };
};
