import { controlPlaneKey, DependencyIndex, parseControlPlaneKey } from '../src';

const workspace = { apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: 'eks' };
const secret = { apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'eks-conn' };
const apply = { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'WorkspaceTemplateApply', namespace: 'team-a', name: 'apply' };

describe('DependencyIndex', () => {
  it('maps each object read back to the control planes that read it', () => {
    const index = new DependencyIndex();
    index.record('team-a/one', [apply, workspace], { replace: true });
    index.record('team-a/two', [workspace, secret], { replace: true });
    expect(index.controlPlanesFor(workspace)).toEqual(['team-a/one', 'team-a/two']);
    expect(index.controlPlanesFor(secret)).toEqual(['team-a/two']);
    expect(index.controlPlanesFor({ ...secret, namespace: 'team-b' })).toEqual([]);
    expect(index.controlPlanesFor({ ...workspace, apiVersion: 'tf.m.upbound.io/v1beta1' })).toEqual([]);
  });

  it('an object is the same at every version of its group: a Cluster read at v1beta1 changes at v1beta2', () => {
    const index = new DependencyIndex();
    const cluster = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: 'team-a', name: 'demo' };
    index.record('team-a/one', [cluster], { replace: true });
    expect(index.controlPlanesFor({ ...cluster, apiVersion: 'cluster.x-k8s.io/v1beta2' })).toEqual(['team-a/one']);
    expect(index.controlPlanesFor({ ...cluster, apiVersion: 'other.x-k8s.io/v1beta2' })).toEqual([]);
    expect(index.controlPlanesFor({ ...secret, apiVersion: 'v2' })).toEqual([]);
    index.record('team-a/two', [secret], { replace: true });
    expect(index.controlPlanesFor({ ...secret, apiVersion: 'v2' })).toEqual(['team-a/two']);
  });

  it('replaces what a control plane read after a complete reconcile, adds after a partial one', () => {
    const index = new DependencyIndex();
    index.record('team-a/one', [apply, workspace], { replace: true });
    index.record('team-a/one', [secret], { replace: false });
    expect(index.controlPlanesFor(workspace)).toEqual(['team-a/one']);
    index.record('team-a/one', [secret], { replace: true });
    expect(index.controlPlanesFor(workspace)).toEqual([]);
    expect(index.size).toBe(1);
    expect(index.has('team-a/one')).toBe(true);
    index.forget('team-a/one');
    expect(index.has('team-a/one')).toBe(false);
    expect(index.controlPlanesFor(secret)).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('knows a control plane that read nothing but itself', () => {
    const index = new DependencyIndex();
    expect(index.has('team-a/one')).toBe(false);
    index.record('team-a/one', [], { replace: true });
    expect(index.has('team-a/one')).toBe(true);
  });

  it('keys control planes as namespace/name', () => {
    expect(controlPlaneKey('team-a', 'cp')).toBe('team-a/cp');
    expect(parseControlPlaneKey('team-a/cp')).toEqual({ namespace: 'team-a', name: 'cp' });
  });
});
