import * as E from 'fp-ts/lib/Either.js';
import { CAPTControlPlane, Cluster, decodeObject, Secret, Workspace } from '../src/objects';
import { renderError } from '../src/errors';
import { cluster, controlPlane, secret, workspace } from './fixtures';

describe('codecs', () => {
  it('decode real shapes without stripping unknown fields', () => {
    const input = controlPlane({ endpoint: { host: 'a.example.com', port: 443 } });
    const decoded = CAPTControlPlane.decode(input);
    expect(decoded).toEqual(E.right(input));
    expect(E.isRight(decoded) && (decoded.right.spec as Record<string, unknown>)['controlPlaneConfig']).toEqual({ region: 'us-west-2', endpointAccess: { public: true } });
    for (const [codec, object] of [
      [Cluster, cluster(undefined, 'cluster.x-k8s.io/v1beta2')],
      [Workspace, workspace({ namespaced: true, outputs: { cluster_endpoint: 'x', other: [1, 2] } })],
      [Secret, secret({ a: 'b' })],
    ] as const) {
      expect((codec as typeof Cluster).decode(object)).toEqual(E.right(object));
    }
  });

  it('name the object and every wrong path, without quoting values', () => {
    const bad = { ...secret({}), data: { token: 42 } } as unknown;
    const result = decodeObject(Secret, 'Secret team-a/conn')(bad);
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'ObjectDecodeError', object: 'Secret team-a/conn', paths: ['data.token'] });
    expect(E.isLeft(result) && renderError(result.left)).toBe('ObjectDecodeError: Secret team-a/conn does not have the expected shape at data.token');

    const wrongPort = controlPlane({ endpoint: { host: 'a', port: '443' as unknown as number } });
    const cp = decodeObject(CAPTControlPlane, 'CAPTControlPlane team-a/demo-cp')(wrongPort);
    expect(E.isLeft(cp) && cp.left.paths).toEqual(['spec.controlPlaneEndpoint.port']);

    const noMetadata = decodeObject(Cluster, 'Cluster x')({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' });
    expect(E.isLeft(noMetadata) && noMetadata.left.paths).toEqual(['metadata']);
  });

  it('reject another kind or apiVersion', () => {
    expect(E.isLeft(Workspace.decode({ ...workspace(), apiVersion: 'tf.upbound.io/v1alpha1' }))).toBe(true);
    expect(E.isLeft(Cluster.decode({ ...cluster(), kind: 'Machine' }))).toBe(true);
  });
});
