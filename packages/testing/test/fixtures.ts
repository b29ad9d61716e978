// Objects shared by the tests: a CAPTControlPlane, a cluster-scoped Workspace, a Secret.
import type { KubeObject, ObjectRef } from '@capt-endpoint/core';

export const controlPlane = (spec: Record<string, unknown> = { workspaceTemplateApplyName: 'wta' }): KubeObject => ({
  apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
  kind: 'CAPTControlPlane',
  metadata: { name: 'cp', namespace: 'default' },
  spec,
});

export const cpRef: ObjectRef = {
  apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
  kind: 'CAPTControlPlane',
  namespace: 'default',
  name: 'cp',
};

export const workspace = (): KubeObject => ({
  apiVersion: 'tf.upbound.io/v1beta1',
  kind: 'Workspace',
  metadata: { name: 'ws' },
  spec: { writeConnectionSecretToRef: { name: 'conn', namespace: 'default' } },
  status: { atProvider: { outputs: { cluster_endpoint: 'https://abc.gr7.eu-west-1.eks.amazonaws.com' } } },
});

export const wsRef: ObjectRef = { apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: 'ws' };

export const secret = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'conn', namespace: 'default' },
  type: 'connection.crossplane.io/v1alpha1',
  data: { cluster_endpoint: btoa('https://abc.example:443') },
});

export const secretRef: ObjectRef = { apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'conn' };

/** The Right of an Either, or a thrown error naming the Left (tests only). */
export const right = <A>(either: { _tag: 'Left'; left: unknown } | { _tag: 'Right'; right: A }): A => {
  if (either._tag === 'Left') throw new Error(`expected Right, got Left: ${JSON.stringify(either.left)}`);
  return either.right;
};

export const left = <E>(either: { _tag: 'Left'; left: E } | { _tag: 'Right'; right: unknown }): E => {
  if (either._tag === 'Right') throw new Error(`expected Left, got Right: ${JSON.stringify(either.right)}`);
  return either.left;
};

/**
 * A "billion laughs" CAPTControlPlane, 644 bytes: nine anchors, each a list of nine aliases to
 * the one before, so its last anchor stands for 9^9 (387 million) strings once expanded.
 */
export const billionLaughs = ((): string => {
  const names = 'abcdefghi'.split('');
  const lists = names.map((name, i) =>
    i === 0 ? `    ${name}: &${name} [${Array(9).fill('"lol"').join(', ')}]` : `    ${name}: &${name} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]`,
  );
  return [
    '# the billion laughs',
    'apiVersion: controlplane.cluster.x-k8s.io/v1beta1',
    'kind: CAPTControlPlane',
    'metadata: {name: demo-cp, namespace: team-a}',
    'spec:',
    '  workspaceTemplateApplyName: demo-eks',
    '  laughs:',
    ...lists,
    '',
  ].join('\n');
})();
