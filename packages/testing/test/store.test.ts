import type { MergePatch } from '@capt-endpoint/core';
import { ObjectStore, type WatchEvent } from '../src/store';
import { controlPlane, cpRef, left, right, secret, secretRef, workspace, wsRef } from './fixtures';

const fixedClock = () => new Date('2026-01-02T03:04:05.678Z');

describe('ObjectStore create', () => {
  it('assigns resourceVersion, generation 1, uid and creationTimestamp', () => {
    const store = new ObjectStore([], { now: fixedClock });
    const created = right(store.create({ ...controlPlane(), metadata: { ...controlPlane().metadata, uid: 'mine', generation: 7 } }));
    expect(created.metadata).toMatchObject({ resourceVersion: '1', generation: 1, creationTimestamp: '2026-01-02T03:04:05Z' });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.uid).not.toBe('mine');
    expect(store.resourceVersion).toBe('1');
  });

  it('add keeps a seeded uid and generation but always assigns the resourceVersion', () => {
    const store = new ObjectStore();
    const seeded = store.add({ ...controlPlane(), metadata: { ...controlPlane().metadata, uid: 'u-1', generation: 4, resourceVersion: '99' } });
    expect(seeded.metadata).toMatchObject({ uid: 'u-1', generation: 4, resourceVersion: '1' });
  });

  it('addAll stores many objects as add does, keeps none of the caller\'s objects, and stops at the first it cannot store', () => {
    const store = new ObjectStore();
    const mine = controlPlane();
    expect(store.addAll([mine, secret()])).toBe(2);
    (mine.spec as Record<string, unknown>)['mutated'] = true;
    expect(store.get(cpRef)?.spec).toEqual({ workspaceTemplateApplyName: 'wta' });
    expect(store.get(secretRef)?.metadata.resourceVersion).toBe('2');
    expect(() => store.addAll([workspace(), secret()])).toThrow(/already exists/);
    expect(store.get(wsRef)).toBeDefined();
    expect(store.resourceVersion).toBe('3');
  });

  it('refuses a second object with the same name: 409 AlreadyExists', () => {
    const store = new ObjectStore([controlPlane()]);
    expect(left(store.create(controlPlane()))).toMatchObject({ kind: 'Conflict', code: 409, statusReason: 'AlreadyExists' });
    expect(() => store.add(controlPlane())).toThrow(/already exists/);
  });

  it('keeps apart objects whose namespace and name run together into the same text', () => {
    const store = new ObjectStore();
    const named = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name }, data: { at: `${namespace}/${name}` } });
    store.add(named('a', 'bc'));
    store.add(named('ab', 'c'));
    store.add(named('a1', ':x'));
    store.add(named('a', '1:x'));
    for (const [namespace, name] of [['a', 'bc'], ['ab', 'c'], ['a1', ':x'], ['a', '1:x']] as const)
      expect(store.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name })?.['data']).toEqual({ at: `${namespace}/${name}` });
  });

  it('names a generateName object with a suffix', () => {
    const store = new ObjectStore();
    const event = right(
      store.create({ apiVersion: 'v1', kind: 'Event', metadata: { generateName: 'cp.', namespace: 'default' }, reason: 'X' }),
    );
    expect(event.metadata.name).toMatch(/^cp\.[a-z0-9]{5}$/);
  });

  it('requires a name', () => {
    const store = new ObjectStore();
    expect(left(store.create({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default' } }))).toMatchObject({
      code: 422,
      statusReason: 'Invalid',
    });
  });
});

describe('ObjectStore scope', () => {
  it('clears the namespace of a cluster-scoped kind on create, as the API server does', () => {
    const store = new ObjectStore();
    const created = store.add({ ...workspace(), metadata: { name: 'ws', namespace: 'default' } });
    expect(created.metadata.namespace).toBeUndefined();
    expect(store.get(wsRef)).toBeDefined();
  });

  it('refuses a namespace on a ref to a cluster-scoped kind', () => {
    const store = new ObjectStore([workspace()]);
    expect(left(store.find({ ...wsRef, namespace: 'default' }))).toMatchObject({ code: 400, kind: 'Invalid' });
    expect(left(store.patch({ ...wsRef, namespace: 'default' }, { spec: {} }))).toMatchObject({ code: 400 });
  });

  it('requires a namespace for a namespaced kind', () => {
    const store = new ObjectStore([controlPlane()]);
    expect(left(store.find({ ...cpRef, namespace: undefined }))).toMatchObject({ code: 400, kind: 'Invalid' });
    expect(() => store.add({ ...controlPlane(), metadata: { name: 'other' } })).toThrow(/namespace is required/);
  });

  it('treats an unknown kind as namespaced exactly when a namespace is given', () => {
    const store = new ObjectStore();
    store.add({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'a', namespace: 'ns' } });
    store.add({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'a' } });
    expect(store.list('example.com/v1', 'Thing').items.map((o) => o.metadata.namespace)).toEqual([undefined, 'ns']);
    expect(store.get({ apiVersion: 'example.com/v1', kind: 'Thing', name: 'a' })?.metadata.namespace).toBeUndefined();
  });

  it('keeps the two Workspace kinds apart', () => {
    const store = new ObjectStore([workspace()]);
    expect(store.get({ ...wsRef, apiVersion: 'tf.m.upbound.io/v1beta1', namespace: 'default' })).toBeUndefined();
  });
});

describe('ObjectStore get and list', () => {
  it('hands out deep copies', () => {
    const store = new ObjectStore([controlPlane()]);
    const first = store.get(cpRef)!;
    (first.spec as Record<string, unknown>)['workspaceTemplateApplyName'] = 'changed';
    first.metadata.labels = { x: 'y' };
    expect(store.get(cpRef)).toMatchObject({ spec: { workspaceTemplateApplyName: 'wta' } });
    expect(store.get(cpRef)?.metadata.labels).toBeUndefined();
  });

  it('does not keep a reference to the object it was given', () => {
    const input = controlPlane();
    const store = new ObjectStore([input]);
    (input.spec as Record<string, unknown>)['workspaceTemplateApplyName'] = 'changed';
    expect(store.get(cpRef)).toMatchObject({ spec: { workspaceTemplateApplyName: 'wta' } });
  });

  it('returns undefined and 404 for a missing object', () => {
    const store = new ObjectStore();
    expect(store.get(cpRef)).toBeUndefined();
    expect(left(store.find(cpRef))).toMatchObject({
      kind: 'NotFound',
      code: 404,
      statusReason: 'NotFound',
      message: 'captcontrolplanes.controlplane.cluster.x-k8s.io "cp" not found',
    });
  });

  it('lists one namespace or all, sorted, with the current resourceVersion', () => {
    const store = new ObjectStore([
      secret(),
      { ...secret(), metadata: { name: 'a', namespace: 'other' } },
      { ...secret(), metadata: { name: 'b', namespace: 'default' } },
      controlPlane(),
    ]);
    expect(store.list('v1', 'Secret', 'default').items.map((o) => o.metadata.name)).toEqual(['b', 'conn']);
    expect(store.list('v1', 'Secret').items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'default/b',
      'default/conn',
      'other/a',
    ]);
    expect(store.list('v1', 'Secret').resourceVersion).toBe('4');
  });
});

describe('ObjectStore patch', () => {
  // A plain JSON patch is read as it is, without a copy: the store must keep none of it.
  it('takes a patch as JSON carries it, and keeps nothing of the object it was given', () => {
    const store = new ObjectStore([controlPlane()]);
    const plain = { spec: { list: [1, 2], nested: { a: 'x' } } };
    right(store.patch(cpRef, plain));
    plain.spec.list.push(3);
    plain.spec.nested.a = 'changed';
    expect(store.get(cpRef)?.spec).toMatchObject({ list: [1, 2], nested: { a: 'x' } });
    const odd = { spec: { gone: undefined, when: new Date(Date.UTC(2026, 0, 5)), big: Infinity, own: { toJSON: () => 'as text' } } };
    right(store.patch(cpRef, odd as unknown as MergePatch));
    const spec = store.get(cpRef)?.spec as Record<string, unknown>;
    expect(spec).toMatchObject({ when: '2026-01-05T00:00:00.000Z', own: 'as text' });
    // Infinity is null in JSON, and null in a merge patch removes the field.
    expect(['gone', 'big'].filter((field) => field in spec)).toEqual([]);
  });

  it('bumps resourceVersion on every change, and generation only on a spec change', () => {
    const store = new ObjectStore([controlPlane()]);
    const labelled = right(store.patch(cpRef, { metadata: { labels: { a: 'b' } } }));
    expect(labelled.metadata).toMatchObject({ resourceVersion: '2', generation: 1, labels: { a: 'b' } });
    const specced = right(store.patch(cpRef, { spec: { controlPlaneEndpoint: { host: 'h', port: 443 } } }));
    expect(specced.metadata).toMatchObject({ resourceVersion: '3', generation: 2 });
    expect(specced.spec).toEqual({ workspaceTemplateApplyName: 'wta', controlPlaneEndpoint: { host: 'h', port: 443 } });
    const statused = right(store.patch(cpRef, { status: { ready: true } }, { subresource: 'status' }));
    expect(statused.metadata).toMatchObject({ resourceVersion: '4', generation: 2 });
  });

  it('counts a change of any top-level field outside metadata and status as a spec change', () => {
    const store = new ObjectStore([secret()]);
    expect(right(store.patch(secretRef, { data: { other: btoa('x') } })).metadata.generation).toBe(2);
  });

  it('changes nothing and keeps the resourceVersion for a no-op patch', () => {
    const store = new ObjectStore([controlPlane()]);
    const events: WatchEvent[] = [];
    store.watch((e) => events.push(e));
    const same = right(store.patch(cpRef, { spec: { workspaceTemplateApplyName: 'wta' } }));
    expect(same.metadata.resourceVersion).toBe('1');
    expect(right(store.patch(cpRef, {})).metadata.resourceVersion).toBe('1');
    expect(right(store.patch(cpRef, { status: null }, { subresource: 'status' })).metadata.resourceVersion).toBe('1');
    expect(store.resourceVersion).toBe('1');
    expect(events).toEqual([]);
  });

  it('fails with 409 Conflict when the patch carries a stale resourceVersion, and succeeds with the current one', () => {
    const store = new ObjectStore([controlPlane()]);
    right(store.patch(cpRef, { metadata: { labels: { a: 'b' } } }));
    const stale = left(store.patch(cpRef, { metadata: { resourceVersion: '1' }, spec: { x: 1 } }));
    expect(stale).toMatchObject({ kind: 'Conflict', code: 409, statusReason: 'Conflict', retryable: true });
    expect(stale.message).toMatch(/the object has been modified/);
    expect(store.get(cpRef)?.spec).toEqual({ workspaceTemplateApplyName: 'wta' });
    const fresh = right(store.patch(cpRef, { metadata: { resourceVersion: '2' }, spec: { x: 1 } }));
    expect(fresh.metadata.resourceVersion).toBe('3');
  });

  it('checks the resourceVersion precondition on the status subresource too', () => {
    const store = new ObjectStore([controlPlane()]);
    right(store.patch(cpRef, { spec: { x: 1 } }));
    expect(left(store.patch(cpRef, { metadata: { resourceVersion: '1' }, status: { a: 1 } }, { subresource: 'status' }))).toMatchObject({
      code: 409,
    });
  });

  it('fails with 409 when the patch carries another uid', () => {
    const store = new ObjectStore([controlPlane()]);
    expect(left(store.patch(cpRef, { metadata: { uid: 'someone-else' } }))).toMatchObject({ code: 409 });
  });

  it('fails with 404 for a missing object', () => {
    const store = new ObjectStore();
    expect(left(store.patch(cpRef, { spec: {} }))).toMatchObject({ kind: 'NotFound', code: 404 });
    expect(left(store.patch(cpRef, { status: {} }, { subresource: 'status' }))).toMatchObject({ code: 404 });
  });

  it('ignores status in a patch of the main resource', () => {
    const store = new ObjectStore([{ ...controlPlane(), status: { kept: true } }]);
    const patched = right(store.patch(cpRef, { spec: { x: 1 }, status: { kept: false, added: 1 } }));
    expect(patched.status).toEqual({ kept: true });
    expect(right(store.patch(cpRef, { status: null })).status).toEqual({ kept: true });
  });

  it('changes only status in a status patch', () => {
    const store = new ObjectStore([controlPlane()]);
    const patched = right(
      store.patch(cpRef, { spec: { x: 1 }, metadata: { labels: { a: 'b' } }, status: { conditions: [] } }, { subresource: 'status' }),
    );
    expect(patched.spec).toEqual({ workspaceTemplateApplyName: 'wta' });
    expect(patched.metadata.labels).toBeUndefined();
    expect(patched.status).toEqual({ conditions: [] });
  });

  it('keeps server-owned metadata out of reach of a patch', () => {
    const store = new ObjectStore([controlPlane()], { now: fixedClock });
    const before = store.get(cpRef)!;
    const patched = right(
      store.patch(cpRef, {
        metadata: { generation: 40, creationTimestamp: null, deletionTimestamp: '2020-01-01T00:00:00Z', labels: { a: 'b' } },
      }),
    );
    expect(patched.metadata).toMatchObject({
      uid: before.metadata.uid,
      generation: 1,
      creationTimestamp: before.metadata['creationTimestamp'],
      resourceVersion: '2',
    });
    expect(patched.metadata.deletionTimestamp).toBeUndefined();
  });

  it('refuses to rename or move an object: 422 Invalid', () => {
    const store = new ObjectStore([controlPlane()]);
    expect(left(store.patch(cpRef, { metadata: { name: 'other' } }))).toMatchObject({ kind: 'Invalid', code: 422, statusReason: 'Invalid' });
    expect(left(store.patch(cpRef, { metadata: { namespace: 'other' } }))).toMatchObject({ code: 422 });
    expect(left(store.patch(cpRef, { kind: 'Other' }))).toMatchObject({ code: 422 });
    expect(left(store.patch(cpRef, { metadata: null }))).toMatchObject({ code: 422 });
    expect(store.resourceVersion).toBe('1');
  });

  it('follows RFC 7386: null removes, objects merge, arrays replace', () => {
    const store = new ObjectStore([{ ...controlPlane({ a: { b: 1, c: 2 }, list: [1, 2, 3], gone: 'x' }) }]);
    const patched = right(store.patch(cpRef, { spec: { a: { c: null, d: 4 }, list: [9], gone: null } }));
    expect(patched.spec).toEqual({ a: { b: 1, d: 4 }, list: [9] });
  });

  it('refuses a patch that is not a JSON object', () => {
    const store = new ObjectStore([controlPlane()]);
    expect(left(store.patch(cpRef, [] as never))).toMatchObject({ code: 400 });
  });

  it('never puts object contents into error messages', () => {
    const store = new ObjectStore([secret()]);
    const errors = [
      left(store.patch(secretRef, { metadata: { resourceVersion: '0' }, data: { k: 'c2VjcmV0' } })),
      left(store.patch(secretRef, { metadata: { name: 'x' }, data: { k: 'c2VjcmV0' } })),
      left(store.create(secret())),
    ];
    for (const error of errors) expect(error.message).not.toMatch(/c2VjcmV0|YWJj|aHR0c/);
  });
});

describe('ObjectStore put', () => {
  it('creates, then replaces whole objects, status included', () => {
    const store = new ObjectStore();
    right(store.put(workspace()));
    const replaced = right(store.put({ ...workspace(), status: { atProvider: { outputs: {} } } }));
    expect(replaced.status).toEqual({ atProvider: { outputs: {} } });
    expect(replaced.metadata).toMatchObject({ resourceVersion: '2', generation: 1 });
  });

  it('honours a resourceVersion precondition', () => {
    const store = new ObjectStore([workspace()]);
    right(store.put({ ...workspace(), spec: {} }));
    expect(left(store.put({ ...workspace(), metadata: { name: 'ws', resourceVersion: '1' } }))).toMatchObject({ code: 409 });
  });
});

describe('ObjectStore delete', () => {
  it('removes an object and emits DELETED with a new resourceVersion', () => {
    const store = new ObjectStore([secret()]);
    const events: WatchEvent[] = [];
    store.watch((e) => events.push(e));
    const deleted = right(store.delete(secretRef));
    expect(deleted.metadata.resourceVersion).toBe('2');
    expect(store.get(secretRef)).toBeUndefined();
    expect(events.map((e) => [e.type, e.object.metadata.resourceVersion])).toEqual([['DELETED', '2']]);
    expect(left(store.delete(secretRef))).toMatchObject({ code: 404 });
  });

  it('only marks an object with finalizers, and removes it when the last finalizer goes', () => {
    const store = new ObjectStore([{ ...controlPlane(), metadata: { ...controlPlane().metadata, finalizers: ['f'] } }], { now: fixedClock });
    const marked = right(store.delete(cpRef));
    expect(marked.metadata.deletionTimestamp).toBe('2026-01-02T03:04:05Z');
    expect(store.get(cpRef)).toBeDefined();
    expect(right(store.delete(cpRef)).metadata.resourceVersion).toBe(marked.metadata.resourceVersion);
    right(store.patch(cpRef, { metadata: { finalizers: null } }));
    expect(store.get(cpRef)).toBeUndefined();
  });
});

describe('ObjectStore watch and history', () => {
  it('tells listeners about every write, in order, with copies', () => {
    const store = new ObjectStore();
    const events: WatchEvent[] = [];
    const stop = store.watch((e) => events.push(e));
    store.add(controlPlane());
    right(store.patch(cpRef, { spec: { x: 1 } }));
    right(store.delete(cpRef));
    stop();
    store.add(secret());
    expect(events.map((e) => `${e.type} ${e.object.metadata.resourceVersion}`)).toEqual(['ADDED 1', 'MODIFIED 2', 'DELETED 3']);
    (events[0]!.object.spec as Record<string, unknown>)['mutated'] = true;
    expect(right(store.eventsSince('0'))[0]!.object.spec).toEqual({ workspaceTemplateApplyName: 'wta' });
  });

  it('narrows a watch and changesSince to one kind, and what they hand out is never the history itself', () => {
    const store = new ObjectStore();
    const heard: string[] = [];
    const all: string[] = [];
    store.watch((e, before) => {
      heard.push(`${e.type} ${e.object.kind} ${before?.metadata.resourceVersion ?? '-'}`);
      (e.object.metadata as Record<string, unknown>)['touched'] = true;
    }, { apiVersion: 'v1', kind: 'Secret' });
    store.watch((e) => all.push(e.object.kind));
    store.add(controlPlane());
    store.add(secret());
    const patched = right(store.patch(secretRef, { stringData: { a: 'b' } }));
    (patched.metadata as Record<string, unknown>)['mutated'] = true;
    right(store.patch(cpRef, { spec: { x: 1 } }));
    expect(heard).toEqual(['ADDED Secret -', 'MODIFIED Secret 2']);
    expect(all).toEqual(['CAPTControlPlane', 'Secret', 'Secret', 'CAPTControlPlane']);
    const secrets = right(store.changesSince('0', { apiVersion: 'v1', kind: 'Secret' }));
    expect(secrets.map((c) => `${c.event.type} ${c.event.object.metadata.resourceVersion}`)).toEqual(['ADDED 2', 'MODIFIED 3']);
    expect(secrets.some((c) => 'touched' in c.event.object.metadata || 'mutated' in c.event.object.metadata)).toBe(false);
    expect(right(store.changesSince('0', { apiVersion: 'v1', kind: 'ConfigMap' }))).toEqual([]);
    expect(right(store.changesSince('0'))).toHaveLength(4);
  });

  it('restore puts the objects back as they were at snapshot, resourceVersions counting on, earlier watches 410', () => {
    const store = new ObjectStore([controlPlane(), secret()]);
    const snapshot = store.snapshot();
    right(store.patch(cpRef, { spec: { x: 1 } }));
    right(store.delete(secretRef));
    store.add(workspace());
    const heard: string[] = [];
    store.watch((e) => heard.push(e.type));
    store.restore(snapshot);
    expect(store.all().map((o) => `${o.kind} ${o.metadata.resourceVersion}`)).toEqual(['Secret 2', 'CAPTControlPlane 1']);
    expect(store.get(cpRef)?.spec).toEqual({ workspaceTemplateApplyName: 'wta' });
    expect(heard).toEqual([]);
    expect(store.resourceVersion).toBe('5');
    expect(left(store.changesSince('3'))).toMatchObject({ code: 410 });
    // Writes after a restore carry on from the store's resourceVersion, and the snapshot stays as taken.
    expect(right(store.patch(cpRef, { spec: { y: 2 }, metadata: { resourceVersion: '1' } })).metadata.resourceVersion).toBe('6');
    store.restore(snapshot);
    expect(store.get(cpRef)?.spec).toEqual({ workspaceTemplateApplyName: 'wta' });
  });

  it('gives listeners and changesSince the state before each write', () => {
    const store = new ObjectStore();
    const previous: Array<unknown> = [];
    store.watch((_event, before) => previous.push(before?.metadata.resourceVersion));
    store.add(controlPlane());
    right(store.patch(cpRef, { spec: { x: 1 } }));
    right(store.delete(cpRef));
    expect(previous).toEqual([undefined, '1', '2']);
    expect(right(store.changesSince('1')).map((c) => [c.event.type, c.previous?.spec])).toEqual([
      ['MODIFIED', { workspaceTemplateApplyName: 'wta' }],
      ['DELETED', { workspaceTemplateApplyName: 'wta', x: 1 }],
    ]);
  });

  it('replays the events after a resourceVersion', () => {
    const store = new ObjectStore([controlPlane(), secret()]);
    right(store.patch(cpRef, { spec: { x: 1 } }));
    expect(right(store.eventsSince('1')).map((e) => `${e.type} ${e.object.kind}`)).toEqual(['ADDED Secret', 'MODIFIED CAPTControlPlane']);
    expect(right(store.eventsSince('3'))).toEqual([]);
  });

  it('answers 410 Gone for a resourceVersion older than the kept history of a kind', () => {
    const store = new ObjectStore([], { historyLimit: 2 });
    store.add(controlPlane());
    right(store.patch(cpRef, { spec: { x: 1 } }));
    right(store.patch(cpRef, { spec: { x: 2 } }));
    expect(right(store.eventsSince('1')).length).toBe(2);
    expect(left(store.eventsSince('0'))).toMatchObject({ code: 410, statusReason: 'Expired', message: 'too old resource version: 0 (2)' });
    expect(left(store.changesSince('0', { apiVersion: cpRef.apiVersion, kind: cpRef.kind }))).toMatchObject({ code: 410 });
  });

  it("keeps each kind's history apart: another kind's churn does not expire a quiet kind's watch", () => {
    const store = new ObjectStore([secret()], { historyLimit: 2 });
    store.add(controlPlane());
    for (let x = 0; x < 5; x++) right(store.patch(cpRef, { spec: { x } }));
    const secrets = { apiVersion: 'v1', kind: 'Secret' };
    expect(right(store.changesSince('1', secrets))).toEqual([]);
    expect(right(store.changesSince('0', secrets)).map((c) => c.event.type)).toEqual(['ADDED']);
    // Unnarrowed, the oldest kept event of every kind decides, and events come in revision order.
    expect(left(store.changesSince('1'))).toMatchObject({ code: 410 });
    expect(right(store.changesSince('5')).map((c) => c.event.object.metadata.resourceVersion)).toEqual(['6', '7']);
  });

  it('compact() forgets all history', () => {
    const store = new ObjectStore([controlPlane(), secret()]);
    store.compact();
    expect(left(store.eventsSince('1'))).toMatchObject({ code: 410 });
    expect(right(store.eventsSince('2'))).toEqual([]);
    right(store.patch(cpRef, { spec: { x: 1 } }));
    expect(right(store.eventsSince('2')).length).toBe(1);
  });

  it('refuses a resourceVersion that is not a number', () => {
    expect(left(new ObjectStore().eventsSince('abc'))).toMatchObject({ code: 400 });
  });
});
