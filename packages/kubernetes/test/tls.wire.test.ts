// Over TLS, the kept connection verifies the server with the kubeconfig's CA and presents its
// client certificate, as client-node's own agent would: the CA, certificate and key travel in
// one secure context made for the kept agent (connections.ts), not in its options.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import * as E from 'fp-ts/lib/Either.js';
import { KubeConfig } from '@kubernetes/client-node';
import { generate } from 'selfsigned';
import { createKubernetesClient } from '../src';
import { cpRef } from './harness';

interface Pems {
  readonly cert: string;
  readonly key: string;
}

const selfSigned = async (commonName: string): Promise<Pems> => {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return { cert: pems.cert, key: pems.private };
};

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

let serverPems: Pems;
let clientPems: Pems;
let otherPems: Pems;
let server: Server;
let url: string;
/** The client certificate's common name, per request. */
const clients: string[] = [];

beforeAll(async () => {
  [serverPems, clientPems, otherPems] = await Promise.all([selfSigned('server'), selfSigned('client'), selfSigned('other')]);
  server = createServer({ ...serverPems, requestCert: true, rejectUnauthorized: true, ca: [clientPems.cert] }, (request, response) => {
    clients.push(String((request.socket as TLSSocket).getPeerCertificate().subject?.CN));
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ apiVersion: cpRef.apiVersion, kind: cpRef.kind, metadata: { name: cpRef.name, namespace: cpRef.namespace } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

const kubeConfig = (ca: string, client: Pems): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, caData: base64(ca) }],
    users: [{ name: 'u', certData: base64(client.cert), keyData: base64(client.key) }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
};

it("verifies the server with the kubeconfig's CA and presents its client certificate, on every request of a kept connection", async () => {
  clients.length = 0;
  const client = createKubernetesClient(kubeConfig(serverPems.cert, clientPems));
  for (let k = 0; k < 3; k++) expect(E.isRight(await client.get(cpRef)())).toBe(true);
  expect(clients).toEqual(['client', 'client', 'client']);
  await client.close();
});

it('refuses a server its CA did not sign', async () => {
  const client = createKubernetesClient(kubeConfig(otherPems.cert, clientPems));
  const got = await client.get(cpRef)();
  expect(E.isLeft(got) && got.left.kind).toBe('Unavailable');
  await client.close();
});

it('a server that refuses the client certificate fails the request', async () => {
  const client = createKubernetesClient(kubeConfig(serverPems.cert, otherPems));
  expect(E.isLeft(await client.get(cpRef)())).toBe(true);
  await client.close();
});
