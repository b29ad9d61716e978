// reconcileEndpoint under hostile inputs: objects of the wrong shape, callers without the types,
// clients that break their contract, and connection Secrets whose values carry credentials. It
// always resolves to a typed Left or an outcome, and no Secret value reaches the result, the
// log, the condition or anything written.
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { DEFAULT_CONDITION_TYPE, isEndpointError, reconcileEndpoint, type ClusterClient, type Logger, type ObjectRef } from '@capt-endpoint/core';
import { createFakeClient, type FakeClient } from '../src';
import { b64, cluster, controlPlane, secret, workspace, workspaceApply } from '../../core/test/fixtures';

const target = { namespace: 'team-a', name: 'demo-cp' };
const CP: ObjectRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo-cp' };
const complete = (outputs: Record<string, unknown> = { cluster_endpoint: 'api.example.com' }): FakeClient =>
  createFakeClient([controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ outputs })]);

const leftOf = async (run: Promise<E.Either<unknown, unknown>>) => {
  const result = await run;
  if (E.isRight(result)) throw new Error('expected a Left');
  expect(isEndpointError(result.left)).toBe(true);
  return result.left as { _tag: string; reason: string; message: string; error?: { _tag: string } };
};

describe('reconcileEndpoint never rejects', () => {
  it.each([
    ['a null target', null, {}],
    ['an undefined target', undefined, {}],
    ['a string target', 'team-a/demo-cp', {}],
  ])('%s is an InvalidOptions Left', async (_, badTarget, options) => {
    const left = await leftOf(reconcileEndpoint(complete(), badTarget as never, options)());
    expect(left).toMatchObject({ _tag: 'InvalidOptions', reason: 'InvalidOptions' });
  });

  it('null options are the defaults', async () => {
    const result = await reconcileEndpoint(complete(), target, null as never)();
    expect(E.isRight(result) && result.right._tag).toBe('Updated');
  });

  it('a held WorkspaceTemplateApply without metadata is fetched instead', async () => {
    const fake = complete();
    const result = await reconcileEndpoint(fake, { controlPlane: fake.object(CP)!, workspaceApply: {} as never })();
    expect(E.isRight(result) && result.right._tag).toBe('Updated');
    expect(fake.count('get', { kind: 'WorkspaceTemplateApply' })).toBe(1);
  });

  it.each([
    ['a held control plane without metadata', { controlPlane: {} }],
    ['a held control plane with null metadata', { controlPlane: { metadata: null } }],
    ['a held Cluster that is a string', { controlPlane: controlPlane(), cluster: 'demo' }],
  ])('%s is an ObjectDecodeError', async (_, held) => {
    const left = await leftOf(reconcileEndpoint(complete(), held as never)());
    expect(left._tag).toBe('ObjectDecodeError');
  });

  it.each([1, -1, true, false, [], ['https://api.example.com'], {}, { host: 1 }, { host: 'api.example.com', port: {} }, 'x'.repeat(5000)])(
    'a Workspace output of %p is an InvalidEndpointValue',
    async (output) => {
      const left = await leftOf(reconcileEndpoint(complete({ cluster_endpoint: output }), target)());
      expect(left._tag).toBe('InvalidEndpointValue');
    },
  );

  it('a null output is waiting, not an error', async () => {
    const result = await reconcileEndpoint(complete({ cluster_endpoint: null }), target)();
    expect(E.isRight(result) && result.right._tag).toBe('Waiting');
  });

  const failing = (get: ClusterClient['get']): ClusterClient => ({ get, patch: () => TE.left(null as never), patchStatus: () => TE.left(null as never) });
  it.each([
    ['throws', failing(() => { throw new Error('boom'); })],
    ['rejects', failing(() => () => Promise.reject(new Error('boom')))],
    ['returns a Left string', failing(() => TE.left('boom' as never))],
    ['returns a Left null', failing(() => TE.left(null as never))],
    ['returns a Left plain object', failing(() => TE.left({ message: 'boom' } as never))],
  ])('a client that %s gives a typed RequestFailed with an ApiError', async (_, client) => {
    const left = await leftOf(reconcileEndpoint(client, target)());
    expect(left).toMatchObject({ _tag: 'RequestFailed', reason: 'ApiOther', error: { _tag: 'ApiError', kind: 'Other' } });
    expect(left.message).not.toContain('undefined');
  });

  it('a logger that throws does not make it reject', async () => {
    const throwing = () => {
      throw new Error('logger down');
    };
    const logger: Logger = { debug: throwing, info: throwing, warn: throwing, error: throwing };
    const left = await leftOf(reconcileEndpoint(complete(), target, { logger })());
    expect(left._tag).toBe('RequestFailed');
  });
});

describe('Secret values never leak', () => {
  const TOKEN = 's3cr3tT0KEN';
  const hostile: Array<[string, string]> = [
    ['a token in userinfo', b64(`https://admin:${TOKEN}@api.example.com`)],
    ['a token in the path', b64(`https://api.example.com/${TOKEN}`)],
    ['a token in the query', b64(`https://api.example.com/?token=${TOKEN}`)],
    ['a token in the fragment', b64(`https://api.example.com#${TOKEN}`)],
    ['a token as the scheme', b64(`${TOKEN}://api.example.com`)],
    ['a token with whitespace', b64(`${TOKEN} api.example.com`)],
    ['a token as the port', b64(`api.example.com:${TOKEN}`)],
    ['a JSON object with an extra field', b64(`{"host":"api.example.com","${TOKEN}":"${TOKEN}"}`)],
    ['a JSON object whose host is a URL', b64(`{"host":"https://${TOKEN}@api.example.com"}`)],
    ['a JSON object whose port is a token', b64(`{"host":"api.example.com","port":"${TOKEN}"}`)],
    ['a JSON object whose port is an object', b64(`{"host":"api.example.com","port":{"${TOKEN}":1}}`)],
    ['a JSON array', b64(`["${TOKEN}"]`)],
    ['invalid base64', `${TOKEN}!!`],
    ['non-UTF-8 bytes', btoa(`\xff\xfe${TOKEN}`)],
    ['a long value', b64(`${TOKEN.repeat(50)}:0`)],
  ];
  it.each(hostile)('%s: not in the result, the log, the condition or any write', async (_, encoded) => {
    const connection = secret({});
    connection['data'] = { cluster_endpoint: encoded };
    const fake = createFakeClient([
      controlPlane(),
      cluster(),
      workspaceApply('demo-eks'),
      workspace({ secretRef: { name: 'demo-eks-conn', namespace: 'team-a' } }),
      connection,
    ]);
    const lines: string[] = [];
    const record = (fields: Record<string, unknown>, message: string) => lines.push(JSON.stringify(fields), message);
    const result = await reconcileEndpoint(fake, target, { logger: { debug: record, info: record, warn: record, error: record } })();
    expect(E.isLeft(result) && result.left._tag).toMatch(/^(InvalidEndpointValue|UndecodableSecretValue)$/);
    const seen = JSON.stringify([result, lines, fake.object(CP), fake.writes()]);
    expect(seen).toContain('demo-eks-conn');
    expect(seen).not.toContain(TOKEN);
    expect(seen).not.toContain(encoded);
  });
});

describe('credentials in a rejected output are never shown', () => {
  const PASSWORD = 'PASSWORD-5b1f';
  it.each([
    ['a URL with user and password', `https://admin:${PASSWORD}@api.example.com`],
    ['a URL whose password holds a slash', `https://admin:${PASSWORD}/x@api.example.com`],
    ['a bare value with user information', `admin:${PASSWORD}@api.example.com:6443`],
    ['an object whose host is a URL with user information', { host: `https://admin:${PASSWORD}@api.example.com`, port: 443 }],
    ['a long value with user information past the cut', `https://${'a'.repeat(400)}:${PASSWORD}@api.example.com`],
  ])('%s: redacted as ***@host in the result, the log, the condition and every write', async (_, output) => {
    const fake = complete({ cluster_endpoint: output });
    const lines: string[] = [];
    const record = (fields: Record<string, unknown>, message: string) => lines.push(JSON.stringify(fields), message);
    const result = await reconcileEndpoint(fake, target, { logger: { debug: record, info: record, warn: record, error: record } })();
    expect(E.isLeft(result) && result.left._tag).toBe('InvalidEndpointValue');
    const conditions = (fake.object(CP)?.['status'] as { conditions?: Array<{ type: string; message: string }> } | undefined)?.conditions;
    const condition = conditions?.find((c) => c.type === DEFAULT_CONDITION_TYPE);
    expect(condition?.message).toContain('***@api.example.com');
    const seen = JSON.stringify([result, lines, fake.object(CP), fake.writes()]);
    expect(seen).not.toContain(PASSWORD);
    expect(seen).not.toContain('admin');
  });
});
