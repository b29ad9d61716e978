// The example of docs/testing.md, run: the fake drives the core's real reconcile.
import { reconcileEndpoint } from '@capt-endpoint/core';
import { createFakeClient } from '../src';

const cluster = `
apiVersion: controlplane.cluster.x-k8s.io/v1beta1
kind: CAPTControlPlane
metadata: {name: cp, namespace: default}
spec: {workspaceTemplateApplyName: wta}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: WorkspaceTemplateApply
metadata: {name: wta, namespace: default}
status: {workspaceName: ws}
---
apiVersion: tf.upbound.io/v1beta1
kind: Workspace
metadata: {name: ws}
status: {atProvider: {outputs: {cluster_endpoint: "https://abc.gr7.eu-west-1.eks.amazonaws.com"}}}
`;

it('writes the endpoint once, then nothing', async () => {
  const fake = createFakeClient(cluster);
  const first = await reconcileEndpoint(fake, { namespace: 'default', name: 'cp' })();
  expect(first).toMatchObject({ _tag: 'Right', right: { _tag: 'Updated' } });
  expect(fake.get('controlplane.cluster.x-k8s.io/v1beta1', 'CAPTControlPlane', 'default', 'cp')?.spec).toMatchObject({
    controlPlaneEndpoint: { host: 'abc.gr7.eu-west-1.eks.amazonaws.com', port: 443 },
  });

  fake.resetCalls();
  const second = await reconcileEndpoint(fake, { namespace: 'default', name: 'cp' })();
  expect(second).toMatchObject({ _tag: 'Right', right: { _tag: 'UpToDate' } });
  expect(fake.writes()).toEqual([]);
});
