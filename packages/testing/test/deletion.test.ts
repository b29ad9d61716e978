// A CAPTControlPlane deleted on its own, its Cluster staying: we clear the Cluster's endpoint,
// and Cluster API's cluster controller must not copy it back, or the two controllers would
// take turns writing the Cluster (ADR 0080). Cluster API is played by the one rule that
// matters, as its reconcileControlPlane has it.
import * as E from 'fp-ts/lib/Either.js';
import { isEndpointSet, reconcileEndpoint, type KubeObject, type ObjectRef } from '@capt-endpoint/core';
import type { StoredEndpoint } from '@capt-endpoint/core/adapter';
import { captEndpointCrds, createFakeClient, type FakeClient } from '../src';
import { EKS_HOST, EKS_URL, cluster, controlPlane, workspace, workspaceApply } from '../../core/test/fixtures';

const CP: ObjectRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo-cp' };
const CLUSTER: ObjectRef = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: 'team-a', name: 'demo' };
const EKS = { host: EKS_HOST, port: 443 };
const FINALIZER = 'controlplane.cluster.x-k8s.io/captcontrolplane';

const endpointOf = (object: KubeObject | undefined): StoredEndpoint | undefined =>
  (object?.['spec'] as { controlPlaneEndpoint?: StoredEndpoint } | undefined)?.controlPlaneEndpoint;

/**
 * Cluster API's cluster controller on the endpoint (reconcileControlPlane): a control plane that
 * is not found, or is marked for deletion, is left before the copy; otherwise (initialized, as
 * ours is) its spec.controlPlaneEndpoint is copied into a Cluster whose endpoint is not valid.
 * `seen` is the control plane as Cluster API's cache holds it, which may lag behind the store.
 */
const clusterApiReconciles = (fake: FakeClient, seen: KubeObject | undefined = fake.object(CP)): boolean => {
  if (seen === undefined || seen.metadata.deletionTimestamp !== undefined) return false;
  const fromControlPlane = endpointOf(seen);
  if (isEndpointSet(endpointOf(fake.object(CLUSTER))) || !isEndpointSet(fromControlPlane)) return false;
  fake.edit(CLUSTER, { spec: { controlPlaneEndpoint: { host: fromControlPlane.host, port: fromControlPlane.port } } });
  return true;
};

/** Both objects hold the endpoint; the control plane has the finalizer that keeps it while CAPT cleans up. */
const settled = (): FakeClient => {
  const cp = controlPlane({ endpoint: EKS });
  cp.metadata.finalizers = [FINALIZER];
  return createFakeClient([cp, cluster(EKS), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })], { crds: captEndpointCrds });
};

const reconcile = async (fake: FakeClient) => {
  const result = await reconcileEndpoint(fake, { namespace: 'team-a', name: 'demo-cp' }, { now: () => new Date('2026-11-26T12:00:00Z') })();
  if (E.isLeft(result)) throw new Error(`unexpected Left: ${result.left._tag}: ${result.left.message}`);
  return result.right;
};

describe('a control plane deleted while its Cluster stays', () => {
  it("Cluster API is shown copying the endpoint into an empty Cluster while the control plane is alive (the rule is live)", () => {
    const fake = settled();
    fake.edit(CLUSTER, { spec: { controlPlaneEndpoint: null } });
    expect(clusterApiReconciles(fake)).toBe(true);
    expect(endpointOf(fake.object(CLUSTER))).toEqual(EKS);
  });

  it('the Cluster is cleared once; Cluster API does not copy it back during the deletion nor after; nothing is written again', async () => {
    const fake = settled();
    fake.delete(CP);
    expect(await reconcile(fake)).toMatchObject({ _tag: 'CleanedUp', updated: ['Cluster'] });
    expect(endpointOf(fake.object(CLUSTER))).toBeUndefined();
    // The control plane's own endpoint is not ours to clear: CAPT may still need it while it deletes.
    expect(endpointOf(fake.object(CP))).toEqual(EKS);
    expect(fake.writes().map((call) => [call.verb, call.kind])).toEqual([['patch', 'Cluster']]);

    fake.resetCalls();
    for (let round = 0; round < 3; round++) {
      expect(clusterApiReconciles(fake)).toBe(false);
      expect(await reconcile(fake)).toMatchObject({ _tag: 'CleanedUp', updated: [] });
    }
    expect(fake.writes()).toEqual([]);

    // CAPT's finalizer goes: the control plane is gone, and so is any source to copy from.
    fake.edit(CP, { metadata: { finalizers: null } });
    expect(fake.object(CP)).toBeUndefined();
    expect(clusterApiReconciles(fake)).toBe(false);
    expect(await reconcile(fake)).toMatchObject({ _tag: 'ControlPlaneGone', updated: [] });
    expect(endpointOf(fake.object(CLUSTER))).toBeUndefined();
    expect(fake.writes()).toEqual([]);
  });

  it("a Cluster API cache that has not seen the deletion yet copies the endpoint back once; we clear it once more and both settle", async () => {
    const fake = settled();
    const stale = fake.object(CP);
    fake.delete(CP);
    await reconcile(fake);
    expect(clusterApiReconciles(fake, stale)).toBe(true);
    expect(endpointOf(fake.object(CLUSTER))).toEqual(EKS);

    fake.resetCalls();
    expect(await reconcile(fake)).toMatchObject({ _tag: 'CleanedUp', updated: ['Cluster'] });
    expect(clusterApiReconciles(fake)).toBe(false);
    expect(await reconcile(fake)).toMatchObject({ _tag: 'CleanedUp', updated: [] });
    expect(fake.writes().map((call) => call.kind)).toEqual(['Cluster']);
    expect(endpointOf(fake.object(CLUSTER))).toBeUndefined();
  });
});
