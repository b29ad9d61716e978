// createKubernetesClient driving the real client-node over real HTTP against the fake API
// server: what goes on the wire, and how every kind of failure comes back.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiError } from '@capt-endpoint/core';
import { KNOWN_RESOURCES } from '@capt-endpoint/core/adapter';
import { startFakeApiServer } from '@capt-endpoint/testing';
import { createKubernetesClient, kubeConfigProblem } from '../src';
import { SECRET_VALUE, clusterRef, cpRef, kubeConfigFor, secretRef, workspaceRef, wirePerTest, type Wire } from './harness';

const current = wirePerTest();
let wire: Wire;
beforeEach(() => {
  wire = current();
});

const leftOf = <A>(result: E.Either<ApiError, A>): ApiError => {
  if (E.isRight(result)) throw new Error('expected an ApiError');
  return result.left;
};

describe('requests on the wire', () => {
  it('get: one GET at the object path, no body', async () => {
    const client = createKubernetesClient(wire.kc);
    const result = await client.get(cpRef)();
    expect(E.isRight(result) && result.right?.metadata.name).toBe('eks-a');
    expect(wire.server.requests).toEqual([{ method: 'GET', path: '/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/clusters/captcontrolplanes/eks-a', query: {} }]);
  });

  it('get of a Secret and of a cluster-scoped Workspace: core-group and cluster paths', async () => {
    const client = createKubernetesClient(wire.kc);
    const fetched = await client.get(secretRef)();
    expect(E.isRight(fetched) && fetched.right?.['data']).toEqual({ kubeconfig: SECRET_VALUE });
    await client.get(workspaceRef)();
    expect(wire.server.requests.map((r) => r.path)).toEqual(['/api/v1/namespaces/clusters/secrets/eks-a-conn', '/apis/tf.upbound.io/v1beta1/workspaces/eks-a-ws']);
  });

  it('get of a missing object is Right(undefined)', async () => {
    const client = createKubernetesClient(wire.kc);
    expect(await client.get({ ...cpRef, name: 'missing' })()).toEqual(E.right(undefined));
  });

  it('patch: merge patch content type, fieldManager query, the patch as body; returns the stored object', async () => {
    const client = createKubernetesClient(wire.kc);
    const patch = { spec: { controlPlaneEndpoint: { host: 'a.example', port: 443 } } };
    const result = await client.patch(cpRef, patch)();
    expect(E.isRight(result) && result.right.spec).toMatchObject(patch.spec);
    expect(E.isRight(result) && Number(result.right.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(wire.server.requests).toEqual([
      {
        method: 'PATCH',
        path: '/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/clusters/captcontrolplanes/eks-a',
        query: { fieldManager: 'capt-endpoint' },
        fieldManager: 'capt-endpoint',
        contentType: 'application/merge-patch+json',
        body: patch,
      },
    ]);
  });

  it('patchStatus: the /status subresource; the fieldManager option and the per-call override', async () => {
    const client = createKubernetesClient(wire.kc, { fieldManager: 'my-controller' });
    const status = { status: { conditions: [{ type: 'EndpointReady', status: 'True', reason: 'EndpointSet', message: '', lastTransitionTime: '2026-11-26T00:00:00Z' }] } };
    const result = await client.patchStatus(cpRef, status)();
    expect(E.isRight(result) && result.right['status']).toEqual({ ...status.status, secretsReady: false }); // the CRD's default
    await client.patch(clusterRef, { spec: { paused: false } }, { fieldManager: 'per-call' })();
    expect(wire.server.requests.map((r) => [r.method, r.path, r.fieldManager, r.contentType])).toEqual([
      ['PATCH', '/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/clusters/captcontrolplanes/eks-a/status', 'my-controller', 'application/merge-patch+json'],
      ['PATCH', '/apis/cluster.x-k8s.io/v1beta1/namespaces/clusters/clusters/eks-a', 'per-call', 'application/merge-patch+json'],
    ]);
  });

  it('a status in a main-resource patch is ignored by the server, as the port says', async () => {
    const client = createKubernetesClient(wire.kc);
    const result = await client.patch(cpRef, { status: { x: 1 } })();
    expect(E.isRight(result) && result.right['status']).toBeUndefined();
  });

  it('an unknown kind is a typed error and sends nothing; a registered one works', async () => {
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' };
    expect(leftOf(await createKubernetesClient(wire.kc).get(unknown)())).toMatchObject({ kind: 'Invalid', retryable: false });
    expect(wire.server.requests).toHaveLength(0);
    const client = createKubernetesClient(wire.kc, { resources: [{ group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: false }] });
    // The server serves nothing of example.com/v1: a 404 for the type, not for the object.
    expect(leftOf(await client.patch(unknown, { spec: {} })())).toMatchObject({
      kind: 'NotServed',
      code: 404,
      message: 'the API server does not serve widgets.example.com at example.com/v1: HTTP 404 Not Found (no Status in the response)',
    });
    expect(wire.server.requests.map((r) => r.path)).toEqual(['/apis/example.com/v1/widgets/w']);
    wire.server.requests.length = 0; // not a kind the adapter needs RBAC for
  });

  it('a resource type the server does not serve is NotServed, remembered for notServedMemoryMs; a missing object is Right(undefined)', async () => {
    const v1beta1 = { ...clusterRef, apiVersion: 'cluster.x-k8s.io/v1beta1' };
    const served = (apiVersion: string) => !apiVersion.endsWith('v1beta1');
    const resources = KNOWN_RESOURCES.filter((r) => r.kind !== 'Cluster' || served(r.version));
    const server = await startFakeApiServer({ objects: [], resources });
    try {
      const kc = kubeConfigFor(server.url);
      const remembering = createKubernetesClient(kc);
      for (let i = 0; i < 3; i++) expect(leftOf(await remembering.get(v1beta1)())).toMatchObject({ kind: 'NotServed', code: 404, retryable: false });
      expect(leftOf(await remembering.patch(v1beta1, { spec: {} })())).toMatchObject({ kind: 'NotServed' });
      // One request: the answer is remembered per apiVersion and kind, for gets and patches alike.
      expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /apis/cluster.x-k8s.io/v1beta1/namespaces/${clusterRef.namespace}/clusters/${clusterRef.name}`]);
      expect(await remembering.get({ ...clusterRef, apiVersion: 'cluster.x-k8s.io/v1beta2', name: 'gone' })()).toEqual(E.right(undefined));
      expect(server.requests).toHaveLength(2);

      server.requests.length = 0;
      const asking = createKubernetesClient(kc, { notServedMemoryMs: 0 });
      for (let i = 0; i < 3; i++) expect(leftOf(await asking.get(v1beta1)())).toMatchObject({ kind: 'NotServed' });
      expect(server.requests).toHaveLength(3);

      server.requests.length = 0;
      const brief = createKubernetesClient(kc, { notServedMemoryMs: 20 });
      await brief.get(v1beta1)();
      await brief.get(v1beta1)();
      expect(server.requests).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 40));
      await brief.get(v1beta1)();
      expect(server.requests).toHaveLength(2);
      expect(() => createKubernetesClient(kc, { notServedMemoryMs: -1 })).toThrow(RangeError);
    } finally {
      await server.close();
    }
  });
});

describe('errors as data', () => {
  it('404 on a patch: NotFound with the Status reason and message', async () => {
    const error = leftOf(await createKubernetesClient(wire.kc).patch({ ...cpRef, name: 'missing' }, { spec: {} })());
    expect(error).toMatchObject({ _tag: 'ApiError', kind: 'NotFound', code: 404, statusReason: 'NotFound' });
    expect(error.message).toContain('missing');
  });

  it('409 from a stale resourceVersion: Conflict', async () => {
    const client = createKubernetesClient(wire.kc);
    const before = await client.get(cpRef)();
    const seen = E.isRight(before) ? before.right?.metadata.resourceVersion : undefined;
    expect(E.isRight(await client.patch(cpRef, { spec: { version: '1.32' } })())).toBe(true);
    const error = leftOf(await client.patch(cpRef, { metadata: { resourceVersion: seen }, spec: { version: '1.33' } })());
    expect(error).toMatchObject({ kind: 'Conflict', code: 409, statusReason: 'Conflict', retryable: true });
  });

  it.each([
    [422, 'Invalid', 'Invalid', false],
    [400, 'Invalid', 'BadRequest', false],
    [403, 'Forbidden', 'Forbidden', false],
    [415, 'Other', 'UnsupportedMediaType', true],
    [429, 'Unavailable', 'TooManyRequests', true],
    [500, 'Unavailable', 'InternalError', true],
    [503, 'Unavailable', 'ServiceUnavailable', true],
  ])('HTTP %i: %s', async (code, kind, _reason, retryable) => {
    wire.server.inject(() => ({ code, message: `injected ${code}` }));
    const error = leftOf(await createKubernetesClient(wire.kc).patch(cpRef, { spec: {} })());
    expect(error).toMatchObject({ kind, code, message: `injected ${code}`, retryable });
  });

  it('a Secret read failing never carries the Secret: only the Status message', async () => {
    wire.server.inject((r) => (r.path.includes('/secrets/') ? { code: 500, message: 'etcdserver: request timed out' } : undefined));
    const error = leftOf(await createKubernetesClient(wire.kc).get(secretRef)());
    expect(error).toMatchObject({ kind: 'Unavailable', message: 'etcdserver: request timed out' });
    expect(JSON.stringify(error)).not.toContain(SECRET_VALUE);
  });
});

describe('connections that fail', () => {
  const listen = async (server: Server): Promise<string> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const close = (server: Server): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  it('a refused connection: Unavailable', async () => {
    const server = createServer();
    const url = await listen(server);
    await close(server);
    const error = leftOf(await createKubernetesClient(kubeConfigFor(url)).get(cpRef)());
    expect(error).toMatchObject({ kind: 'Unavailable', code: undefined, retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  describe('a server that never answers', () => {
    let silent: Server;
    let url: string;
    beforeEach(async () => {
      silent = createServer(() => undefined);
      url = await listen(silent);
    });
    afterEach(() => close(silent));

    it('times out after timeoutMs: Timeout', async () => {
      const error = leftOf(await createKubernetesClient(kubeConfigFor(url), { timeoutMs: 200 }).get(cpRef)());
      expect(error).toMatchObject({ kind: 'Timeout', message: 'the request timed out after 200 ms', retryable: true });
    });

    it('an abort ends the request: Timeout kind, says aborted', async () => {
      const controller = new AbortController();
      const pending = createKubernetesClient(kubeConfigFor(url), { timeoutMs: 60_000 }).patch(cpRef, { spec: {} }, { signal: controller.signal })();
      setTimeout(() => controller.abort(), 50);
      expect(leftOf(await pending)).toMatchObject({ kind: 'Timeout', message: 'the request was aborted' });
    });

    it('an already aborted signal sends nothing', async () => {
      let received = 0;
      silent.on('request', () => received++);
      const error = leftOf(await createKubernetesClient(kubeConfigFor(url)).get(cpRef, { signal: AbortSignal.abort() })());
      expect(error.message).toBe('the request was aborted');
      expect(received).toBe(0);
    });
  });

  /** A user whose exec credential plugin does not exist. */
  const missingPluginKubeConfig = (server: string): KubeConfig => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server, skipTLSVerify: true }],
      users: [{ name: 'u', exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/nonexistent/credential-plugin', args: [] } }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return kc;
  };

  it('credentials that cannot be obtained: an error that quotes nothing, nothing sent', async () => {
    const error = leftOf(await createKubernetesClient(missingPluginKubeConfig(wire.server.url)).get(cpRef)());
    expect(error).toMatchObject({ kind: 'Other' });
    expect(error.message).toMatch(/^the kubeconfig's credentials could not be applied \(\w+\)$/);
    expect(wire.server.requests).toHaveLength(0);
  });

  it('a user without an exec plugin never enters the AsyncLocalStorage (which would put hooks on every promise of the process); one with a plugin does', async () => {
    const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
    try {
      expect(E.isRight(await createKubernetesClient(kubeConfigFor(wire.server.url)).get(cpRef)())).toBe(true);
      expect(run).not.toHaveBeenCalled();
      await createKubernetesClient(missingPluginKubeConfig(wire.server.url)).get(cpRef)();
      expect(run).toHaveBeenCalled();
    } finally {
      run.mockRestore();
    }
  });

  it('plain http without insecure-skip-tls-verify: a clear error, nothing sent', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: wire.server.url }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const error = leftOf(await createKubernetesClient(kc).get(cpRef)());
    expect(error.message).toContain('insecure-skip-tls-verify');
    expect(error).toMatchObject({ kind: 'KubeConfig', reason: 'ApiKubeConfig', retryable: false });
    expect(wire.server.requests).toHaveLength(0);
  });

  it("no kubeconfig at all (client-node's stand-in, http://localhost:8080): its own error, not retryable, nothing sent", async () => {
    const kc = new KubeConfig();
    // What loadFromDefault() loads when it finds no KUBECONFIG, no ~/.kube/config and no service account.
    kc.loadFromClusterAndUser({ name: 'cluster', server: 'http://localhost:8080', skipTLSVerify: false }, { name: 'user' });
    const error = leftOf(await createKubernetesClient(kc).get(cpRef)());
    expect(error).toMatchObject({ kind: 'KubeConfig', retryable: false });
    expect(error.message).toMatch(/^no kubeconfig was found/);
    expect(kubeConfigProblem(kc)).toEqual(error);
    expect(wire.server.requests).toHaveLength(0);
  });
});
