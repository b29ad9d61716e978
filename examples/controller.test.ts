// A controller unit test written with @capt-endpoint/testing: the operator's reconcile of
// examples/operator-reconcile.ts, driven against the in-memory cluster seeded from the demo's
// manifests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captEndpointCrds, createFakeClient, objectsFromYaml, type FakeClient } from '@capt-endpoint/testing';
import type { ObjectRef } from '@capt-endpoint/core';
import { reconcileControlPlaneEndpoint } from './operator-reconcile';

const manifests = (...files: string[]): string => files.map((file) => readFileSync(join(__dirname, 'manifests', file), 'utf8')).join('\n---\n');
const initial = manifests('cluster.yaml', 'controlplane.yaml', 'workspacetemplateapply.yaml', 'workspace.yaml', 'connection-secret.yaml');

const controlPlaneRef: ObjectRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo' };
const clusterRef: ObjectRef = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: 'team-a', name: 'demo' };
const EKS = { host: '0123456789abcdef0123456789abcdef.gr7.us-west-2.eks.amazonaws.com', port: 443 };

/** What the operator's cache would hand its reconcile. */
const held = (fake: FakeClient) => {
  const controlPlane = fake.object(controlPlaneRef);
  if (controlPlane === undefined) throw new Error('the control plane is missing');
  return { controlPlane, cluster: fake.object(clusterRef) ?? null };
};

/** Terraform finished: the Workspace now has its outputs. */
const terraformApplied = (fake: FakeClient): void => {
  objectsFromYaml(manifests('later/workspace-applied.yaml')).forEach((object) => fake.put(object));
};

const endpointOf = (fake: FakeClient, ref: ObjectRef): unknown => (fake.object(ref)?.['spec'] as { controlPlaneEndpoint?: unknown }).controlPlaneEndpoint;

describe('the operator reconcile example', () => {
  it('asks to be requeued while Terraform has not produced the endpoint', async () => {
    const fake = createFakeClient(initial, { crds: captEndpointCrds });
    expect(await reconcileControlPlaneEndpoint(fake, held(fake))).toEqual({ requeueAfterMs: 15_000 });
    expect(fake.object(controlPlaneRef)?.['status']).toMatchObject({
      conditions: [{ type: 'EndpointReady', status: 'False', reason: 'WaitingForEndpointOutput' }],
    });
  });

  it('sets the endpoint on both objects once the output is there, then reads without writing', async () => {
    const fake = createFakeClient(initial, { crds: captEndpointCrds });
    terraformApplied(fake);
    expect(await reconcileControlPlaneEndpoint(fake, held(fake))).toEqual({});
    expect(endpointOf(fake, controlPlaneRef)).toEqual(EKS);
    expect(endpointOf(fake, clusterRef)).toEqual(EKS);

    fake.resetCalls();
    expect(await reconcileControlPlaneEndpoint(fake, held(fake))).toEqual({});
    expect(fake.writes()).toEqual([]);
    // It held the control plane and the Cluster: only the chain to the Workspace was read.
    expect(fake.calls.map((call) => call.kind)).toEqual(['WorkspaceTemplateApply', 'Workspace']);
  });

  it('returns a retryable API failure as the error, so the manager backs off', async () => {
    const fake = createFakeClient(initial, { crds: captEndpointCrds });
    terraformApplied(fake);
    fake.failOnce('patch', { kind: 'Cluster' }, 'Unavailable');
    const result = await reconcileControlPlaneEndpoint(fake, held(fake));
    expect(result.error).toMatchObject({ _tag: 'RequestFailed', retryable: true, reason: 'ApiUnavailable' });
    expect(await reconcileControlPlaneEndpoint(fake, held(fake))).toEqual({});
    expect(endpointOf(fake, clusterRef)).toEqual(EKS);
  });

  it('waits for a change instead of retrying a value that cannot work', async () => {
    const fake = createFakeClient(initial, { crds: captEndpointCrds });
    fake.edit({ apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: 'demo-eks-controlplane' }, { status: { atProvider: { outputs: { cluster_endpoint: 'http://insecure.example.com' } } } });
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_: unknown, message: string) => void warnings.push(message) };
    expect(await reconcileControlPlaneEndpoint(fake, held(fake), { logger })).toEqual({});
    expect(warnings.some((w) => w.startsWith('InvalidEndpoint:'))).toBe(true);
    expect(fake.object(controlPlaneRef)?.['status']).toMatchObject({ conditions: [{ type: 'EndpointReady', status: 'False', reason: 'InvalidEndpoint' }] });
  });
});
