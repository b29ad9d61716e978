// The client's connections as a server sees them: kept between requests (client-node 2.x's
// undici dispatcher; for 1.x, whose agents do not keep alive, a keep-alive agent of our own),
// replaced when the kubeconfig's connection settings change, closed by close(), and unharmed by
// a timeout.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { IsomorphicFetchHttpLibrary } from '@kubernetes/client-node';
import { createCachedKubernetesClient, createKubernetesClient } from '../src';
import { cpRef, kubeConfigFor } from './harness';

interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Answers every request with the control plane, except paths ending in `/silent`; counts connections and records requests. */
const startServer = async () => {
  const sockets: Socket[] = [];
  const closed: Socket[] = [];
  const seen: Seen[] = [];
  const server: Server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    seen.push({ method: request.method, url: request.url, headers: request.headers, body });
    if (request.url?.endsWith('/silent')) return;
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ apiVersion: cpRef.apiVersion, kind: cpRef.kind, metadata: { name: cpRef.name, namespace: cpRef.namespace } }));
  });
  server.on('connection', (socket: Socket) => {
    sockets.push(socket);
    socket.on('close', () => closed.push(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets,
    closed,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

let server: Awaited<ReturnType<typeof startServer>>;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.stop());

// undici frees a connection just after the body has been read: a request sent in the same tick
// may find it still busy and open a second one. A short pause makes the count exact.
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
};

it('sequential requests share one connection', async () => {
  const client = createKubernetesClient(kubeConfigFor(server.url));
  for (let k = 0; k < 3; k++) {
    expect(E.isRight(await client.get(cpRef)())).toBe(true);
    await pause();
  }
  expect(server.sockets).toHaveLength(1);
  await client.close();
});

it('concurrent requests reuse their connections from one round to the next', async () => {
  const client = createKubernetesClient(kubeConfigFor(server.url));
  for (let round = 0; round < 3; round++) {
    const results = await Promise.all(Array.from({ length: 4 }, () => client.get(cpRef)()));
    expect(results.every(E.isRight)).toBe(true);
    await pause();
  }
  expect(server.sockets.length).toBeLessThanOrEqual(4);
  await client.close();
});

it('close() ends the kept connection; a request afterwards still works', async () => {
  const client = createKubernetesClient(kubeConfigFor(server.url));
  await client.get(cpRef)();
  await client.close();
  await until(() => server.closed.length === server.sockets.length);
  expect(E.isRight(await client.get(cpRef)())).toBe(true);
  expect(server.sockets).toHaveLength(2);
  await client.close();
});

it("the cached client's stop() closes its connections too", async () => {
  const client = createCachedKubernetesClient(kubeConfigFor(server.url), { kinds: [] });
  await client.get(cpRef)();
  await client.stop();
  await until(() => server.closed.length === server.sockets.length);
  expect(server.closed).toHaveLength(1);
});

it('changed connection settings in the kubeconfig: a new connection, the old one closed', async () => {
  const kc = kubeConfigFor(server.url);
  const client = createKubernetesClient(kc);
  await client.get(cpRef)();
  await pause();
  await client.get(cpRef)();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: server.url, skipTLSVerify: true, tlsServerName: 'other.example' }],
    users: kc.getUsers(),
    contexts: kc.getContexts(),
    currentContext: 'x',
  });
  await client.get(cpRef)();
  expect(server.sockets).toHaveLength(2);
  await until(() => server.closed.includes(server.sockets[0]!));
  await client.close();
});

it('a request that timed out leaves the client able to send the next one', async () => {
  const client = createKubernetesClient(kubeConfigFor(server.url), { timeoutMs: 200 });
  const timedOut = await client.get({ ...cpRef, name: 'silent' })();
  expect(E.isLeft(timedOut) && timedOut.left.kind).toBe('Timeout');
  expect(E.isRight(await client.get(cpRef)())).toBe(true);
  await client.close();
});

it("sends each request whole through what client-node built for it (2.x its dispatcher, 1.x its agent; never its fetch, which reads bodies without a bound), under the server URL's path", async () => {
  const viaFetch = jest.spyOn(IsomorphicFetchHttpLibrary.prototype, 'send');
  let fetched: number;
  try {
    const client = createKubernetesClient(kubeConfigFor(`${server.url}/k8s/clusters/c-1`), { fieldManager: 'mine' });
    const patched = await client.patch(cpRef, { spec: { controlPlaneEndpoint: { host: 'h.example', port: 443 } } })();
    expect(E.isRight(patched)).toBe(true);
    await client.close();
  } finally {
    fetched = viaFetch.mock.calls.length;
    viaFetch.mockRestore();
  }
  expect(fetched).toBe(0);
  expect(server.seen).toHaveLength(1);
  const [request] = server.seen;
  expect(request).toMatchObject({
    method: 'PATCH',
    url: '/k8s/clusters/c-1/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/clusters/captcontrolplanes/eks-a?fieldManager=mine',
    headers: expect.objectContaining({
      'content-type': 'application/merge-patch+json',
      accept: 'application/json',
      authorization: 'Bearer t',
      'user-agent': 'capt-endpoint/kubernetes',
    }),
  });
  expect(JSON.parse(request!.body)).toEqual({ spec: { controlPlaneEndpoint: { host: 'h.example', port: 443 } } });
});
