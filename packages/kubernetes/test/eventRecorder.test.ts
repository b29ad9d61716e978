import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { KubeObject, MergePatch, ObjectRef } from '@capt-endpoint/core';
import { apiError } from '@capt-endpoint/core/adapter';
import { createEventRecorder, MAX_EVENT_MESSAGE, type EventInput, type EventSink } from '../src/eventRecorder';

type Call = { verb: 'create'; object: KubeObject } | { verb: 'patch'; ref: ObjectRef; patch: MergePatch };

const recordingSink = (patchFails?: 'NotFound' | 'Unavailable') => {
  const calls: Call[] = [];
  const sink: EventSink = {
    create: (object) => {
      calls.push({ verb: 'create', object });
      return TE.right(object);
    },
    patch: (ref, patch) => {
      calls.push({ verb: 'patch', ref, patch });
      return patchFails ? TE.left(apiError(patchFails, 'no', { code: patchFails === 'NotFound' ? 404 : 503 })) : TE.right({ apiVersion: 'v1', kind: 'Event', metadata: {} });
    },
  };
  return { calls, sink };
};

const drift: EventInput = {
  regarding: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'ns', name: 'cp', uid: 'u-1' },
  type: 'Warning',
  reason: 'EndpointDrift',
  message: 'the Workspace says a.example:443 but the control plane holds b.example:443',
};

const clock = (start = Date.UTC(2025, 0, 1)) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('createEventRecorder', () => {
  it('creates a core/v1 Event about the object', async () => {
    const { calls, sink } = recordingSink();
    const time = clock();
    const result = await createEventRecorder(sink, { now: time.now, instance: 'pod-1' }).record(drift)();
    expect(result).toEqual(E.right('Created'));
    expect(calls).toHaveLength(1);
    const event = (calls[0] as { object: KubeObject }).object;
    expect(event).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace: 'ns' },
      involvedObject: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'ns', name: 'cp', uid: 'u-1' },
      type: 'Warning',
      reason: 'EndpointDrift',
      message: drift.message,
      count: 1,
      firstTimestamp: '2025-01-01T00:00:00Z',
      lastTimestamp: '2025-01-01T00:00:00Z',
      source: { component: 'capt-endpoint' },
      reportingComponent: 'capt-endpoint',
      reportingInstance: 'pod-1',
    });
    expect(event.metadata.name).toMatch(/^cp\.[0-9a-f]+$/);
  });

  it('allows a burst, then suppresses and counts, then aggregates into the same Event', async () => {
    const { calls, sink } = recordingSink();
    const time = clock();
    const recorder = createEventRecorder(sink, { now: time.now, burst: 2, intervalMs: 60_000 });
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await recorder.record(drift)());
    expect(results.map((r) => (E.isRight(r) ? r.right : 'error'))).toEqual(['Created', 'Updated', ...Array(8).fill('Suppressed')]);
    expect(calls).toHaveLength(2);
    time.advance(60_000);
    expect(await recorder.record(drift)()).toEqual(E.right('Updated'));
    expect(calls).toHaveLength(3);
    const last = calls[2] as { verb: 'patch'; ref: ObjectRef; patch: MergePatch };
    expect(last.verb).toBe('patch');
    expect(last.ref).toEqual({ apiVersion: 'v1', kind: 'Event', namespace: 'ns', name: (calls[0] as { object: KubeObject }).object.metadata.name });
    expect(last.patch).toEqual({ count: 11, lastTimestamp: '2025-01-01T00:01:00Z', message: drift.message });
  });

  it('limits each object and reason on its own', async () => {
    const { calls, sink } = recordingSink();
    const recorder = createEventRecorder(sink, { now: clock().now, burst: 1 });
    await recorder.record(drift)();
    await recorder.record(drift)();
    await recorder.record({ ...drift, reason: 'InvalidEndpoint' })();
    await recorder.record({ ...drift, regarding: { ...drift.regarding, name: 'other', uid: 'u-2' } })();
    expect(calls.map((c) => c.verb)).toEqual(['create', 'create', 'create']);
  });

  it('creates a new Event when the aggregated one has expired', async () => {
    const { calls, sink } = recordingSink('NotFound');
    const recorder = createEventRecorder(sink, { now: clock().now, burst: 2 });
    await recorder.record(drift)();
    expect(await recorder.record(drift)()).toEqual(E.right('Created'));
    expect(calls.map((c) => c.verb)).toEqual(['create', 'patch', 'create']);
  });

  it('returns other API errors as data', async () => {
    const { sink } = recordingSink('Unavailable');
    const recorder = createEventRecorder(sink, { now: clock().now, burst: 2 });
    await recorder.record(drift)();
    expect(await recorder.record(drift)()).toEqual(E.left(expect.objectContaining({ _tag: 'ApiError', kind: 'Unavailable' })));
  });

  it('does not send two requests for one key at once', async () => {
    const { calls, sink } = recordingSink();
    const recorder = createEventRecorder(sink, { now: clock().now, burst: 5 });
    const results = await Promise.all([recorder.record(drift)(), recorder.record(drift)()]);
    expect(results.filter((r) => E.isRight(r) && r.right === 'Suppressed')).toHaveLength(1);
    expect(calls).toHaveLength(1);
  });

  it('truncates long messages and forgets the least recently used objects', async () => {
    const { calls, sink } = recordingSink();
    const recorder = createEventRecorder(sink, { now: clock().now, burst: 1, maxTracked: 2 });
    await recorder.record({ ...drift, message: 'x'.repeat(5000) })();
    expect(((calls[0] as { object: KubeObject }).object['message'] as string).length).toBe(MAX_EVENT_MESSAGE);
    await recorder.record({ ...drift, regarding: { ...drift.regarding, name: 'b', uid: 'b' } })();
    await recorder.record({ ...drift, regarding: { ...drift.regarding, name: 'c', uid: 'c' } })();
    // The first key was forgotten, so its limit starts afresh.
    expect(await recorder.record(drift)()).toEqual(E.right('Created'));
  });
});

describe('an Event message is inert', () => {
  it('escapes control and bidirectional characters from the objects, in the created Event and in its update', async () => {
    const { calls, sink } = recordingSink();
    const time = clock();
    const recorder = createEventRecorder(sink, { now: time.now, burst: 5 });
    const forged = { ...drift, message: 'holds "b"\nWarning  EndpointSet  forged line\u001b[2J\u009b31m\u202egnp' };
    await recorder.record(forged)();
    await recorder.record(forged)();
    const created = (calls[0] as { object: KubeObject }).object['message'] as string;
    const patched = (calls[1] as { patch: MergePatch }).patch['message'] as string;
    for (const message of [created, patched]) {
      expect(message).toBe('holds "b"\\nWarning  EndpointSet  forged line\\x1b[2J\\x9b31m\\u202egnp');
    }
  });
});
