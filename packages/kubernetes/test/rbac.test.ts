// rbac.yaml: it parses with client-node's YAML loader, grants exactly the least privilege
// the adapter needs, and the matcher the wire tests use to check every request is right.
// (Each wire test file checks its own traffic against the role in afterEach.)
import { allows, neededFor, rbacRules } from './harness';

const request = (method: string, path: string, query: Record<string, string> = {}) => ({ method, path, query });

describe('rbac.yaml', () => {
  it('grants exactly what the adapter needs, nothing more', () => {
    const grants = rbacRules()
      .flatMap((rule) => (rule.apiGroups ?? []).flatMap((g) => (rule.resources ?? []).flatMap((r) => rule.verbs.map((v) => `${v} ${g}/${r}`))))
      .sort();
    expect(grants).toEqual(
      [
        ...['get', 'list', 'watch', 'patch'].map((v) => `${v} controlplane.cluster.x-k8s.io/captcontrolplanes`),
        'patch controlplane.cluster.x-k8s.io/captcontrolplanes/status',
        ...['get', 'list', 'watch'].map((v) => `${v} infrastructure.cluster.x-k8s.io/workspacetemplateapplies`),
        ...['get', 'list', 'watch'].map((v) => `${v} tf.upbound.io/workspaces`),
        ...['get', 'list', 'watch'].map((v) => `${v} tf.m.upbound.io/workspaces`),
        ...['get', 'list', 'watch', 'patch'].map((v) => `${v} cluster.x-k8s.io/clusters`),
        'get /secrets',
        'create /events',
        'patch /events',
      ].sort(),
    );
  });
});

describe('request to RBAC attributes', () => {
  it.each([
    [request('GET', '/api/v1/namespaces/a/secrets/s'), { verb: 'get', group: '', resource: 'secrets' }],
    [request('GET', '/api/v1/secrets'), { verb: 'list', group: '', resource: 'secrets' }],
    [request('GET', '/api/v1/secrets', { limit: '500', continue: 'token' }), { verb: 'list', group: '', resource: 'secrets' }],
    [request('GET', '/api/v1/secrets', { watch: 'true' }), { verb: 'watch', group: '', resource: 'secrets' }],
    [request('GET', '/apis/tf.upbound.io/v1beta1/workspaces/w'), { verb: 'get', group: 'tf.upbound.io', resource: 'workspaces' }],
    [request('PATCH', '/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/a/captcontrolplanes/c/status'), { verb: 'patch', group: 'controlplane.cluster.x-k8s.io', resource: 'captcontrolplanes/status' }],
    [request('POST', '/api/v1/namespaces/a/events'), { verb: 'create', group: '', resource: 'events' }],
    [request('DELETE', '/api/v1/namespaces/a/secrets/s'), { verb: 'delete', group: '', resource: 'secrets' }],
  ])('%j needs %j', (req, needed) => expect(neededFor(req)).toEqual(needed));

  it('denies what the adapter never does', () => {
    const rules = rbacRules();
    for (const denied of [
      request('PATCH', '/api/v1/namespaces/a/secrets/s'),
      // No list or watch of Secrets, in one namespace or all of them: one GET each, by name.
      request('GET', '/api/v1/secrets'),
      request('GET', '/api/v1/secrets', { watch: 'true' }),
      request('GET', '/api/v1/namespaces/a/secrets'),
      request('GET', '/api/v1/namespaces/a/secrets', { watch: 'true' }),
      request('DELETE', '/apis/cluster.x-k8s.io/v1beta1/namespaces/a/clusters/c'),
      request('PATCH', '/apis/cluster.x-k8s.io/v1beta1/namespaces/a/clusters/c/status'),
      request('PATCH', '/apis/tf.upbound.io/v1beta1/workspaces/w'),
      request('GET', '/api/v1/namespaces/a/events'),
      request('GET', '/api/v1/namespaces/a/configmaps/x'),
    ]) {
      expect(allows(rules, neededFor(denied)!)).toBe(false);
    }
    expect(allows(rules, neededFor(request('PATCH', '/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/a/captcontrolplanes/c/status'))!)).toBe(true);
  });
});
