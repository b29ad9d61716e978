// Shared by the wire tests: objects of one CAPT cluster, a fake API server holding them with a
// KubeConfig pointing at it, and the RBAC check every wire test file runs on its traffic.
import { readFileSync } from 'node:fs';
import { KubeConfig, loadAllYaml } from '@kubernetes/client-node';
import type { KubeObject } from '@capt-endpoint/core';
import { captEndpointCrds, startFakeApiServer, type FakeApiServer, type FakeApiServerOptions, type RecordedRequest } from '@capt-endpoint/testing';

export const NS = 'clusters';

export const cpRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: NS, name: 'eks-a' } as const;
export const clusterRef = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: NS, name: 'eks-a' } as const;
export const applyRef = { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'WorkspaceTemplateApply', namespace: NS, name: 'eks-a-apply' } as const;
export const workspaceRef = { apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: 'eks-a-ws' } as const;
export const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'eks-a-conn' } as const;

export const SECRET_VALUE = 'dG9wLXNlY3JldC10b2tlbg==';
export const EKS_URL = 'https://0123456789abcdef.gr7.eu-west-1.eks.amazonaws.com';

export const controlPlane = (endpoint?: { host: string; port: number }): KubeObject => ({
  apiVersion: cpRef.apiVersion,
  kind: cpRef.kind,
  metadata: {
    name: cpRef.name,
    namespace: NS,
    uid: 'cp-uid',
    ownerReferences: [{ apiVersion: clusterRef.apiVersion, kind: 'Cluster', name: clusterRef.name, uid: 'cluster-uid', controller: false }],
  },
  spec: {
    version: '1.31',
    workspaceTemplateRef: { name: 'eks-controlplane-template' },
    workspaceTemplateApplyName: applyRef.name,
    ...(endpoint ? { controlPlaneEndpoint: endpoint } : {}),
  },
});

export const cluster = (endpoint?: { host: string; port: number }): KubeObject => ({
  apiVersion: clusterRef.apiVersion,
  kind: 'Cluster',
  metadata: { name: clusterRef.name, namespace: NS, uid: 'cluster-uid' },
  spec: endpoint ? { controlPlaneEndpoint: endpoint } : {},
});

export const workspaceApply = (): KubeObject => ({
  apiVersion: applyRef.apiVersion,
  kind: applyRef.kind,
  metadata: { name: applyRef.name, namespace: NS },
  status: { workspaceName: workspaceRef.name },
});

export const workspace = (outputs: Record<string, unknown> = { cluster_endpoint: EKS_URL }): KubeObject => ({
  apiVersion: workspaceRef.apiVersion,
  kind: 'Workspace',
  metadata: { name: workspaceRef.name },
  spec: { forProvider: { source: 'Remote', module: 'git::https://example.com/eks.git' }, writeConnectionSecretToRef: { name: secretRef.name, namespace: NS } },
  status: { atProvider: { outputs }, conditions: [{ type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2026-11-26T00:00:00Z' }] },
});

export const secret = (data: Record<string, string> = { kubeconfig: SECRET_VALUE }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: secretRef.name, namespace: NS },
  type: 'connection.crossplane.io/v1alpha1',
  data,
});

export const allObjects = (): KubeObject[] => [controlPlane(), cluster(), workspaceApply(), workspace(), secret()];

export interface Wire {
  readonly server: FakeApiServer;
  readonly kc: KubeConfig;
}

/** The fake API server holding `allObjects()`, with the real kinds' schemas unless the options bring their own store. */
export const startWire = async (options: FakeApiServerOptions = {}): Promise<Wire> => {
  const server = await startFakeApiServer({ objects: allObjects(), ...(options.store ? {} : { crds: captEndpointCrds }), ...options });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeConfigYaml());
  return { server, kc };
};

/** A kubeconfig for a plain-http server of a test's own, with a token user. */
export const kubeConfigFor = (server: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
};

// ---------------------------------------------------------------------------------------------
// RBAC: what a request needs, and whether rbac.yaml grants it.

export interface Needed {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
}

/** The RBAC verb, API group and resource (`plural` or `plural/subresource`) a request needs. */
export const neededFor = (request: RecordedRequest): Needed | undefined => {
  const parts = request.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [group, rest] = parts[0] === 'api' ? ['', parts.slice(2)] : parts[0] === 'apis' ? [parts[1] ?? '', parts.slice(3)] : [undefined, []];
  if (group === undefined) return undefined;
  const [plural, name, subresource] = rest[0] === 'namespaces' ? rest.slice(2) : rest;
  if (plural === undefined) return undefined;
  const collection = name === undefined;
  const verb =
    request.method === 'GET'
      ? collection
        ? request.query['watch'] === 'true' || request.query['watch'] === '1'
          ? 'watch'
          : 'list'
        : 'get'
      : ({ PATCH: 'patch', POST: 'create', PUT: 'update', DELETE: 'delete' } as Record<string, string>)[request.method] ?? request.method.toLowerCase();
  return { verb, group, resource: subresource ? `${plural}/${subresource}` : plural };
};

interface Rule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs: string[];
}

export const rbacRules = (): Rule[] => {
  const documents = loadAllYaml(readFileSync(`${__dirname}/../rbac.yaml`, 'utf8')) as Array<{ kind?: string; rules?: Rule[] }>;
  return documents.filter((d) => d.kind === 'ClusterRole').flatMap((d) => d.rules ?? []);
};

export const allows = (rules: readonly Rule[], needed: Needed): boolean =>
  rules.some(
    (rule) =>
      (rule.apiGroups ?? []).some((g) => g === needed.group || g === '*') &&
      (rule.resources ?? []).some((r) => r === needed.resource || r === '*') &&
      rule.verbs.some((v) => v === needed.verb || v === '*'),
  );

/** What the opt-in Secret cache needs beyond rbac.yaml, in each namespace it caches (a Role there). */
export const SECRET_CACHE_RULES: readonly Rule[] = [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] }];

const namespaceOfPath = (path: string): string | undefined => {
  const parts = path.split('/').filter(Boolean);
  const at = parts.indexOf('namespaces');
  return at >= 0 && at <= 3 ? decodeURIComponent(parts[at + 1] ?? '') : undefined;
};

/**
 * The requests (as `VERB group/resource path`) that rbac.yaml does not allow, with
 * SECRET_CACHE_RULES granted in `secretCacheNamespaces` (none by default).
 */
export const deniedRequests = (requests: readonly RecordedRequest[], secretCacheNamespaces: readonly string[] = []): string[] => {
  const rules = rbacRules();
  return requests.flatMap((request) => {
    const needed = neededFor(request);
    const namespace = namespaceOfPath(request.path);
    const allowed = needed !== undefined && (allows(rules, needed) || (namespace !== undefined && secretCacheNamespaces.includes(namespace) && allows(SECRET_CACHE_RULES, needed)));
    return allowed ? [] : [`${needed?.verb ?? request.method} ${needed?.group ?? '?'}/${needed?.resource ?? '?'} ${request.path}`];
  });
};

/**
 * A fresh server for each test of the calling file; after each, it is closed and its traffic
 * checked against rbac.yaml. Returns the accessor for the current one.
 */
export const wirePerTest = (options?: FakeApiServerOptions): (() => Wire) => {
  let current: Wire | undefined;
  beforeEach(async () => {
    current = await startWire(options);
  });
  afterEach(async () => {
    await current!.server.close();
    expect(deniedRequests(current!.server.requests)).toEqual([]);
  });
  return () => current!;
};

/** Resolves once `condition` holds, checking every 10 ms; throws after `ms` (5 s) without it. */
export const waitFor = async (what: string, condition: () => boolean, ms = 5_000): Promise<void> => {
  for (let i = 0; i * 10 < ms && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};
