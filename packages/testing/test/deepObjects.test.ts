// Objects nested as deep as the API server takes them (10,000 levels of objects and arrays, the
// request body itself the first) are created, read, listed, watched and patched through the
// in-memory fake and, with the real client-node, through the loopback server; one level more is
// a 400 BadRequest, and both go on serving.
import * as E from 'fp-ts/lib/Either.js';
import {
  CustomObjectsApi,
  KubeConfig,
  Observable,
  Watch,
  setHeaderOptions,
  type KubernetesObject,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { KubeObject, ObjectRef } from '@capt-endpoint/core';
import { createFakeClient, startFakeApiServer, type CustomResourceDefinition, type FakeApiServer } from '../src';
import { eventually, rejection } from './clientNodeHelpers';

/** The API server's JSON decoder refuses a body nested deeper than this. */
const LIMIT = 10_000;

/** A kind whose spec keeps whatever it is given (`x-kubernetes-preserve-unknown-fields`) beside one string field. */
const deepCrd: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'deeps.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Deep', listKind: 'DeepList', plural: 'deeps', singular: 'deep' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { name: { type: 'string' } } } },
          },
        },
      },
    ],
  },
};

const ref = (name: string): ObjectRef => ({ apiVersion: 'example.com/v1', kind: 'Deep', namespace: 'default', name });

// The texts are built as strings and the values with JSON.parse, which does not recurse.
const objectsText = (levels: number): string => `${'{"a":'.repeat(levels)}"leaf"${'}'.repeat(levels)}`;
const arraysText = (levels: number): string => `${'['.repeat(levels)}"leaf"${']'.repeat(levels)}`;

/** A Deep whose body nests `depth` levels: the object itself, then a chain of objects in spec. */
const deepObjectText = (name: string, depth: number): string =>
  `{"apiVersion":"example.com/v1","kind":"Deep","metadata":{"name":"${name}","namespace":"default"},"spec":${objectsText(depth - 1)}}`;

/** A merge patch whose body nests `depth` levels: itself, spec, then a chain of arrays in spec.b. */
const deepPatchText = (depth: number): string => `{"spec":{"b":${arraysText(depth - 2)}}}`;

/** How many objects and arrays lie above the value at the bottom of a chain (through `a` or the first item), and that value. */
const bottomOf = (value: unknown): [number, unknown] => {
  let levels = 0;
  let at = value;
  for (; typeof at === 'object' && at !== null; levels++) at = Array.isArray(at) ? at[0] : (at as { a?: unknown }).a;
  return [levels, at];
};

const specOf = (object: unknown): { a?: unknown; b?: unknown } => (object as { spec: { a?: unknown; b?: unknown } }).spec;

describe('the in-memory fake with an object nested 10,000 deep', () => {
  it('creates, reads and patches it; a body one level deeper is a 400 BadRequest and changes nothing', async () => {
    const client = createFakeClient([], { crds: [deepCrd] });
    const created = await client.create(JSON.parse(deepObjectText('deep', LIMIT)) as KubeObject)();
    expect(E.isRight(created) && bottomOf(specOf(created.right).a)).toEqual([LIMIT - 2, 'leaf']);

    const read = await client.get(ref('deep'))();
    expect(E.isRight(read) && bottomOf(specOf(read.right).a)).toEqual([LIMIT - 2, 'leaf']);

    const patched = await client.patch(ref('deep'), JSON.parse(deepPatchText(LIMIT)) as never)();
    expect(E.isRight(patched) && [bottomOf(specOf(patched.right).a), bottomOf(specOf(patched.right).b)]).toEqual([
      [LIMIT - 2, 'leaf'],
      [LIMIT - 2, 'leaf'],
    ]);
    const version = client.object(ref('deep'))?.metadata.resourceVersion;
    // The same patch again changes nothing: no write, the resourceVersion stays.
    const again = await client.patch(ref('deep'), JSON.parse(deepPatchText(LIMIT)) as never)();
    expect(E.isRight(again) && again.right.metadata.resourceVersion).toBe(version);

    const tooDeep = { code: 400, statusReason: 'BadRequest', message: expect.stringContaining(`exceeded max depth`) as unknown };
    const refused = await client.create(JSON.parse(deepObjectText('too-deep', LIMIT + 1)) as KubeObject)();
    expect(E.isLeft(refused) && refused.left).toMatchObject(tooDeep);
    const refusedPatch = await client.patch(ref('deep'), JSON.parse(deepPatchText(LIMIT + 1)) as never)();
    expect(E.isLeft(refusedPatch) && refusedPatch.left).toMatchObject(tooDeep);

    expect(client.object(ref('too-deep'))).toBeUndefined();
    expect(client.object(ref('deep'))?.metadata.resourceVersion).toBe(version);
    expect(client.calls.map((call) => call.verb)).toEqual(['create', 'get', 'patch', 'patch', 'create', 'patch']);
  });

  it('quotes the start of a deep value that breaks the schema, in a 422 Invalid', async () => {
    const client = createFakeClient([], { crds: [deepCrd] });
    const object = JSON.parse(deepObjectText('named', 3)) as KubeObject;
    (object['spec'] as Record<string, unknown>)['name'] = JSON.parse(arraysText(LIMIT - 3));
    const refused = await client.create(object)();
    expect(E.isLeft(refused) && refused.left).toMatchObject({
      code: 422,
      message: `Deep.example.com "named" is invalid: spec.name: Invalid value: "array": spec.name in body must be of type string: ${'['.repeat(77)}...`,
    });
  });
});

describe('the loopback server with an object nested 10,000 deep, through client-node', () => {
  let server: FakeApiServer;
  let custom: CustomObjectsApi;
  let config: KubeConfig;
  const where = { group: 'example.com', version: 'v1', namespace: 'default', plural: 'deeps' };

  beforeEach(async () => {
    server = await startFakeApiServer({ crds: [deepCrd] });
    config = new KubeConfig();
    config.loadFromString(server.kubeConfigYaml());
    custom = config.makeApiClient(CustomObjectsApi);
  });

  afterEach(async () => {
    await server.close();
  });

  /**
   * Request options that send `text` as the body. client-node writes a body with JSON.stringify,
   * which recurses and gives up some thousands of levels down on Node 20, so the text is put in
   * place of the small body it wrote; everything else on the wire is client-node's own.
   */
  const sending = (text: string, contentType = 'application/json'): ReturnType<typeof setHeaderOptions> =>
    setHeaderOptions('Content-Type', contentType, {
      middleware: [
        {
          pre: (context: RequestContext) => {
            context.setBody(text);
            return new Observable(Promise.resolve(context));
          },
          post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
        },
      ] as never,
      middlewareMergeStrategy: 'append',
    });

  it('creates, reads, lists, watches and patches it', async () => {
    const created: unknown = await custom.createNamespacedCustomObject({ ...where, body: {} }, sending(deepObjectText('deep', LIMIT)));
    expect(bottomOf(specOf(created).a)).toEqual([LIMIT - 2, 'leaf']);

    const read: unknown = await custom.getNamespacedCustomObject({ ...where, name: 'deep' });
    expect(bottomOf(specOf(read).a)).toEqual([LIMIT - 2, 'leaf']);
    const list = (await custom.listNamespacedCustomObject(where)) as { items: unknown[] };
    expect(list.items.map((item) => bottomOf(specOf(item).a))).toEqual([[LIMIT - 2, 'leaf']]);

    const seen: Array<[string, unknown]> = [];
    const watch = await new Watch(config).watch(
      '/apis/example.com/v1/namespaces/default/deeps',
      {},
      (type, object: KubernetesObject) => seen.push([type, bottomOf(specOf(object).b)]),
      () => undefined,
    );
    await eventually(() => seen.length === 1);

    const patched: unknown = await custom.patchNamespacedCustomObject(
      { ...where, name: 'deep', body: {} },
      sending(deepPatchText(LIMIT), 'application/merge-patch+json'),
    );
    expect([bottomOf(specOf(patched).a), bottomOf(specOf(patched).b)]).toEqual([
      [LIMIT - 2, 'leaf'],
      [LIMIT - 2, 'leaf'],
    ]);
    await eventually(() => seen.length === 2);
    watch.abort();
    expect(seen).toEqual([
      ['ADDED', [0, undefined]],
      ['MODIFIED', [LIMIT - 2, 'leaf']],
    ]);
  });

  it('answers a body one level deeper with a 400 BadRequest Status, stores nothing and goes on serving', async () => {
    await custom.createNamespacedCustomObject({ ...where, body: {} }, sending(deepObjectText('deep', LIMIT)));
    const version = server.store.get(ref('deep'))?.metadata.resourceVersion;

    const refused = await rejection(custom.createNamespacedCustomObject({ ...where, body: {} }, sending(deepObjectText('too-deep', LIMIT + 1))));
    const refusedPatch = await rejection(
      custom.patchNamespacedCustomObject({ ...where, name: 'deep', body: {} }, sending(deepPatchText(LIMIT + 1), 'application/merge-patch+json')),
    );
    for (const error of [refused, refusedPatch]) {
      expect(error.code).toBe(400);
      expect(JSON.parse(error.body)).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest', message: expect.stringContaining('exceeded max depth') });
    }

    expect(server.store.get(ref('too-deep'))).toBeUndefined();
    expect(server.store.get(ref('deep'))?.metadata.resourceVersion).toBe(version);
    const read: unknown = await custom.getNamespacedCustomObject({ ...where, name: 'deep' });
    expect(bottomOf(specOf(read).a)).toEqual([LIMIT - 2, 'leaf']);
  });
});
