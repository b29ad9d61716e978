import * as E from 'fp-ts/lib/Either.js';
import { parseEndpoint, type ReconcileOutcome } from '@capt-endpoint/core';
import { apiError, emptyOutcome, parseError } from '@capt-endpoint/core/adapter';
import { endpointEventFor } from '../src';

const regarding = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo-cp' };
const outcome = (o: Partial<ReconcileOutcome>): ReconcileOutcome => ({ ...emptyOutcome(regarding, 'UpToDate', 'm'), ...o });

describe('endpointEventFor', () => {
  it('records a set endpoint, a drift, a cleared endpoint and an invalid value', () => {
    expect(endpointEventFor(regarding, E.right(outcome({ _tag: 'Updated', updated: ['CAPTControlPlane', 'CAPTControlPlaneStatus'], message: 'set' })))).toEqual({
      regarding,
      type: 'Normal',
      reason: 'EndpointSet',
      message: 'set',
    });
    expect(endpointEventFor(regarding, E.right(outcome({ _tag: 'Drift', condition: { type: 'EndpointReady', status: 'False', message: 'drifted' } })))).toMatchObject({
      type: 'Warning',
      reason: 'EndpointDrift',
      message: 'drifted',
    });
    expect(endpointEventFor(regarding, E.right(outcome({ _tag: 'CleanedUp', updated: ['Cluster'] })))).toMatchObject({ type: 'Normal', reason: 'EndpointCleared' });
    expect(endpointEventFor(regarding, E.left(parseError('InvalidPort', 'the port is not in 1..65535')))).toMatchObject({ type: 'Warning', reason: 'InvalidPort' });
  });

  it('records nothing while waiting, when up to date, after a status-only write, or for a failed request', () => {
    for (const result of [
      E.right(outcome({ _tag: 'Waiting', updated: ['CAPTControlPlaneStatus'] })),
      E.right(outcome({ _tag: 'UpToDate' })),
      E.right(outcome({ _tag: 'Updated', updated: ['CAPTControlPlaneStatus'] })),
      E.right(outcome({ _tag: 'CleanedUp' })),
      E.right(outcome({ _tag: 'ControlPlaneGone' })),
      E.left(apiError('Unavailable', 'connection refused')),
    ]) {
      expect(endpointEventFor(regarding, result)).toBeUndefined();
    }
  });

  it('an Event for a value with user information shows it redacted', () => {
    const parsed = parseEndpoint('https://admin:PASSWORD-e7a2@api.example.com');
    const event = E.isLeft(parsed) ? endpointEventFor(regarding, E.left(parsed.left)) : undefined;
    expect(event).toMatchObject({ type: 'Warning', reason: 'UserinfoNotAllowed' });
    expect(event?.message).toContain('"https://***@api.example.com"');
    expect(event?.message).not.toContain('PASSWORD-e7a2');
  });
});
