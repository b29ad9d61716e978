// Nothing a server says is trusted to be clean: a server that echoes the request's Authorization
// header in its error bodies (the hostile server's echoAuthorization) gets its words through to
// an ApiError only with the credentials in use replaced by ***, through the real client-node,
// for a failed request and for a watch's ERROR event.
import * as E from 'fp-ts/lib/Either.js';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiError } from '@capt-endpoint/core';
import { startHostileApiServer, type HostileApiServer, type HostileEcho } from '@capt-endpoint/testing';
import { scrubberOf } from '../src/apiErrors';
import { createCachedKubernetesClient, createKubernetesClient, type CachedKubernetesClient } from '../src';
import { cpRef, waitFor } from './harness';

const TOKEN = 'hostile-token';

let server: HostileApiServer | undefined;
let cache: CachedKubernetesClient | undefined;
afterEach(async () => {
  await cache?.stop();
  cache = undefined;
  await server?.close();
  server = undefined;
});

const kubeConfigOf = (yaml: string, user?: { readonly username: string; readonly password: string }): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  if (user === undefined) return kc;
  kc.loadFromOptions({ ...kc, users: [{ name: 'hostile', ...user }], currentContext: kc.getCurrentContext() });
  return kc;
};

const startEcho = async (echoAuthorization: HostileEcho) => {
  server = await startHostileApiServer({ echoAuthorization, list: 'empty', maxStreamMs: 10_000 });
  return server;
};

describe('a failed response that echoes the Authorization header', () => {
  it('a bearer token: the error keeps the server message, with the token and the header value as ***', async () => {
    const hostile = await startEcho('everyRequest');
    const result = await createKubernetesClient(kubeConfigOf(hostile.kubeConfigYaml())).get(cpRef)();
    const error = E.isLeft(result) ? result.left : undefined;
    expect(error).toMatchObject({ kind: 'Forbidden', code: 401 });
    expect(error?.message).toContain('Unauthorized: the credentials "***" in "Authorization: ***" were not accepted');
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('basic credentials: neither the base64 value, nor the password, nor user:password comes through', async () => {
    const hostile = await startEcho('everyRequest');
    const kc = kubeConfigOf(hostile.kubeConfigYaml(), { username: 'admin', password: 'correct-horse-battery' });
    const result = await createKubernetesClient(kc).get(cpRef)();
    const text = JSON.stringify(E.isLeft(result) ? result.left : undefined);
    expect(text).toContain('Unauthorized');
    for (const secret of ['correct-horse-battery', btoa('admin:correct-horse-battery')]) expect(text).not.toContain(secret);
  });
});

describe("a watch's ERROR event that echoes the Authorization header", () => {
  it('reaches onError scrubbed, on every retry', async () => {
    const hostile = await startEcho('watchEvents');
    const told: ApiError[] = [];
    cache = createCachedKubernetesClient(kubeConfigOf(hostile.kubeConfigYaml()), {
      kinds: [{ apiVersion: cpRef.apiVersion, kind: cpRef.kind }],
      backoff: { initialMs: 20, maxMs: 100 },
      onError: (error) => told.push(error),
    });
    await waitFor('two failed watches', () => told.length >= 2);
    expect(told[0]?.message).toContain('Authorization: ***');
    expect(JSON.stringify(told)).not.toContain(TOKEN);
  });
});

describe('scrubberOf', () => {
  const scrub = scrubberOf(['s3cr3t-token-value', 'tok', undefined]);

  it('replaces each credential wherever it is, and any Bearer or Basic value', () => {
    expect(scrub('bad token s3cr3t-token-value (x-s3cr3t-token-value)')).toBe('bad token *** (x-***)');
    expect(scrub('Authorization: bearer abc.def-ghi; basic dXNlcjpwdw==')).toBe('Authorization: bearer ***; basic ***');
    expect(scrub('"Bearer\teyJhbGciOi"')).toBe('"Bearer\t***"');
  });

  it('leaves short values and ordinary words alone', () => {
    expect(scrub('the token was refused')).toBe('the token was refused');
    expect(scrub('a Basic misunderstanding')).toBe('a Basic ***');
  });
});
