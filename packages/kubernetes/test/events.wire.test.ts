// createEventRecorder through client-node against the fake API server: the Event on the wire,
// and a stuck object that cannot flood the API.
import * as E from 'fp-ts/lib/Either.js';
import { createEventRecorder, createKubernetesClient, type EventInput } from '../src';
import { NS, cpRef, wirePerTest, type Wire } from './harness';

const current = wirePerTest();
let wire: Wire;
beforeEach(() => {
  wire = current();
});

const invalid: EventInput = {
  regarding: { ...cpRef, uid: 'cp-uid' },
  type: 'Warning',
  reason: 'InvalidEndpoint',
  message: 'InvalidEndpointValue: output cluster_endpoint of Workspace eks-a-ws: the scheme must be https',
};

const events = () => wire.server.store.all().filter((o) => o.kind === 'Event');

it('records a core/v1 Event on the control plane with a POST', async () => {
  const recorder = createEventRecorder(wire.kc, { instance: 'controller-0' });
  expect(await recorder.record(invalid)()).toEqual(E.right('Created'));
  expect(wire.server.requests).toEqual([
    expect.objectContaining({ method: 'POST', path: `/api/v1/namespaces/${NS}/events`, contentType: 'application/json', fieldManager: 'capt-endpoint' }),
  ]);
  expect(events()).toEqual([
    expect.objectContaining({
      involvedObject: { ...cpRef, uid: 'cp-uid' },
      type: 'Warning',
      reason: 'InvalidEndpoint',
      message: invalid.message,
      count: 1,
      source: { component: 'capt-endpoint' },
      reportingInstance: 'controller-0',
    }),
  ]);
});

it('a stuck object reconciled 100 times makes two requests and one Event that counts them all', async () => {
  let now = Date.UTC(2025, 0, 1);
  const recorder = createEventRecorder(createKubernetesClient(wire.kc), { now: () => now, burst: 2, intervalMs: 60_000 });
  const results: string[] = [];
  for (let i = 0; i < 100; i++) {
    const result = await recorder.record(invalid)();
    results.push(E.isRight(result) ? result.right : result.left.message);
  }
  expect(results.filter((r) => r === 'Suppressed')).toHaveLength(98);
  expect(wire.server.requests.map((r) => r.method)).toEqual(['POST', 'PATCH']);
  expect(wire.server.requests[1]).toMatchObject({ contentType: 'application/merge-patch+json' });
  now += 60_000;
  expect(await recorder.record(invalid)()).toEqual(E.right('Updated'));
  expect(events()).toEqual([expect.objectContaining({ count: 101, lastTimestamp: '2025-01-01T00:01:00Z', firstTimestamp: '2025-01-01T00:00:00Z' })]);
});

it('an API failure comes back as an ApiError, not an exception', async () => {
  wire.server.inject(() => ({ code: 403, message: 'events is forbidden' }));
  const result = await createEventRecorder(wire.kc).record(invalid)();
  expect(result).toEqual(E.left(expect.objectContaining({ _tag: 'ApiError', kind: 'Forbidden', code: 403 })));
});
