import { clusterSpecAt, groupOf } from '../src/kinds';

describe('groupOf', () => {
  it.each([
    ['cluster.x-k8s.io/v1beta2', 'cluster.x-k8s.io'],
    ['v1', ''],
    ['tf.m.upbound.io/v1beta1', 'tf.m.upbound.io'],
  ])('%s is in group %j', (apiVersion, group) => {
    expect(groupOf(apiVersion)).toBe(group);
  });
});

describe('clusterSpecAt: the unset endpoint as each Cluster API version spells it', () => {
  const v1beta1 = 'cluster.x-k8s.io/v1beta1';
  const v1beta2 = 'cluster.x-k8s.io/v1beta2';
  const network = { pods: { cidrBlocks: ['192.168.0.0/16'] } };

  it('v1beta1 {host: "", port: 0} is absent at v1beta2, the rest kept', () => {
    expect(clusterSpecAt({ clusterNetwork: network, controlPlaneEndpoint: { host: '', port: 0 } }, v1beta2)).toEqual({ clusterNetwork: network });
  });

  it('absent or partly set at v1beta2 is filled in at v1beta1', () => {
    expect(clusterSpecAt({ clusterNetwork: network }, v1beta1)).toEqual({ clusterNetwork: network, controlPlaneEndpoint: { host: '', port: 0 } });
    expect(clusterSpecAt({ controlPlaneEndpoint: { host: 'api.example.com' } }, v1beta1)).toEqual({ controlPlaneEndpoint: { host: 'api.example.com', port: 0 } });
  });

  it('a set endpoint, or a spec already in the version asked, is the same object', () => {
    const set = { controlPlaneEndpoint: { host: 'api.example.com', port: 443 } };
    expect(clusterSpecAt(set, v1beta1)).toBe(set);
    expect(clusterSpecAt(set, v1beta2)).toBe(set);
    const absent = { clusterNetwork: network };
    expect(clusterSpecAt(absent, v1beta2)).toBe(absent);
    expect(clusterSpecAt(absent, 'cluster.x-k8s.io/v1alpha4')).toBe(absent);
  });

  it('does not change the spec it is given', () => {
    const spec = Object.freeze({ controlPlaneEndpoint: Object.freeze({ host: '', port: 0 }) });
    expect(() => clusterSpecAt(spec, v1beta2)).not.toThrow();
    expect(spec.controlPlaneEndpoint).toEqual({ host: '', port: 0 });
  });
});
