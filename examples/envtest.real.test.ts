// A user's own jest test against a real kube-apiserver, as docs/testing.md shows it: the server
// comes from KUBEBUILDER_ASSETS (setup-envtest's binaries), the CRDs from @capt-endpoint/envtest,
// and the reconcile goes through the real adapter.
import * as E from 'fp-ts/lib/Either.js';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { reconcileEndpoint } from '@capt-endpoint/core';
import { envtestCrds, startEnvtest, type Envtest } from '@capt-endpoint/envtest';
import { createKubernetesClient } from '@capt-endpoint/kubernetes';

const EKS_URL = 'https://0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com';

describe('my controller on a real API server', () => {
  let env: Envtest;
  beforeAll(async () => {
    env = await startEnvtest({ crds: envtestCrds() });
  });
  afterAll(() => env?.stop());

  it('sets the endpoint on the control plane and its Cluster', async () => {
    const api = KubernetesObjectApi.makeApiClient(env.kubeConfig);
    const create = (object: KubernetesObject & Record<string, unknown>) => api.create(object);
    await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    const cluster = await create({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: 'demo', namespace: 'team-a' }, spec: {} });
    await create({
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
      kind: 'CAPTControlPlane',
      metadata: {
        name: 'demo',
        namespace: 'team-a',
        ownerReferences: [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name: 'demo', uid: cluster.metadata?.uid ?? '' }],
      },
      spec: { version: '1.31', workspaceTemplateRef: { name: 'eks' }, workspaceTemplateApplyName: 'demo-eks-controlplane-apply' },
    });
    // Status is a subresource: create the objects, then set what Terraform and CAPT would report.
    await create({ apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'WorkspaceTemplateApply', metadata: { name: 'demo-eks-controlplane-apply', namespace: 'team-a' }, spec: { templateRef: { name: 'eks' } } });
    await create({ apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', metadata: { name: 'demo-eks-controlplane' }, spec: { forProvider: { source: 'Inline', module: 'module "eks" {}' } } });
    const client = createKubernetesClient(env.kubeConfig);
    const setStatus = (apiVersion: string, kind: string, name: string, status: object, namespace?: string) =>
      client.patchStatus({ apiVersion, kind, name, namespace }, { status })();
    await setStatus('infrastructure.cluster.x-k8s.io/v1beta1', 'WorkspaceTemplateApply', 'demo-eks-controlplane-apply', { workspaceName: 'demo-eks-controlplane' }, 'team-a');
    await setStatus('tf.upbound.io/v1beta1', 'Workspace', 'demo-eks-controlplane', { atProvider: { outputs: { cluster_endpoint: EKS_URL } } });

    const result = await reconcileEndpoint(client, { namespace: 'team-a', name: 'demo' })();

    expect(E.isRight(result) && result.right._tag).toBe('Updated');
    const stored = await client.get({ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', namespace: 'team-a', name: 'demo' })();
    expect(E.isRight(stored) && stored.right?.['spec']).toEqual({ controlPlaneEndpoint: { host: '0123456789abcdef.gr7.us-west-2.eks.amazonaws.com', port: 443 } });
    await client.close();
  });
});
