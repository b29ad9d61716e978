// The report of a failed reconcile shows the condition the reconcile recorded, under the
// condition type the caller chose.
import { createFakeClient } from '@capt-endpoint/testing';
import { reconcileWithReport } from '../src';
import { initialObjects } from './helpers';

describe('reconcileWithReport', () => {
  it.each([undefined, 'ExampleEndpointReady'])('an invalid value reports the recorded condition (type %s)', async (conditionType) => {
    const objects = initialObjects().map((object) =>
      object.kind === 'Workspace'
        ? { ...object, status: { atProvider: { outputs: { cluster_endpoint: 'http://api.example.com' } } } }
        : object,
    );
    const report = await reconcileWithReport(createFakeClient(objects), { namespace: 'team-a', name: 'demo' }, { conditionType });
    expect(report.result).toBe('Error');
    expect(report.condition).toMatchObject({ type: conditionType ?? 'EndpointReady', status: 'False', reason: 'InvalidEndpoint' });
  });
});
