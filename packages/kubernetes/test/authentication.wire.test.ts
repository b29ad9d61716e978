// What client-node's authentication gives one request serves the requests of the next second
// (AUTHENTICATION_REUSE_MS): fewer authentications at a cold start's pace, while a changed
// kubeconfig, a refused credential or the end of the second makes the next request authenticate
// afresh, so a rotated token is sent within a second.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { createKubernetesClient } from '../src';
import { AUTHENTICATION_REUSE_MS } from '../src/transport';
import { cpRef, kubeConfigFor } from './harness';

/** Answers with the control plane, or 401 for a name ending in `-refused`; records each Authorization header. */
const startServer = async () => {
  const authorizations: Array<string | undefined> = [];
  const server: Server = createServer((request, response) => {
    authorizations.push(request.headers.authorization);
    response.setHeader('Content-Type', 'application/json');
    if (request.url?.endsWith('-refused')) {
      response.statusCode = 401;
      response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 }));
      return;
    }
    response.end(JSON.stringify({ apiVersion: cpRef.apiVersion, kind: cpRef.kind, metadata: { name: cpRef.name, namespace: cpRef.namespace } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorizations,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

let server: Awaited<ReturnType<typeof startServer>>;
let kc: KubeConfig;
let authentications: jest.SpyInstance;
/** Added to the monotonic clock the transport reads. */
let later = 0;

beforeEach(async () => {
  server = await startServer();
  kc = kubeConfigFor(server.url);
  authentications = jest.spyOn(kc, 'applySecurityAuthentication');
  const now = performance.now.bind(performance);
  later = 0;
  jest.spyOn(performance, 'now').mockImplementation(() => now() + later);
});
afterEach(async () => {
  jest.restoreAllMocks();
  await server.stop();
});

const getAll = async (client: ReturnType<typeof createKubernetesClient>, count: number, name = cpRef.name): Promise<void> => {
  for (let k = 0; k < count; k++) await client.get({ ...cpRef, name })();
};

it('requests within a second of an authentication are sent with its credentials, without authenticating again', async () => {
  const client = createKubernetesClient(kc);
  await getAll(client, 5);
  await Promise.all(Array.from({ length: 3 }, () => client.get(cpRef)()));
  expect(authentications).toHaveBeenCalledTimes(1);
  expect(server.authorizations).toEqual(Array.from({ length: 8 }, () => 'Bearer t'));
  await client.close();
});

it('a token changed in place is sent once the second has passed', async () => {
  const client = createKubernetesClient(kc);
  await getAll(client, 1);
  (kc.getCurrentUser() as { token?: string }).token = 't2';
  await getAll(client, 1);
  later = AUTHENTICATION_REUSE_MS;
  await getAll(client, 1);
  expect(server.authorizations).toEqual(['Bearer t', 'Bearer t', 'Bearer t2']);
  expect(authentications).toHaveBeenCalledTimes(2);
  await client.close();
});

it('a kubeconfig loaded again (another user) is used by the very next request', async () => {
  const client = createKubernetesClient(kc);
  await getAll(client, 1);
  kc.loadFromOptions({ clusters: kc.getClusters(), users: [{ name: 'u', token: 'other' }], contexts: kc.getContexts(), currentContext: 'x' });
  await getAll(client, 1);
  expect(server.authorizations).toEqual(['Bearer t', 'Bearer other']);
  await client.close();
});

it('a 401 makes the next request authenticate afresh', async () => {
  const client = createKubernetesClient(kc);
  await getAll(client, 1);
  const refused = await client.get({ ...cpRef, name: 'eks-refused' })();
  expect(E.isLeft(refused) && refused.left.code).toBe(401);
  await getAll(client, 2);
  expect(authentications).toHaveBeenCalledTimes(2);
  await client.close();
});

it('after close(), the next request authenticates afresh (its connections are new)', async () => {
  const client = createKubernetesClient(kc);
  await getAll(client, 1);
  await client.close();
  expect(E.isRight(await client.get(cpRef)())).toBe(true);
  expect(authentications).toHaveBeenCalledTimes(2);
  await client.close();
});
