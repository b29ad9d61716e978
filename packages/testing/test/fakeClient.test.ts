import * as E from 'fp-ts/lib/Either.js';
import { CAPTControlPlane, Cluster, type KubeObject } from '@capt-endpoint/core';
import { apiError } from '@capt-endpoint/core/adapter';
import { createFakeClient, type Call } from '../src';
import { controlPlane, cpRef, left, right, secret, secretRef, workspace, wsRef } from './fixtures';

describe('FakeClient as a ClusterClient', () => {
  it('gets a copy of a stored object, and Right(undefined) for a missing one', async () => {
    const fake = createFakeClient([controlPlane()]);
    const got = right(await fake.get(cpRef)());
    expect(got).toMatchObject({ kind: 'CAPTControlPlane', metadata: { name: 'cp', resourceVersion: '1' } });
    got!.metadata.labels = { changed: 'yes' };
    expect(fake.get(cpRef.apiVersion, cpRef.kind, 'default', 'cp')?.metadata.labels).toBeUndefined();
    expect(await fake.get(secretRef)()).toEqual(E.right(undefined));
  });

  it('gets a deep-frozen object for a readOnly read, so a test catches code that changes what it promised not to', async () => {
    const fake = createFakeClient([controlPlane()]);
    const got = right(await fake.get(cpRef, { readOnly: true })());
    expect(Object.isFrozen(got)).toBe(true);
    expect(Object.isFrozen(got!.metadata)).toBe(true);
    expect(() => {
      got!.metadata.labels = { changed: 'yes' };
    }).toThrow(TypeError);
    const mine = right(await fake.get(cpRef)());
    expect(Object.isFrozen(mine!.metadata)).toBe(false);
    expect(fake.calls.map((call) => call.verb)).toEqual(['get', 'get']);
  });

  it('hands read-only readers one frozen object per stored version, and a new one after a write', async () => {
    const fake = createFakeClient([controlPlane()]);
    const first = right(await fake.get(cpRef, { readOnly: true })());
    expect(right(await fake.get(cpRef, { readOnly: true })())).toBe(first);
    expect(right(await fake.get(cpRef)())).not.toBe(first);
    right(await fake.patch(cpRef, { metadata: { labels: { changed: 'yes' } } })());
    const next = right(await fake.get(cpRef, { readOnly: true })());
    expect(next).not.toBe(first);
    expect(next?.metadata.labels?.['changed']).toBe('yes');
    expect(first?.metadata.labels?.['changed']).toBeUndefined();
  });

  // The frozen object is the stored version itself: every kind of write must still make a new
  // version beside it, and leave what was handed out as it was.
  it('writes every way after a read-only read, the object handed out unchanged', async () => {
    const fake = createFakeClient([{ ...controlPlane(), metadata: { ...controlPlane().metadata, finalizers: ['keep'] }, status: { phase: 'a' } }]);
    const held = right(await fake.get(cpRef, { readOnly: true })())!;
    const before = JSON.stringify(held);
    right(await fake.patch(cpRef, { spec: { version: '1.32' } })());
    right(await fake.get(cpRef, { readOnly: true })());
    right(await fake.patchStatus(cpRef, { status: { phase: 'b' } })());
    right(await fake.get(cpRef, { readOnly: true })());
    fake.edit(cpRef, { metadata: { labels: { edited: 'yes' } } });
    right(await fake.get(cpRef, { readOnly: true })());
    fake.delete(cpRef);
    const marked = right(await fake.get(cpRef, { readOnly: true })())!;
    expect(JSON.stringify(held)).toBe(before);
    expect(marked).toMatchObject({ spec: { version: '1.32' }, status: { phase: 'b' }, metadata: { labels: { edited: 'yes' }, deletionTimestamp: expect.any(String) } });
    fake.edit(cpRef, { metadata: { finalizers: null } });
    expect(fake.object(cpRef)).toBeUndefined();
  });

  it('remembers decoding only for the frozen objects it handed out', async () => {
    const fake = createFakeClient([controlPlane()]);
    const handedOut = right(await fake.get(cpRef, { readOnly: true })())!;
    const copy = right(await fake.get(cpRef)())!;
    fake.decodeMemo.remember(CAPTControlPlane, handedOut, 'decoded');
    fake.decodeMemo.remember(CAPTControlPlane, copy, 'decoded');
    expect(fake.decodeMemo.recall(CAPTControlPlane, handedOut)).toBe('decoded');
    expect(fake.decodeMemo.recall(Cluster, handedOut)).toBeUndefined();
    expect(fake.decodeMemo.recall(CAPTControlPlane, copy)).toBeUndefined();
    expect(fake.decodeMemo.recall(CAPTControlPlane, Object.freeze({ ...handedOut }))).toBeUndefined();
  });

  it('remembers decoding for the version of an object handed out last, and forgets the one before', async () => {
    const fake = createFakeClient([controlPlane()]);
    const first = right(await fake.get(cpRef, { readOnly: true })())!;
    fake.decodeMemo.remember(CAPTControlPlane, first, 'first');
    right(await fake.patch(cpRef, { metadata: { labels: { changed: 'yes' } } })());
    const next = right(await fake.get(cpRef, { readOnly: true })())!;
    expect(right(await fake.get(cpRef, { readOnly: true })())).toBe(next);
    fake.decodeMemo.remember(CAPTControlPlane, next, 'next');
    expect(fake.decodeMemo.recall(CAPTControlPlane, first)).toBeUndefined();
    expect(fake.decodeMemo.recall(CAPTControlPlane, next)).toBe('next');
  });

  it('reports a wrong scope as an error, not as a missing object', async () => {
    const fake = createFakeClient([workspace()]);
    expect(left(await fake.get({ ...wsRef, namespace: 'default' })())).toMatchObject({ kind: 'Invalid', code: 400 });
    expect(right(await fake.get(wsRef)())).toBeDefined();
  });

  it('patches the main resource and the status subresource with the store semantics', async () => {
    const fake = createFakeClient([controlPlane()]);
    const patched = right(await fake.patch(cpRef, { spec: { controlPlaneEndpoint: { host: 'h', port: 443 } }, status: { x: 1 } })());
    expect(patched.metadata).toMatchObject({ resourceVersion: '2', generation: 2 });
    expect(patched.status).toBeUndefined();
    const statused = right(await fake.patchStatus(cpRef, { status: { ready: true } })());
    expect(statused.metadata).toMatchObject({ resourceVersion: '3', generation: 2 });
    expect(fake.get(cpRef.apiVersion, cpRef.kind, 'default', 'cp')?.status).toEqual({ ready: true });
    expect(left(await fake.patch(cpRef, { metadata: { resourceVersion: '1' }, spec: {} })())).toMatchObject({ code: 409 });
    expect(left(await fake.patch(secretRef, { data: {} })())).toMatchObject({ code: 404 });
  });

  it('answers an already-aborted request with a Timeout error without touching the store', async () => {
    const fake = createFakeClient([controlPlane()]);
    const controller = new AbortController();
    controller.abort();
    const error = left(await fake.patch(cpRef, { spec: { x: 1 } }, { signal: controller.signal })());
    expect(error).toMatchObject({ _tag: 'ApiError', kind: 'Timeout' });
    expect(fake.store.resourceVersion).toBe('1');
    expect(fake.calls).toEqual([expect.objectContaining({ verb: 'patch', error })]);
  });

  it('honours an abort during the latency and leaves the store alone', async () => {
    const fake = createFakeClient([controlPlane()], { latency: 60_000 });
    const controller = new AbortController();
    const pending = fake.patch(cpRef, { spec: { x: 1 } }, { signal: controller.signal })();
    controller.abort();
    expect(left(await pending)).toMatchObject({ kind: 'Timeout' });
    expect(fake.store.resourceVersion).toBe('1');
  });

  it('lets latency interleave two writers: the stale one meets 409', async () => {
    const fake = createFakeClient([controlPlane()], { latency: (call) => (call.fieldManager === 'slow' ? 20 : 1) });
    const slow = fake.patch(cpRef, { metadata: { resourceVersion: '1' }, spec: { by: 'slow' } }, { fieldManager: 'slow' })();
    const fast = fake.patch(cpRef, { metadata: { resourceVersion: '1' }, spec: { by: 'fast' } }, { fieldManager: 'fast' })();
    const [slowResult, fastResult] = await Promise.all([slow, fast]);
    expect(right(fastResult).spec).toMatchObject({ by: 'fast' });
    expect(left(slowResult)).toMatchObject({ code: 409 });
  });
});

describe('FakeClient call recording', () => {
  it('records every call, failed ones included, with its body and field manager', async () => {
    const fake = createFakeClient([controlPlane()]);
    await fake.get(cpRef)();
    await fake.get(secretRef)();
    await fake.patch(cpRef, { spec: { x: 1 } }, { fieldManager: 'capt-endpoint' })();
    await fake.patchStatus(secretRef, { status: {} })();
    expect(fake.calls).toEqual([
      { verb: 'get', ...cpRef },
      { verb: 'get', ...secretRef },
      { verb: 'patch', ...cpRef, body: { spec: { x: 1 } }, fieldManager: 'capt-endpoint' },
      { verb: 'patchStatus', ...secretRef, body: { status: {} }, error: expect.objectContaining({ code: 404 }) },
    ]);
    expect(fake.count()).toBe(4);
    expect(fake.count('get')).toBe(2);
    expect(fake.count('patch', { kind: 'CAPTControlPlane' })).toBe(1);
    expect(fake.writes().map((c) => c.verb)).toEqual(['patch', 'patchStatus']);
    expect(fake.writes({ kind: 'Secret' }).length).toBe(1);
    fake.resetCalls();
    expect(fake.calls).toEqual([]);
  });

  it('records a copy of the patch body', async () => {
    const fake = createFakeClient([controlPlane()]);
    const body = { spec: { x: 1 } };
    await fake.patch(cpRef, body)();
    body.spec.x = 2;
    expect(fake.calls[0]?.body).toEqual({ spec: { x: 1 } });
  });

  it('does not record setup and inspection', () => {
    const fake = createFakeClient();
    fake.add(controlPlane());
    fake.edit(cpRef, { status: { a: 1 } });
    fake.put(secret());
    fake.get('v1', 'Secret', 'default', 'conn');
    fake.object(cpRef);
    fake.delete(secretRef);
    expect(fake.calls).toEqual([]);
  });
});

describe('FakeClient failure injection', () => {
  it('fails every matching call of a verb until the rule is removed', async () => {
    const fake = createFakeClient([controlPlane(), secret()]);
    const rule = fake.failOn('get', { kind: 'Secret' }, 'Unavailable');
    expect(left(await fake.get(secretRef)())).toMatchObject({ kind: 'Unavailable', code: 503 });
    expect(left(await fake.get(secretRef)())).toMatchObject({ kind: 'Unavailable' });
    expect(right(await fake.get(cpRef)())).toBeDefined();
    expect(right(await fake.patch(secretRef, { metadata: { labels: { a: 'b' } } })())).toBeDefined();
    expect(rule.hits).toBe(2);
    rule.remove();
    expect(right(await fake.get(secretRef)())).toBeDefined();
  });

  it('consumes a queue one failure per matching call, then lets calls through', async () => {
    const fake = createFakeClient([controlPlane()]);
    const rule = fake.failOn('patch', { name: 'cp' }, ['Conflict', 'InternalError']);
    expect(left(await fake.patch(cpRef, { spec: { a: 1 } })())).toMatchObject({ kind: 'Conflict', code: 409, statusReason: 'Conflict' });
    expect(rule.pending).toBe(1);
    await fake.get(cpRef)();
    expect(left(await fake.patch(cpRef, { spec: { a: 1 } })())).toMatchObject({ code: 500, statusReason: 'InternalError' });
    expect(right(await fake.patch(cpRef, { spec: { a: 1 } })()).spec).toMatchObject({ a: 1 });
    expect(rule.pending).toBe(0);
    expect(fake.store.resourceVersion).toBe('2');
  });

  it('never lets an injected failure reach the store', async () => {
    const fake = createFakeClient([controlPlane()]);
    fake.failOn(['patch', 'patchStatus'], 'Timeout');
    expect(left(await fake.patch(cpRef, { spec: { a: 1 } })())).toMatchObject({ kind: 'Timeout', code: undefined });
    expect(left(await fake.patchStatus(cpRef, { status: { a: 1 } })())).toMatchObject({ kind: 'Timeout' });
    expect(fake.store.resourceVersion).toBe('1');
  });

  it('takes a rule function that sees the call, and any ApiError', async () => {
    const fake = createFakeClient([controlPlane()]);
    const forbidden = apiError('Forbidden', 'no', { code: 403, statusReason: 'Forbidden' });
    fake.failOn('*', (call: Call) => (call.verb === 'patchStatus' && call.body?.['status'] ? forbidden : undefined));
    expect(left(await fake.patchStatus(cpRef, { status: { a: 1 } })())).toBe(forbidden);
    expect(right(await fake.patch(cpRef, { spec: { a: 1 } })())).toBeDefined();
  });

  it('matches objects with a predicate in the three-argument form', async () => {
    const fake = createFakeClient([controlPlane(), secret()]);
    fake.failOnce('*', (call) => call.namespace === 'default' && call.name === 'conn', 'Unavailable');
    expect(left(await fake.get(cpRef)().then(() => fake.get(secretRef)()))).toMatchObject({ code: 503 });
    expect(right(await fake.get(secretRef)())).toBeDefined();
  });

  it('turns an injected 404 on get into Right(undefined), as an adapter would, and fails writes with it', async () => {
    const fake = createFakeClient([controlPlane()]);
    const rule = fake.failOn('*', { name: 'cp' }, 'NotFound');
    expect(await fake.get(cpRef)()).toEqual(E.right(undefined));
    expect(left(await fake.patch(cpRef, { spec: { a: 1 } })())).toMatchObject({ kind: 'NotFound', code: 404 });
    expect(rule.hits).toBe(2);
    expect(fake.calls[0]?.error).toBeUndefined();
  });

  it('asks rules in order; clearFailures removes them all', async () => {
    const fake = createFakeClient([controlPlane()]);
    fake.failOn('get', 'Unavailable');
    fake.failOn('get', 'Conflict');
    expect(left(await fake.get(cpRef)())).toMatchObject({ code: 503 });
    fake.clearFailures();
    expect(right(await fake.get(cpRef)())).toBeDefined();
  });

  it('fails calls at random, deterministically for a seed', async () => {
    const run = async (seed: number): Promise<string> => {
      const fake = createFakeClient([controlPlane()], { randomFailures: { rate: 0.3, seed } });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        const result = await fake.patch(cpRef, { spec: { i } })();
        outcomes.push(E.isLeft(result) ? result.left.kind : 'ok');
      }
      return outcomes.join(',');
    };
    const first = await run(7);
    expect(await run(7)).toBe(first);
    expect(await run(8)).not.toBe(first);
    const failures = first.split(',').filter((o) => o !== 'ok').length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(25);
  });

  it('limits random failures to the verbs and failures asked for', async () => {
    const fake = createFakeClient([controlPlane()], { randomFailures: { rate: 1, seed: 1, verbs: ['get'], failures: ['InternalError'] } });
    expect(left(await fake.get(cpRef)())).toMatchObject({ code: 500 });
    expect(right(await fake.patch(cpRef, { spec: { a: 1 } })())).toBeDefined();
    fake.setRandomFailures(undefined);
    expect(right(await fake.get(cpRef)())).toBeDefined();
  });
});

describe('FakeClient setup helpers', () => {
  it('edit merges into the whole object, status included, and put replaces', () => {
    const fake = createFakeClient([workspace()]);
    const edited = fake.edit(wsRef, { status: { atProvider: { outputs: { cluster_endpoint: null, host: '10.0.0.1' } } } });
    expect(edited.status).toEqual({ atProvider: { outputs: { host: '10.0.0.1' } } });
    expect(edited.metadata.generation).toBe(1);
    const replaced = fake.put({ ...workspace(), spec: {} });
    expect(replaced.spec).toEqual({});
    expect(replaced.metadata.generation).toBe(2);
  });

  it('throws at setup with a message that names the object and not its contents', () => {
    const fake = createFakeClient([secret()]);
    expect(() => fake.add(secret())).toThrow(/secrets "conn" already exists/);
    expect(() => fake.add(secret())).not.toThrow(/aHR0c/);
    expect(() => fake.edit({ ...secretRef, name: 'missing' }, {})).toThrow(/not found/);
  });

  it('shares a store given in the options', async () => {
    const first = createFakeClient([controlPlane()]);
    const second = createFakeClient([], { store: first.store });
    expect(right(await second.get(cpRef)())).toBeDefined();
  });
});

describe('FakeClient seeding from YAML', () => {
  const yaml = `
# a comment before the first document
---
apiVersion: controlplane.cluster.x-k8s.io/v1beta1
kind: CAPTControlPlane
metadata:
  name: cp
  namespace: default
spec:
  workspaceTemplateApplyName: wta
---
---
# only a comment
---
apiVersion: tf.upbound.io/v1beta1
kind: Workspace
metadata: {name: ws}
status:
  atProvider:
    outputs:
      cluster_endpoint: https://abc.example
      port: 443
--- 
apiVersion: v1
kind: Secret
metadata: {name: conn, namespace: default}
data:
  endpoint: aGVsbG8=
`;

  it('loads every non-empty document', () => {
    const fake = createFakeClient(yaml);
    expect(fake.store.all().map((o: KubeObject) => o.kind)).toEqual(['Workspace', 'Secret', 'CAPTControlPlane']);
    expect(fake.object(wsRef)?.status).toEqual({ atProvider: { outputs: { cluster_endpoint: 'https://abc.example', port: 443 } } });
    expect(fake.object(secretRef)?.['data']).toEqual({ endpoint: 'aGVsbG8=' });
  });

  it('loads more YAML later with addYaml', () => {
    const fake = createFakeClient();
    fake.addYaml('apiVersion: v1\nkind: Secret\nmetadata: {name: conn, namespace: default}\n');
    expect(fake.object(secretRef)).toBeDefined();
  });

  it('throws at setup for YAML that does not parse, with a position and without the text', () => {
    const attempt = () => createFakeClient('apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\n---\ndata: {token: [c2VjcmV0\n');
    expect(attempt).toThrow(/^YAML document at line 5: .* at line 6, column 1$/);
    expect(attempt).not.toThrow(/c2VjcmV0/);
  });

  it.each([
    ['an unquoted value read as an alias', 'data: {password: *hunter2}'],
    ['an unquoted value read as a tag', 'data:\n  password: !hunter2 x'],
    ['a verbatim tag', 'data:\n  password: !<hunter2> x'],
    ['a named tag handle', 'data:\n  password: !hunter2!x y'],
    ['a directive', '%hunter2 x\n---\ndata: {}'],
  ])('throws at setup for %s without quoting it', (_, body) => {
    const attempt = () => createFakeClient(`apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\n${body}\n`);
    expect(attempt).toThrow(/^YAML document at line 1: [a-z ]+ at line \d+, column \d+$/);
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('reads a v1 List, as kubectl get -o yaml prints several objects, item by item', () => {
    const fake = createFakeClient(
      'apiVersion: v1\nkind: List\nmetadata: {resourceVersion: ""}\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: conn, namespace: default}\n',
    );
    expect(fake.store.all().map((o: KubeObject) => `${o.kind} ${o.metadata.name}`)).toEqual(['Secret conn']);
    expect(() => createFakeClient('apiVersion: v1\nkind: List\nmetadata: {}\nitems:\n- 1\n')).toThrow(/not a Kubernetes object/);
  });

  it('throws at setup for a document that is not a Kubernetes object', () => {
    expect(() => createFakeClient('- 1\n- 2\n')).toThrow(/not a Kubernetes object/);
    expect(() => createFakeClient('apiVersion: v1\nkind: Secret\n')).toThrow(/metadata\.name/);
  });
});
