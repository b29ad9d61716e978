/**
 * Realistic objects for the bench, shaped as the API server returns them (metadata with
 * managedFields, an EKS module's full set of Terraform outputs, conditions): one control
 * plane's chain CAPTControlPlane -> WorkspaceTemplateApply -> Workspace (-> connection
 * Secret), and its owner Cluster. Deterministic: object `i` is the same on every run.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import {
  CAPTControlPlane,
  Cluster,
  locateInWorkspace,
  planCondition,
  planEndpointUpdate,
  Workspace,
  type KubeObject,
  type Resolution,
} from '@capt-endpoint/core';
import { decodeObject } from '@capt-endpoint/core/adapter';
import { applyMergePatch } from '@capt-endpoint/core/json';

/**
 * Where control plane `i` starts: endpoint in the outputs, only in the connection Secret, not
 * yet anywhere, or `steady` (in the outputs, and already written where the library writes it).
 */
export type StartState = 'outputs' | 'secret' | 'waiting' | 'steady';

const hex = (seed: number, length: number): string => {
  let out = '';
  let x = (seed * 2654435761) >>> 0 || 1;
  while (out.length < length) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += x.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
};

const base64Of = (text: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

// A CA bundle's size (a 2048-bit certificate, base64 of PEM): what EKS returns as certificate-authority data.
const caData = (i: number): string => base64Of(`-----BEGIN CERTIFICATE-----\n${hex(i + 7, 1400)}\n-----END CERTIFICATE-----\n`);

/**
 * When control plane `i`'s objects were created and their conditions last changed: one second
 * apart per control plane, as `2026-11-20T08:15:42Z` is written, so that no two chains share a
 * timestamp (real clusters are not created in the same second, and a cache that pools repeated
 * strings must not look better here than it would there).
 */
const stampOf = (i: number): string => new Date(Date.UTC(2026, 10, 20, 8, 15, 42) + i * 1000).toISOString().replace('.000Z', 'Z');

/** The fixtures spread over this many namespaces, `team-0` on. */
export const namespaceCount = 16;
export const namespaceOf = (i: number): string => `team-${i % namespaceCount}`;
export const nameOf = (i: number): string => `cluster-${i}`;
export const applyNameOf = (i: number): string => `${nameOf(i)}-eks-apply`;
export const workspaceNameOf = (i: number): string => `${nameOf(i)}-eks`;
export const secretNameOf = (i: number): string => `${nameOf(i)}-eks-conn`;
export const endpointUrlOf = (i: number): string => `https://${hex(i, 32).toUpperCase()}.gr7.us-west-2.eks.amazonaws.com`;

const uid = (i: number, kind: string): string => {
  const h = hex(i * 31 + kind.length, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

const managedField = (time: string, manager: string, operation: string, fields: Record<string, unknown>, subresource?: string) => ({
  manager,
  operation,
  apiVersion: 'v1',
  time,
  fieldsType: 'FieldsV1',
  fieldsV1: fields,
  ...(subresource ? { subresource } : {}),
});

export const controlPlaneOf = (i: number): KubeObject => ({
  apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
  kind: 'CAPTControlPlane',
  metadata: {
    name: nameOf(i),
    namespace: namespaceOf(i),
    uid: uid(i, 'CAPTControlPlane'),
    resourceVersion: '1',
    generation: 1,
    creationTimestamp: stampOf(i),
    labels: { 'cluster.x-k8s.io/cluster-name': nameOf(i), 'app.kubernetes.io/managed-by': 'capt' },
    finalizers: ['controlplane.cluster.x-k8s.io/captcontrolplane'],
    ownerReferences: [
      { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name: nameOf(i), uid: uid(i, 'Cluster'), controller: true },
    ],
    managedFields: [
      managedField(stampOf(i), 'manager', 'Update', {
        'f:metadata': { 'f:finalizers': { '.': {}, 'v:"controlplane.cluster.x-k8s.io/captcontrolplane"': {} }, 'f:ownerReferences': { '.': {} } },
        'f:spec': { '.': {}, 'f:version': {}, 'f:workspaceTemplateApplyName': {}, 'f:workspaceTemplateRef': { '.': {}, 'f:name': {} } },
      }),
    ],
  },
  spec: {
    version: '1.31',
    workspaceTemplateRef: { name: 'eks-controlplane-template' },
    workspaceTemplateApplyName: applyNameOf(i),
    controlPlaneConfig: {
      region: 'us-west-2',
      endpointAccess: { public: true, private: true, publicCIDRs: ['0.0.0.0/0'] },
      addons: [
        { name: 'coredns', version: 'v1.11.3-eksbuild.1' },
        { name: 'kube-proxy', version: 'v1.31.0-eksbuild.5' },
        { name: 'vpc-cni', version: 'v1.18.5-eksbuild.1' },
      ],
    },
    additionalTags: { environment: 'production', team: namespaceOf(i) },
  },
  status: {
    ready: false,
    initialized: false,
    phase: 'Creating',
    conditions: [
      { type: 'Ready', status: 'False', reason: 'Creating', message: 'Control plane is being created', lastTransitionTime: stampOf(i) },
    ],
    workspaceTemplateStatus: { ready: false },
  },
});

export const clusterOf = (i: number): KubeObject => ({
  apiVersion: 'cluster.x-k8s.io/v1beta1',
  kind: 'Cluster',
  metadata: {
    name: nameOf(i),
    namespace: namespaceOf(i),
    uid: uid(i, 'Cluster'),
    resourceVersion: '1',
    generation: 1,
    creationTimestamp: stampOf(i),
    labels: { 'cluster.x-k8s.io/cluster-name': nameOf(i), environment: 'production' },
    finalizers: ['cluster.cluster.x-k8s.io'],
    managedFields: [
      managedField(stampOf(i), 'kubectl-client-side-apply', 'Update', {
        'f:metadata': { 'f:labels': { '.': {}, 'f:environment': {} } },
        'f:spec': { '.': {}, 'f:clusterNetwork': { '.': {}, 'f:pods': { '.': {}, 'f:cidrBlocks': {} } }, 'f:controlPlaneRef': {}, 'f:infrastructureRef': {} },
      }),
    ],
  },
  spec: {
    clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.128.0.0/12'] } },
    controlPlaneRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', name: nameOf(i), namespace: namespaceOf(i) },
    infrastructureRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'CAPTCluster', name: nameOf(i), namespace: namespaceOf(i) },
  },
  status: {
    phase: 'Provisioning',
    infrastructureReady: true,
    controlPlaneReady: false,
    observedGeneration: 1,
    conditions: [
      { type: 'Ready', status: 'False', reason: 'WaitingForControlPlane', severity: 'Info', lastTransitionTime: stampOf(i) },
      { type: 'ControlPlaneReady', status: 'False', reason: 'WaitingForControlPlane', severity: 'Info', lastTransitionTime: stampOf(i) },
      { type: 'InfrastructureReady', status: 'True', lastTransitionTime: stampOf(i) },
    ],
  },
});

export const workspaceApplyOf = (i: number): KubeObject => ({
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
  kind: 'WorkspaceTemplateApply',
  metadata: {
    name: applyNameOf(i),
    namespace: namespaceOf(i),
    uid: uid(i, 'WorkspaceTemplateApply'),
    resourceVersion: '1',
    generation: 1,
    creationTimestamp: stampOf(i),
    ownerReferences: [
      { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', name: nameOf(i), uid: uid(i, 'CAPTControlPlane'), controller: true },
    ],
  },
  spec: {
    templateRef: { name: 'eks-controlplane-template', namespace: namespaceOf(i) },
    variables: { cluster_name: nameOf(i), kubernetes_version: '1.31', region: 'us-west-2', vpc_workspace: `${nameOf(i)}-vpc` },
    writeConnectionSecretToRef: { name: secretNameOf(i), namespace: namespaceOf(i) },
  },
  status: {
    workspaceName: workspaceNameOf(i),
    applied: true,
    lastAppliedTime: stampOf(i),
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: stampOf(i) },
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: stampOf(i) },
    ],
  },
});

/** The EKS module's outputs; `withEndpoint` false models an endpoint published only through the Secret. */
const eksOutputs = (i: number, withEndpoint: boolean): Record<string, unknown> => ({
  cluster_arn: `arn:aws:eks:us-west-2:123456789012:cluster/${nameOf(i)}`,
  cluster_certificate_authority_data: caData(i),
  ...(withEndpoint ? { cluster_endpoint: endpointUrlOf(i) } : {}),
  cluster_id: nameOf(i),
  cluster_name: nameOf(i),
  cluster_oidc_issuer_url: `https://oidc.eks.us-west-2.amazonaws.com/id/${hex(i + 3, 32).toUpperCase()}`,
  cluster_platform_version: 'eks.12',
  cluster_primary_security_group_id: `sg-${hex(i + 4, 17)}`,
  cluster_security_group_id: `sg-${hex(i + 5, 17)}`,
  cluster_status: 'ACTIVE',
  cluster_version: '1.31',
  node_security_group_id: `sg-${hex(i + 6, 17)}`,
  oidc_provider_arn: `arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/${hex(i + 3, 32).toUpperCase()}`,
  private_subnets: [`subnet-${hex(i + 8, 17)}`, `subnet-${hex(i + 9, 17)}`, `subnet-${hex(i + 10, 17)}`],
  eks_managed_node_groups: {
    default: { node_group_arn: `arn:aws:eks:us-west-2:123456789012:nodegroup/${nameOf(i)}/default/${hex(i + 11, 36)}`, node_group_status: 'ACTIVE' },
  },
});

export const workspaceOf = (i: number, state: StartState): KubeObject => ({
  apiVersion: 'tf.upbound.io/v1beta1',
  kind: 'Workspace',
  metadata: {
    name: workspaceNameOf(i),
    uid: uid(i, 'Workspace'),
    resourceVersion: '1',
    generation: 1,
    creationTimestamp: stampOf(i),
    annotations: { 'crossplane.io/external-name': workspaceNameOf(i) },
    labels: { 'cluster.x-k8s.io/cluster-name': nameOf(i) },
    finalizers: ['finalizer.managedresource.crossplane.io'],
    managedFields: [
      managedField(stampOf(i), 'capt', 'Update', { 'f:spec': { '.': {}, 'f:forProvider': { '.': {}, 'f:module': {}, 'f:source': {}, 'f:vars': {} } } }),
      managedField(stampOf(i), 'crossplane-provider-terraform', 'Update', { 'f:status': { '.': {}, 'f:atProvider': { '.': {}, 'f:checksum': {}, 'f:outputs': {} }, 'f:conditions': {} } }, 'status'),
    ],
  },
  spec: {
    deletionPolicy: 'Delete',
    managementPolicies: ['*'],
    providerConfigRef: { name: 'aws-provider-config' },
    writeConnectionSecretToRef: { name: secretNameOf(i), namespace: namespaceOf(i) },
    forProvider: {
      source: 'Remote',
      module: 'git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v20.24.0',
      initArgs: ['-upgrade=true'],
      vars: [
        { key: 'cluster_name', value: nameOf(i) },
        { key: 'cluster_version', value: '1.31' },
        { key: 'region', value: 'us-west-2' },
        { key: 'vpc_id', value: `vpc-${hex(i + 12, 17)}` },
        { key: 'cluster_endpoint_public_access', value: 'true' },
      ],
      enableTerraformCLILogging: false,
    },
  },
  status:
    state === 'waiting'
      ? { atProvider: {}, conditions: [{ type: 'Ready', status: 'False', reason: 'Creating', lastTransitionTime: stampOf(i) }, { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: stampOf(i) }] }
      : {
          atProvider: { checksum: hex(i + 13, 32), outputs: eksOutputs(i, state === 'outputs') },
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: stampOf(i) },
            { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: stampOf(i) },
          ],
        },
});

/** The connection Secret provider-terraform writes: every output, a string as its raw bytes, others as JSON. */
export const secretOf = (i: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'connection.crossplane.io/v1alpha1',
  metadata: {
    name: secretNameOf(i),
    namespace: namespaceOf(i),
    uid: uid(i, 'Secret'),
    resourceVersion: '1',
    creationTimestamp: stampOf(i),
    ownerReferences: [{ apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: workspaceNameOf(i), uid: uid(i, 'Workspace'), controller: true }],
  },
  data: Object.fromEntries(
    Object.entries({ ...eksOutputs(i, true), kubeconfig: `apiVersion: v1\nkind: Config\nclusters: []\n` }).map(([key, value]) => [
      key,
      base64Of(typeof value === 'string' ? value : JSON.stringify(value)),
    ]),
  ),
});

/** Every object of control plane `i` in its start state (the Secret only where it exists). */
export const chainOf = (i: number, state: StartState): KubeObject[] => {
  if (state !== 'steady') return startChainOf(i, state);
  const { controlPlane, cluster, workspace } = steadyObjects(i);
  return [controlPlane, cluster, workspaceApplyOf(i), workspace];
};

const startChainOf = (i: number, state: Exclude<StartState, 'steady'>): KubeObject[] => [
  controlPlaneOf(i),
  clusterOf(i),
  workspaceApplyOf(i),
  workspaceOf(i, state),
  ...(state === 'secret' ? [secretOf(i)] : []),
];

const decodeCp = decodeObject(CAPTControlPlane, 'CAPTControlPlane');
const decodeCluster = decodeObject(Cluster, 'Cluster');
const decodeWorkspace = decodeObject(Workspace, 'Workspace');

export const orThrow = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error('bench fixture did not decode');
  return either.right;
};

/** Where the endpoint stands in a Workspace that has it in its outputs. */
export const resolutionOf = (workspace: Workspace): Resolution => {
  const located = locateInWorkspace(workspace);
  if (E.isRight(located) && located.right._tag === 'NeedSecret') throw new Error('bench fixture needs its Secret');
  return located as Resolution;
};

/** When the steady objects' condition changed: before any run. */
const steadySince = new Date('2026-11-26T12:00:00Z');

/** The steady state: the objects as a first reconcile leaves them (endpoint and condition set). */
export const steadyObjects = (i: number): { controlPlane: KubeObject; cluster: KubeObject; workspace: KubeObject } => {
  const workspace = workspaceOf(i, 'outputs');
  const first = orThrow(planEndpointUpdate(resolutionOf(orThrow(decodeWorkspace(workspace))), orThrow(decodeCp(controlPlaneOf(i))), orThrow(decodeCluster(clusterOf(i)))));
  const controlPlane = applyMergePatch(controlPlaneOf(i), { ...first.controlPlanePatch, metadata: { resourceVersion: '2', generation: 2 } }) as KubeObject;
  const condition = planCondition(orThrow(decodeCp(controlPlane)), first.condition, steadySince);
  const withStatus = O.isSome(condition.patch) ? (applyMergePatch(controlPlane, condition.patch.value) as KubeObject) : controlPlane;
  const cluster = applyMergePatch(clusterOf(i), { ...first.clusterPatch, metadata: { resourceVersion: '2' } }) as KubeObject;
  return { controlPlane: withStatus, cluster, workspace };
};
