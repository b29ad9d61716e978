// Field owners: every write through the store, the fake client and the loopback server records
// metadata.managedFields as the API server does for Update and Patch.
import * as fc from 'fast-check';
import type { KubeObject, ObjectRef } from '@capt-endpoint/core';
import { applyMergePatch, copyJsonValue } from '@capt-endpoint/core/json';
import { captEndpointCrds, createFakeClient, fieldOwners, lastWriterOf, managedFieldsAfter, ObjectStore, startFakeApiServer, type ManagedFieldsEntry } from '../src';
import { right } from './fixtures';

const cpRef: ObjectRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo' };
const controlPlane = (): KubeObject => ({
  apiVersion: cpRef.apiVersion,
  kind: cpRef.kind,
  metadata: { name: 'demo', namespace: 'team-a', labels: { team: 'a' } },
  spec: { version: '1.31', workspaceTemplateRef: { name: 'eks-controlplane-template' } },
});
const clusterRef = (version: string): ObjectRef => ({ apiVersion: `cluster.x-k8s.io/${version}`, kind: 'Cluster', namespace: 'team-a', name: 'demo' });
const endpoint = { host: 'abc.gr7.eu-west-1.eks.amazonaws.com', port: 443 };

const entries = (object: KubeObject | undefined): ManagedFieldsEntry[] => (object?.metadata['managedFields'] ?? []) as ManagedFieldsEntry[];
const clock = () => {
  let seconds = 0;
  return () => new Date(Date.UTC(2026, 0, 5, 9, 0, seconds++));
};

/**
 * Writes to property-test field ownership with: objects and patches over a few keys, entries
 * whose fieldsV1 nest `.`, fields and other keys, and writers. `fieldLeaf` is what a fieldsV1
 * may hold where a field has no fields of its own.
 */
const ownershipCases = (fieldLeaf: fc.Arbitrary<unknown>) => {
  const key = fc.constantFrom('x', 'y', 'spec', 'status', 'labels', 'metadata', 'name', 'uid', 'managedFields', 'apiVersion', 'f:x');
  const leaf = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 2 }), fc.constantFrom('a', 'b'), fc.constant([1]), fc.constant({}));
  const { tree } = fc.letrec((tie) => ({ tree: fc.oneof({ depthSize: 'small' }, leaf, fc.dictionary(key, tie('tree'), { maxKeys: 4 })) }));
  const { fields } = fc.letrec((tie) => ({
    fields: fc.dictionary(fc.constantFrom('.', 'f:x', 'f:y', 'f:spec', 'f:metadata', 'f:labels', 'f:name', 'v:"a"', 'f:f:x'), fc.oneof({ depthSize: 'small' }, fieldLeaf, tie('fields')), { maxKeys: 3 }),
  }));
  const entry = fc.record({
    manager: fc.constantFrom('a', 'b'),
    operation: fc.constantFrom('Update', 'Apply'),
    apiVersion: fc.constant('v1'),
    time: fc.constant('2026-01-05T09:00:00Z'),
    fieldsType: fc.constant('FieldsV1'),
    fieldsV1: fields,
    subresource: fc.option(fc.constant('status'), { nil: undefined }),
  });
  const writer = fc.record({ manager: fc.constantFrom('a', 'b', 'c'), apiVersion: fc.constant('v2'), time: fc.constant('2026-01-05T09:00:01Z'), subresource: fc.option(fc.constant<'status'>('status'), { nil: undefined }) });
  return [fc.dictionary(key, tree, { maxKeys: 5 }), fc.dictionary(key, tree, { maxKeys: 5 }), fc.array(entry, { maxLength: 3 }), writer] as const;
};

/** `object` with `managedFields` in its metadata. */
const withManagedFields = <F>(object: Record<string, unknown>, managedFields: F) => {
  const metadata = object['metadata'];
  return { ...object, metadata: { ...(typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? metadata : {}), managedFields } };
};

describe('managedFields', () => {
  it('a create names its manager as owner of every field it set, server-set metadata excluded', () => {
    const store = new ObjectStore([], { now: clock() });
    right(store.create(controlPlane(), { fieldManager: 'kubectl-create' }));
    expect(entries(store.get(cpRef))).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: cpRef.apiVersion,
        time: '2026-01-05T09:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } },
          'f:spec': { '.': {}, 'f:version': {}, 'f:workspaceTemplateRef': { '.': {}, 'f:name': {} } },
        },
      },
    ]);
  });

  it('a patch makes its writer the owner of what it changed; the others keep the rest', () => {
    const store = new ObjectStore([], { now: clock() });
    right(store.create(controlPlane(), { fieldManager: 'kubectl-create' }));
    right(store.patch(cpRef, { spec: { controlPlaneEndpoint: endpoint } }, { fieldManager: 'capt-endpoint' }));
    let object = store.get(cpRef);
    expect(entries(object).map((e) => [e.manager, e.fieldsV1])).toEqual([
      ['kubectl-create', { 'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } }, 'f:spec': { '.': {}, 'f:version': {}, 'f:workspaceTemplateRef': { '.': {}, 'f:name': {} } } }],
      ['capt-endpoint', { 'f:spec': { 'f:controlPlaneEndpoint': { '.': {}, 'f:host': {}, 'f:port': {} } } }],
    ]);
    expect(lastWriterOf(object, 'spec.controlPlaneEndpoint.host')).toBe('capt-endpoint');
    expect(lastWriterOf(object, 'spec.version')).toBe('kubectl-create');

    // Another controller rewrites the host: it owns the host now; the port stays ours.
    right(store.patch(cpRef, { spec: { controlPlaneEndpoint: { host: 'https://abc.gr7.eu-west-1.eks.amazonaws.com' } } }, { fieldManager: 'capt-controller' }));
    object = store.get(cpRef);
    expect(lastWriterOf(object, 'spec.controlPlaneEndpoint.host')).toBe('capt-controller');
    expect(lastWriterOf(object, 'spec.controlPlaneEndpoint.port')).toBe('capt-endpoint');
    expect(lastWriterOf(object, 'spec.controlPlaneEndpoint')).toBe('capt-controller');
    expect(fieldOwners(object, 'spec.controlPlaneEndpoint').map((e) => e.manager)).toEqual(['capt-endpoint', 'capt-controller']);
    expect(entries(object).find((e) => e.manager === 'capt-controller')).toMatchObject({ time: '2026-01-05T09:00:02Z', operation: 'Update' });

    // A removed field leaves every set; a manager left with nothing is dropped.
    right(store.patch(cpRef, { spec: { controlPlaneEndpoint: null } }, { fieldManager: 'cleaner' }));
    object = store.get(cpRef);
    expect(entries(object).map((e) => e.manager)).toEqual(['kubectl-create']);
    expect(lastWriterOf(object, 'spec.controlPlaneEndpoint')).toBeUndefined();
  });

  it('a write that changes nothing changes no owner and no resourceVersion', () => {
    const store = new ObjectStore([], { now: clock() });
    right(store.create(controlPlane(), { fieldManager: 'a' }));
    const before = store.get(cpRef);
    right(store.patch(cpRef, { spec: { version: '1.31' } }, { fieldManager: 'b' }));
    expect(store.get(cpRef)).toEqual(before);
  });

  it('a status write is recorded with subresource status; a write without a manager is "unknown"', () => {
    const store = new ObjectStore([controlPlane()], { now: clock() });
    expect(entries(store.get(cpRef))).toEqual([]);
    right(store.patch(cpRef, { status: { ready: true } }, { subresource: 'status', fieldManager: 'capt-endpoint' }));
    right(store.patch(cpRef, { metadata: { annotations: { note: 'x' } } }));
    expect(entries(store.get(cpRef)).map((e) => [e.manager, e.subresource, Object.keys(e.fieldsV1)])).toEqual([
      ['capt-endpoint', 'status', ['f:status']],
      ['unknown', undefined, ['f:metadata']],
    ]);
  });

  it('records the apiVersion each write was made at', () => {
    const store = new ObjectStore([{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: 'demo', namespace: 'team-a' }, spec: { paused: false } }], {
      crds: captEndpointCrds,
    });
    right(store.patch(clusterRef('v1beta2'), { spec: { controlPlaneEndpoint: endpoint } }, { fieldManager: 'capt-endpoint' }));
    const read = store.get(clusterRef('v1beta1'));
    expect(entries(read)).toMatchObject([{ manager: 'capt-endpoint', apiVersion: 'cluster.x-k8s.io/v1beta2' }]);
    expect(lastWriterOf(read, 'spec.controlPlaneEndpoint.port')).toBe('capt-endpoint');
  });

  it('the fake client records the fieldManager of patch, patchStatus, put and edit', async () => {
    const client = createFakeClient([controlPlane()]);
    right(await client.patch(cpRef, { spec: { controlPlaneEndpoint: endpoint } }, { fieldManager: 'capt-endpoint' })());
    client.edit(cpRef, { spec: { controlPlaneEndpoint: { port: 6443 } } }, { fieldManager: 'capt-controller' });
    const object = client.object(cpRef);
    expect(lastWriterOf(object, 'spec.controlPlaneEndpoint.host')).toBe('capt-endpoint');
    expect(lastWriterOf(object, 'spec.controlPlaneEndpoint.port')).toBe('capt-controller');
  });

  it('the loopback server takes the manager from fieldManager, else from the User-Agent, for the main resource and /status', async () => {
    const server = await startFakeApiServer({ objects: [controlPlane()] });
    try {
      const path = `${server.url}/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/team-a/captcontrolplanes/demo`;
      const patch = (body: unknown, query: string, userAgent: string) =>
        fetch(`${path}${query}`, { method: 'PATCH', body: JSON.stringify(body), headers: { 'Content-Type': 'application/merge-patch+json', 'User-Agent': userAgent } });
      expect((await patch({ spec: { version: '1.32' } }, '', 'kubectl/v1.31.0 (linux/amd64) kubernetes/abc')).status).toBe(200);
      expect((await patch({ spec: { controlPlaneEndpoint: endpoint } }, '?fieldManager=capt-endpoint', 'kubectl/v1.31.0')).status).toBe(200);
      const status = await fetch(`${path}/status?fieldManager=status-writer`, {
        method: 'PATCH',
        body: JSON.stringify({ status: { ready: true } }),
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      expect(status.status).toBe(200);
      const object = server.store.get({ ...cpRef });
      expect(lastWriterOf(object, 'spec.version')).toBe('kubectl');
      expect(lastWriterOf(object, 'spec.controlPlaneEndpoint')).toBe('capt-endpoint');
      expect(fieldOwners(object, 'status.ready')).toMatchObject([{ manager: 'status-writer', subresource: 'status' }]);
      // The object the server sends back carries them too.
      const read = (await (await fetch(path)).json()) as KubeObject;
      expect(lastWriterOf(read, 'spec.controlPlaneEndpoint.host')).toBe('capt-endpoint');
    } finally {
      await server.close();
    }
  });

  // managedFieldsAfter passes over what a merge patch left shared with the object before it:
  // the same owners must come out as from two objects that share nothing.
  it('records the same owners whether the object after a write shares its untouched parts with the one before or not', () => {
    fc.assert(
      fc.property(...ownershipCases(fc.constant({})), (object, patch, managedFields, by) => {
        const before = withManagedFields(object, managedFields);
        const after = applyMergePatch(before, patch);
        expect(managedFieldsAfter(before, after, by)).toEqual(managedFieldsAfter(copyJsonValue(before), copyJsonValue(after), by));
      }),
      { numRuns: 3000 },
    );
  });

  // An entry a write leaves as it was keeps its fieldsV1 when that is exactly what would be
  // written again: the same text must come out as from the same entries written again.
  it('keeps an untouched entry\'s fieldsV1 only where writing it again gives the same text', () => {
    /** The same fieldsV1 with a key no object holds, so that it is never kept as it is but written again. */
    const unkeepable = (fieldsV1: object) => ({ ...fieldsV1, 'x:nowhere': {} });
    fc.assert(
      fc.property(...ownershipCases(fc.oneof(fc.constant({}), fc.constant(1))), (object, patch, managedFields, by) => {
        const before = withManagedFields(object, managedFields);
        const after = applyMergePatch(before, patch);
        const rewrittenBefore = withManagedFields(object, managedFields.map((e) => ({ ...e, fieldsV1: unkeepable(e.fieldsV1) })));
        const text = (entries: ManagedFieldsEntry[]) => JSON.stringify(entries.map((e) => e.fieldsV1));
        expect(text(managedFieldsAfter(before, after, by))).toBe(text(managedFieldsAfter(rewrittenBefore, applyMergePatch(rewrittenBefore, patch), by)));
      }),
      { numRuns: 3000 },
    );
  });

  it('hands another manager\'s entry its own fieldsV1 back when the write left it as it was', () => {
    const store = new ObjectStore([], { now: clock() });
    right(store.create(controlPlane(), { fieldManager: 'kubectl-create' }));
    const theirs = (object: KubeObject | undefined) => entries(object).find((e) => e.manager === 'kubectl-create')!.fieldsV1;
    const first = right(store.patch(cpRef, { spec: { controlPlaneEndpoint: endpoint } }, { fieldManager: 'capt-endpoint' }));
    const before = { ...first, metadata: { ...first.metadata } };
    const after = applyMergePatch(before, { spec: { controlPlaneEndpoint: { port: 6443 } } }) as KubeObject;
    const written = managedFieldsAfter(before, after, { manager: 'capt-endpoint', apiVersion: cpRef.apiVersion, time: '2026-01-05T09:00:09Z' });
    expect(written.find((e) => e.manager === 'kubectl-create')!.fieldsV1).toBe(theirs(before));
    expect(written.find((e) => e.manager === 'capt-endpoint')!.fieldsV1).not.toBe(entries(before).find((e) => e.manager === 'capt-endpoint')!.fieldsV1);
  });
});
