import * as E from 'fp-ts/lib/Either.js';
import { KNOWN_RESOURCES } from '@capt-endpoint/core/adapter';
import { collectionPath, resolveTarget, resourceTable } from '../src/resources';

const resolve = resolveTarget(resourceTable([{ group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: false }]));

describe('REST paths', () => {
  it.each([
    [{ apiVersion: 'v1', kind: 'Secret', namespace: 'ns', name: 's' }, '/api/v1/namespaces/ns/secrets/s'],
    [{ apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'ns', name: 'cp' }, '/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/ns/captcontrolplanes/cp'],
    [{ apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'WorkspaceTemplateApply', namespace: 'ns', name: 'a' }, '/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/ns/workspacetemplateapplies/a'],
    [{ apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: 'w' }, '/apis/tf.upbound.io/v1beta1/workspaces/w'],
    [{ apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', namespace: 'ignored', name: 'w' }, '/apis/tf.upbound.io/v1beta1/workspaces/w'],
    [{ apiVersion: 'tf.m.upbound.io/v1beta1', kind: 'Workspace', namespace: 'ns', name: 'w' }, '/apis/tf.m.upbound.io/v1beta1/namespaces/ns/workspaces/w'],
    [{ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', namespace: 'ns', name: 'c' }, '/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/clusters/c'],
    [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' }, '/apis/example.com/v1/widgets/w'],
  ])('%j is at %s', (ref, path) => expect(E.map((t: { path: string }) => t.path)(resolve(ref))).toEqual(E.right(path)));

  it('puts status under the /status subresource', () => {
    expect(E.map((t: { path: string }) => t.path)(resolve({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: 'n', name: 'c' }, 'status'))).toEqual(
      E.right('/apis/cluster.x-k8s.io/v1beta1/namespaces/n/clusters/c/status'),
    );
  });

  it('escapes names into one path segment', () => {
    expect(E.map((t: { path: string }) => t.path)(resolve({ apiVersion: 'v1', kind: 'Secret', namespace: 'n', name: 'a/../b' }))).toEqual(
      E.right('/api/v1/namespaces/n/secrets/a%2F..%2Fb'),
    );
  });

  it('knows every kind of core KNOWN_RESOURCES', () => {
    for (const r of KNOWN_RESOURCES) expect(resourceTable()(r.group ? `${r.group}/${r.version}` : r.version, r.kind)).toEqual(r);
  });

  it('lists a namespaced resource in one namespace or in all', () => {
    const secrets = resourceTable()('v1', 'Secret')!;
    expect(collectionPath(secrets, 'ns')).toBe('/api/v1/namespaces/ns/secrets');
    expect(collectionPath(secrets)).toBe('/api/v1/secrets');
  });
});

describe('typed errors instead of guesses', () => {
  it('an unknown kind', () => {
    const result = resolve({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'n', name: 'd' });
    expect(result).toEqual(E.left(expect.objectContaining({ _tag: 'ApiError', kind: 'Invalid', retryable: false })));
    expect(E.isLeft(result) && result.left.message).toContain("register it with the 'resources' option");
  });

  it('a known kind in an unknown version', () => {
    expect(E.isLeft(resolve({ apiVersion: 'cluster.x-k8s.io/v1alpha3', kind: 'Cluster', namespace: 'n', name: 'c' }))).toBe(true);
  });

  it('a namespaced kind without a namespace, and an empty name', () => {
    expect(resolve({ apiVersion: 'v1', kind: 'Secret', name: 's' })).toEqual(E.left(expect.objectContaining({ kind: 'Invalid' })));
    expect(resolve({ apiVersion: 'v1', kind: 'Secret', namespace: 'n', name: '' })).toEqual(E.left(expect.objectContaining({ kind: 'Invalid' })));
  });
});
