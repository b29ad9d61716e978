// Realistic objects for the core's tests, shaped as the API server returns them: each passes its
// kind's schema (@capt-endpoint/testing's captEndpointCrds), so the tests that seed a fake with
// them can load the schemas.
import type { KubeObject } from '../src/objectRef';

export const b64 = (text: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

export const EKS_URL = 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com';
export const EKS_HOST = '0123456789abcdef0123456789abcdef.gr7.us-west-2.eks.amazonaws.com';

export const controlPlane = (overrides: { endpoint?: { host: string; port: number }; rv?: string; generation?: number; conditions?: unknown[]; deleting?: boolean; applyName?: string | null; owner?: boolean } = {}): KubeObject => ({
  apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
  kind: 'CAPTControlPlane',
  metadata: {
    name: 'demo-cp',
    namespace: 'team-a',
    resourceVersion: overrides.rv ?? '100',
    generation: overrides.generation ?? 1,
    uid: 'cp-uid',
    labels: { 'cluster.x-k8s.io/cluster-name': 'demo' },
    annotations: { 'example.com/keep': 'me' },
    ...(overrides.deleting ? { deletionTimestamp: '2026-11-26T00:00:00Z', finalizers: ['controlplane.cluster.x-k8s.io'] } : {}),
    ...(overrides.owner === false
      ? {}
      : { ownerReferences: [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name: 'demo', uid: 'cluster-uid', controller: true }] }),
  },
  spec: {
    version: '1.31',
    workspaceTemplateRef: { name: 'eks-controlplane-template' },
    ...(overrides.applyName === null ? {} : { workspaceTemplateApplyName: overrides.applyName ?? 'demo-eks-apply' }),
    ...(overrides.endpoint ? { controlPlaneEndpoint: overrides.endpoint } : {}),
    controlPlaneConfig: { region: 'us-west-2', endpointAccess: { public: true } },
  },
  status: {
    conditions: overrides.conditions ?? [
      { type: 'Ready', status: 'False', reason: 'Creating', message: '', lastTransitionTime: '2026-11-26T00:00:00Z' },
    ],
  },
});

export const cluster = (endpoint?: { host: string; port: number }, apiVersion = 'cluster.x-k8s.io/v1beta1'): KubeObject => ({
  apiVersion,
  kind: 'Cluster',
  metadata: { name: 'demo', namespace: 'team-a', resourceVersion: '200', generation: 1, labels: { env: 'dev' } },
  spec: {
    clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] } },
    // v1beta2 names the reference's API group; v1beta1 its apiVersion.
    controlPlaneRef:
      apiVersion === 'cluster.x-k8s.io/v1beta2'
        ? { apiGroup: 'controlplane.cluster.x-k8s.io', kind: 'CAPTControlPlane', name: 'demo-cp' }
        : { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', name: 'demo-cp' },
    ...(endpoint ? { controlPlaneEndpoint: endpoint } : {}),
  },
  status: {
    phase: 'Provisioning',
    conditions: [{ type: 'Ready', status: 'False', reason: 'WaitingForControlPlane', message: 'waiting', lastTransitionTime: '2026-11-26T00:00:00Z' }],
  },
});

export const workspaceApply = (workspaceName?: string): KubeObject => ({
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
  kind: 'WorkspaceTemplateApply',
  metadata: { name: 'demo-eks-apply', namespace: 'team-a', resourceVersion: '300' },
  spec: { templateRef: { name: 'eks-template' } },
  status: workspaceName ? { workspaceName, applied: true } : {},
});

export const workspace = (
  options: { outputs?: Record<string, unknown>; secretRef?: { name: string; namespace?: string }; namespaced?: boolean; spec?: Record<string, unknown> } = {},
): KubeObject => ({
  apiVersion: options.namespaced ? 'tf.m.upbound.io/v1beta1' : 'tf.upbound.io/v1beta1',
  kind: 'Workspace',
  metadata: { name: 'demo-eks', resourceVersion: '400', ...(options.namespaced ? { namespace: 'team-a' } : {}) },
  spec: {
    forProvider: { source: 'Inline', module: 'module "eks" {}' },
    ...(options.secretRef ? { writeConnectionSecretToRef: options.secretRef } : {}),
    ...options.spec,
  },
  status: {
    atProvider: options.outputs ? { outputs: options.outputs } : {},
    conditions: [{ type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2026-11-26T00:00:00Z' }],
  },
});

export const secret = (data: Record<string, string>, name = 'demo-eks-conn', namespace = 'team-a'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace, resourceVersion: '500' },
  type: 'connection.crossplane.io/v1alpha1',
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});
