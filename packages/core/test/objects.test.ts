import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { freezeJsonValue } from '../src/jsonValue';
import { CAPTControlPlane, Cluster, decodeObject, Secret, Workspace } from '../src/objects';
import { renderError } from '../src/errors';
import { cluster, controlPlane, secret, workspace } from './fixtures';

describe('codecs', () => {
  it('decode real shapes without stripping unknown fields', () => {
    const input = controlPlane({ endpoint: { host: 'a.example.com', port: 443 } });
    const decoded = CAPTControlPlane.decode(input);
    expect(decoded).toEqual(E.right(input));
    expect(E.isRight(decoded) && (decoded.right.spec as Record<string, unknown>)['controlPlaneConfig']).toEqual({ endpointAccess: { public: true } });
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

describe('decodeObject on values frozen whole', () => {
  /** Cluster's codec, counting how often it really checks a value. */
  const counting = () => {
    let checks = 0;
    const codec = new t.Type<Cluster, Cluster, unknown>(
      'CountingCluster',
      Cluster.is,
      (input, context) => {
        checks++;
        return Cluster.validate(input, context);
      },
      Cluster.encode,
    );
    return { codec, checks: () => checks };
  };

  it('checks a value frozen by freezeJsonValue once, and gives the same answer after', () => {
    const { codec, checks } = counting();
    const held = freezeJsonValue(cluster());
    const first = decodeObject(codec, 'Cluster team-a/demo')(held);
    const second = decodeObject(codec, 'Cluster team-a/demo')(held);
    expect(E.isRight(first)).toBe(true);
    expect(second).toEqual(first);
    expect(checks()).toBe(1);
  });

  it('checks again a value that is only shallowly frozen, or a fresh copy: either could differ', () => {
    const { codec, checks } = counting();
    const shallow = Object.freeze(cluster());
    decodeObject(codec, 'Cluster team-a/demo')(shallow);
    decodeObject(codec, 'Cluster team-a/demo')(shallow);
    decodeObject(codec, 'Cluster team-a/demo')(freezeJsonValue(cluster()));
    decodeObject(codec, 'Cluster team-a/demo')(freezeJsonValue(cluster()));
    expect(checks()).toBe(4);
  });

  it('does not remember a failure: each call checks again and names the object as that caller did', () => {
    const { codec, checks } = counting();
    const broken = freezeJsonValue({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' });
    const first = decodeObject(codec, 'Cluster a/x')(broken);
    const second = decodeObject(codec, 'Cluster b/y')(broken);
    expect(E.isLeft(first) && first.left.object).toBe('Cluster a/x');
    expect(E.isLeft(second) && second.left.object).toBe('Cluster b/y');
    expect(checks()).toBe(2);
  });

  it('keeps what one codec decided apart from another’s', () => {
    const held = freezeJsonValue(cluster());
    expect(E.isRight(decodeObject(Cluster, 'Cluster team-a/demo')(held))).toBe(true);
    expect(E.isLeft(decodeObject(Secret, 'Secret team-a/demo')(held))).toBe(true);
  });
});
