// The report of a failed reconcile shows the condition the reconcile recorded, under the
// condition type the caller chose.
import { captEndpointCrds, clusterCrdWith, createFakeClient } from '@capt-endpoint/testing';
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

  it('an owner reference at a Cluster version the server does not serve: the Cluster is written at the one it serves', async () => {
    const crds = [...captEndpointCrds.filter((crd) => crd.spec.names.kind !== 'Cluster'), clusterCrdWith({ v1beta1: false, v1beta2: true })];
    const objects = initialObjects().map((object) =>
      object.kind === 'Cluster'
        ? { ...object, apiVersion: 'cluster.x-k8s.io/v1beta2', spec: { paused: false } }
        : object.kind === 'Workspace'
          ? { ...object, status: { atProvider: { outputs: { cluster_endpoint: 'https://api.example.com' } } } }
          : object,
    );
    const report = await reconcileWithReport(createFakeClient(objects, { crds }), { namespace: 'team-a', name: 'demo' }, {}, { dryRun: true });
    expect(report.result).toBe('Updated');
    expect(report.checks).toContainEqual({ status: 'info', text: 'Cluster team-a/demo: the API server does not serve cluster.x-k8s.io/v1beta1' });
    expect(report.checks).toContainEqual({ status: 'pass', text: 'Cluster team-a/demo, the owner, from ownerReferences' });
    expect(report.checks.filter((check) => check.status === 'fail')).toEqual([]);
    expect(report.writes.map((write) => `${write.verb} ${write.object}`)).toContain('patch Cluster team-a/demo');
  });
});
