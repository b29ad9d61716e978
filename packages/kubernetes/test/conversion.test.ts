// A cached object read at another version of its kind: strategy None, plus Cluster API's
// spelling of an unset endpoint (v1beta1 {host: "", port: 0}, v1beta2 absent).
import type { KubeObject } from '@capt-endpoint/core';
import { freezeJsonValue } from '@capt-endpoint/core/json';
import { convertTo } from '../src/conversion';

const V1BETA1 = 'cluster.x-k8s.io/v1beta1';
const V1BETA2 = 'cluster.x-k8s.io/v1beta2';
const clusterAt = (apiVersion: string, spec: Record<string, unknown>): KubeObject =>
  freezeJsonValue({ apiVersion, kind: 'Cluster', metadata: { name: 'demo', namespace: 'team-a' }, spec });

describe('convertTo', () => {
  it('v1beta2 to v1beta1: an absent endpoint is {host: "", port: 0}; a set one is kept', () => {
    expect(convertTo(clusterAt(V1BETA2, { paused: false }), V1BETA1)).toEqual(clusterAt(V1BETA1, { paused: false, controlPlaneEndpoint: { host: '', port: 0 } }));
    const set = { host: 'a.example.com', port: 443 };
    expect(convertTo(clusterAt(V1BETA2, { controlPlaneEndpoint: set }), V1BETA1)['spec']).toEqual({ controlPlaneEndpoint: set });
    expect(convertTo(clusterAt(V1BETA2, { controlPlaneEndpoint: { host: 'a.example.com' } }), V1BETA1)['spec']).toEqual({ controlPlaneEndpoint: { host: 'a.example.com', port: 0 } });
  });

  it('v1beta1 to v1beta2: {host: "", port: 0} is absent; a set one is kept', () => {
    expect(convertTo(clusterAt(V1BETA1, { paused: false, controlPlaneEndpoint: { host: '', port: 0 } }), V1BETA2)).toEqual(clusterAt(V1BETA2, { paused: false }));
    const set = { host: 'a.example.com', port: 443 };
    expect(convertTo(clusterAt(V1BETA1, { controlPlaneEndpoint: set }), V1BETA2)['spec']).toEqual({ controlPlaneEndpoint: set });
  });

  it('shares what does not change, freezes what it makes, and gives the object itself at its own version', () => {
    const held = clusterAt(V1BETA1, { paused: false, controlPlaneEndpoint: { host: 'a.example.com', port: 443 } });
    const view = convertTo(held, V1BETA2);
    expect(view.metadata).toBe(held.metadata);
    expect(view['spec']).toBe(held['spec']);
    expect(Object.isFrozen(view)).toBe(true);
    expect(Object.isFrozen(convertTo(clusterAt(V1BETA2, {}), V1BETA1)['spec'])).toBe(true);
    expect(convertTo(held, V1BETA1)).toBe(held);
  });

  it('any other kind: only apiVersion changes', () => {
    const workspace: KubeObject = { apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', metadata: { name: 'w' }, spec: { controlPlaneEndpoint: { host: '', port: 0 } } };
    expect(convertTo(workspace, 'tf.upbound.io/v1beta2')).toEqual({ ...workspace, apiVersion: 'tf.upbound.io/v1beta2' });
  });
});
