// CRDs in the fake: versions, pruning, defaults, validation and the status subresource, as the
// API server does them, through the store, the fake client and the loopback server.
import * as E from 'fp-ts/lib/Either.js';
import { stringify } from 'yaml';
import type { KubeObject, ObjectRef } from '@capt-endpoint/core';
import {
  captEndpointCrds,
  clusterCrd,
  clusterCrdWith,
  clusterEndpointConverter,
  createFakeClient,
  isInvalidObjectError,
  isNotServed,
  ObjectStore,
  startFakeApiServer,
  type CustomResourceDefinition,
  type InvalidObjectError,
  type JsonSchema,
} from '../src';
import { left, right } from './fixtures';

const cpRef: ObjectRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo' };
const controlPlane = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: cpRef.apiVersion,
  kind: cpRef.kind,
  metadata: { name: 'demo', namespace: 'team-a' },
  spec: { version: '1.31', workspaceTemplateRef: { name: 'eks-controlplane-template' }, ...spec },
});

const clusterAt = (version: 'v1beta1' | 'v1beta2', spec: Record<string, unknown>): KubeObject => ({
  apiVersion: `cluster.x-k8s.io/${version}`,
  kind: 'Cluster',
  metadata: { name: 'demo', namespace: 'team-a' },
  spec,
});
const clusterRef = (version: 'v1beta1' | 'v1beta2'): ObjectRef => ({ apiVersion: `cluster.x-k8s.io/${version}`, kind: 'Cluster', namespace: 'team-a', name: 'demo' });

const workspace = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'tf.upbound.io/v1beta1',
  kind: 'Workspace',
  metadata: { name: 'demo-eks-controlplane' },
  spec: { forProvider: { source: 'Remote', module: 'git::https://example.com/eks.git' }, ...spec },
});
const wsRef: ObjectRef = { apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: 'demo-eks-controlplane' };

/** A one-version CRD of group example.com with no status subresource. */
const exampleCrd = (kind: string, plural: string, scope: 'Namespaced' | 'Cluster', openAPIV3Schema: JsonSchema): CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.example.com` },
  spec: { group: 'example.com', names: { kind, plural }, scope, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema } }] },
});

const store = (objects: KubeObject[] = [], crds = captEndpointCrds) => new ObjectStore(objects, { crds });

const invalidCauses = (result: E.Either<unknown, unknown>) => {
  const error = left(result as E.Either<InvalidObjectError, unknown>);
  expect(error).toMatchObject({ code: 422, statusReason: 'Invalid', kind: 'Invalid' });
  return error.causes.map(({ field, reason }) => [field, reason]);
};

describe('CRDs in the store: loading', () => {
  it('takes CRD objects or multi-document YAML text, as kubectl prints them', () => {
    const yaml = captEndpointCrds.map((crd) => stringify(crd)).join('---\n');
    for (const crds of [captEndpointCrds, yaml, stringify({ apiVersion: 'v1', kind: 'List', items: captEndpointCrds })]) {
      const s = new ObjectStore([], { crds });
      expect(s.customResources.size).toBe(5);
      // A required field is enforced only because the CRD was read.
      expect(invalidCauses(s.create({ ...controlPlane(), spec: { version: '1.31' } }))).toEqual([['spec.workspaceTemplateRef', 'FieldValueRequired']]);
    }
  });

  it('refuses a text or object that is not a usable CRD, without quoting it', () => {
    expect(() => new ObjectStore([], { crds: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n' })).toThrow('apiextensions.k8s.io/v1 CustomResourceDefinition');
    expect(() => new ObjectStore([], { crds: 'a: [unclosed' })).toThrow(/YAML document at line 1/);
    const twoStorage = structuredClone(clusterCrd) as unknown as { spec: { versions: Array<{ storage: boolean }> } };
    for (const v of twoStorage.spec.versions) v.storage = true;
    expect(() => new ObjectStore([], { crds: [twoStorage as unknown as CustomResourceDefinition] })).toThrow('exactly one version must be the storage version');
  });

  it('bounds alias expansion in YAML text', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(() => new ObjectStore([], { crds: laughs })).toThrow(/YAML document at line 1 is refused/);
  });

  it('without crds, keeps every kind as before: unchecked, at the apiVersion written', () => {
    const s = new ObjectStore([clusterAt('v1beta1', { unknownField: 1 })]);
    expect(s.get(clusterRef('v1beta1'))?.spec).toEqual({ unknownField: 1 });
    expect(s.get(clusterRef('v1beta2'))).toBeUndefined();
  });
});

describe('CRDs in the store: seeding', () => {
  it('throws at once for an object its schema rejects, naming the object and the field', () => {
    expect(() => store([{ ...controlPlane(), spec: { version: '1.31' } }])).toThrow(
      'ObjectStore.add CAPTControlPlane team-a/demo: CAPTControlPlane.controlplane.cluster.x-k8s.io "demo" is invalid: spec.workspaceTemplateRef: Required value',
    );
    expect(() => store([clusterAt('v1beta2', { controlPlaneEndpoint: { host: 'h', port: 0 } })])).toThrow('spec.controlPlaneEndpoint.port');
  });

  it('throws for an object at a version that is not served', () => {
    expect(() => new ObjectStore([clusterAt('v1beta1', {})], { crds: [clusterCrdWith({ v1beta1: false, v1beta2: true })] })).toThrow(
      'Cluster team-a/demo: the server could not find the requested resource',
    );
  });
});

describe('CRDs in the store: pruning and defaults', () => {
  it('drops fields the schema does not know, on create and on patch', () => {
    const s = store([controlPlane({ notInSchema: true, controlPlaneEndpoint: { host: 'h', port: 443, scheme: 'https' } })]);
    expect(s.get(cpRef)?.spec).toEqual({ version: '1.31', workspaceTemplateRef: { name: 'eks-controlplane-template' }, controlPlaneEndpoint: { host: 'h', port: 443 } });
    const patched = right(s.patch(cpRef, { spec: { extra: 'x', additionalTags: { team: 'a' } } }));
    expect(patched.spec).not.toHaveProperty('extra');
    expect(patched.spec).toMatchObject({ additionalTags: { team: 'a' } });
  });

  it('keeps what x-kubernetes-preserve-unknown-fields allows: any Terraform output value, varmap', () => {
    const outputs = { cluster_endpoint: 'https://abc.eks.amazonaws.com', port: 443, subnets: ['a', 'b'], endpoint: { host: 'h', port: 6443 } };
    const s = store([{ ...workspace({ forProvider: { source: 'Inline', module: 'x', varmap: { nested: { any: [1] } } } }), status: { atProvider: { outputs } } }]);
    const stored = s.get(wsRef) as KubeObject & { spec: { forProvider: Record<string, unknown> }; status: { atProvider: { outputs: unknown } } };
    expect(stored.status.atProvider.outputs).toEqual(outputs);
    expect(stored.spec.forProvider['varmap']).toEqual({ nested: { any: [1] } });
  });

  it('keeps an embedded resource whole at its apiVersion, kind and metadata, and prunes the rest by its schema', () => {
    const crd = exampleCrd('Wrapper', 'wrappers', 'Namespaced', {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } },
        },
      },
    });
    const s = new ObjectStore([], { crds: [crd] });
    const template = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inner', labels: { a: 'b' } }, spec: { size: 1, dropped: true }, other: 1 };
    const created = right(s.create({ apiVersion: 'example.com/v1', kind: 'Wrapper', metadata: { name: 'w', namespace: 'n' }, spec: { template } }));
    expect((created['spec'] as { template: unknown }).template).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inner', labels: { a: 'b' } }, spec: { size: 1 } });
  });

  it('fills in defaults where a field is absent, in spec and in status', () => {
    const s = store([workspace(), controlPlane({ controlPlaneConfig: { region: 'eu-west-1', timeouts: {} } })]);
    expect(s.get(wsRef)?.spec).toMatchObject({ deletionPolicy: 'Delete', managementPolicies: ['*'], providerConfigRef: { name: 'default' }, forProvider: { entrypoint: '', remotePullPolicy: 'Always' } });
    expect(s.get(cpRef)?.spec).toMatchObject({ controlPlaneConfig: { timeouts: { controlPlaneTimeout: 30, vpcReadyTimeout: 15 } } });
    const status = right(s.patch(cpRef, { status: { ready: false } }, { subresource: 'status' }))['status'];
    expect(status).toEqual({ ready: false, secretsReady: false });
  });
});

describe('CRDs in the store: validation', () => {
  const s = () => store([controlPlane(), clusterAt('v1beta2', { controlPlaneEndpoint: { host: 'api.example.com', port: 443 } }), workspace()]);
  const condition = { type: 'EndpointReady', status: 'True', reason: 'Resolved', message: '', lastTransitionTime: '2026-01-05T09:00:00Z' };

  it.each([
    ['type', cpRef, { spec: { controlPlaneEndpoint: { host: 'h', port: '443' } } }, 'spec.controlPlaneEndpoint.port', 'FieldValueTypeInvalid'],
    ['required', cpRef, { spec: { controlPlaneEndpoint: { host: 'h' } } }, 'spec.controlPlaneEndpoint.port', 'FieldValueRequired'],
    ['enum', wsRef, { spec: { forProvider: { source: 'Git' } } }, 'spec.forProvider.source', 'FieldValueNotSupported'],
    ['pattern', cpRef, { spec: { controlPlaneConfig: { region: 'Europe' } } }, 'spec.controlPlaneConfig.region', 'FieldValueInvalid'],
    ['minLength', clusterRef('v1beta2'), { spec: { controlPlaneEndpoint: { host: '' } } }, 'spec.controlPlaneEndpoint.host', 'FieldValueInvalid'],
    ['maxLength', clusterRef('v1beta2'), { spec: { controlPlaneEndpoint: { host: 'h'.repeat(513) } } }, 'spec.controlPlaneEndpoint.host', 'FieldValueTooLong'],
    ['minimum', clusterRef('v1beta2'), { spec: { controlPlaneEndpoint: { port: 0 } } }, 'spec.controlPlaneEndpoint.port', 'FieldValueInvalid'],
    ['maximum', clusterRef('v1beta2'), { spec: { controlPlaneEndpoint: { port: 65536 } } }, 'spec.controlPlaneEndpoint.port', 'FieldValueInvalid'],
    ['minProperties', clusterRef('v1beta2'), { spec: { controlPlaneEndpoint: { host: null, port: null } } }, 'spec.controlPlaneEndpoint', 'FieldValueInvalid'],
    ['maxItems', clusterRef('v1beta2'), { spec: { availabilityGates: Array.from({ length: 33 }, (_, i) => ({ conditionType: `Gate${i}` })) } }, 'spec.availabilityGates', 'FieldValueTooMany'],
  ])('%s: a patch that breaks it is a 422 naming the field, and nothing is written', (_rule, ref, patch, field, reason) => {
    const target = s();
    const before = target.get(ref);
    expect(invalidCauses(target.patch(ref, patch))).toContainEqual([field, reason]);
    expect(target.get(ref)).toEqual(before);
  });

  it('format date-time and the condition patterns, on a status patch', () => {
    const target = s();
    const bad = { ...condition, type: 'Endpoint Ready', reason: 'not-a-reason', lastTransitionTime: 'yesterday' };
    expect(invalidCauses(target.patch(cpRef, { status: { conditions: [bad] } }, { subresource: 'status' }))).toEqual([
      ['status.conditions[0].type', 'FieldValueInvalid'],
      ['status.conditions[0].reason', 'FieldValueInvalid'],
      ['status.conditions[0].lastTransitionTime', 'FieldValueInvalid'],
    ]);
    expect(right(target.patch(cpRef, { status: { conditions: [condition] } }, { subresource: 'status' }))['status']).toMatchObject({ conditions: [condition] });
  });

  it('words the Status as the API server does, listing every cause', () => {
    const error = left(s().patch(cpRef, { spec: { version: 131, controlPlaneEndpoint: { host: 'h' } } })) as InvalidObjectError;
    expect(error.message).toBe(
      'CAPTControlPlane.controlplane.cluster.x-k8s.io "demo" is invalid: [spec.version: Invalid value: "integer": spec.version in body must be of type string: 131, spec.controlPlaneEndpoint.port: Required value]',
    );
    expect(error.details).toEqual({ name: 'demo', group: 'controlplane.cluster.x-k8s.io', kind: 'CAPTControlPlane' });
    expect(isInvalidObjectError(error)).toBe(true);
  });

  it('lets a write leave a field that is already invalid as it is (validation ratcheting), and judges what it changes', () => {
    // Seeded at v1beta1 with the unset endpoint, which v1beta2's bounds reject; conversion None keeps it.
    const target = store([clusterAt('v1beta1', { controlPlaneEndpoint: { host: '', port: 0 } })]);
    expect(right(target.patch(clusterRef('v1beta2'), { spec: { paused: true } }))['spec']).toMatchObject({ paused: true });
    // The host is judged (it changed), the port left at 0 is not; a port changed to another bad value is.
    expect(invalidCauses(target.patch(clusterRef('v1beta2'), { spec: { controlPlaneEndpoint: { host: 'h'.repeat(513) } } }))).toEqual([
      ['spec.controlPlaneEndpoint.host', 'FieldValueTooLong'],
    ]);
    expect(invalidCauses(target.patch(clusterRef('v1beta2'), { spec: { controlPlaneEndpoint: { host: 'h', port: -1 } } }))).toEqual([
      ['spec.controlPlaneEndpoint.port', 'FieldValueInvalid'],
    ]);
  });
});

describe('CRDs in the store: versions', () => {
  const endpoint = { host: 'abc.gr7.eu-west-1.eks.amazonaws.com', port: 443 };

  it('stores one object, at the storage version, read and patched at every served version', () => {
    const s = store([clusterAt('v1beta1', { paused: false })]);
    expect(s.all().map((o) => o.apiVersion)).toEqual(['cluster.x-k8s.io/v1beta2']);
    expect(s.get(clusterRef('v1beta1'))?.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    const patched = right(s.patch(clusterRef('v1beta2'), { spec: { controlPlaneEndpoint: endpoint } }));
    expect(patched).toMatchObject({ apiVersion: 'cluster.x-k8s.io/v1beta2', spec: { controlPlaneEndpoint: endpoint } });
    expect(s.get(clusterRef('v1beta1'))).toMatchObject({ apiVersion: 'cluster.x-k8s.io/v1beta1', spec: { controlPlaneEndpoint: endpoint } });
    expect(s.list('cluster.x-k8s.io/v1beta1', 'Cluster', 'team-a').items.map((o) => o.apiVersion)).toEqual(['cluster.x-k8s.io/v1beta1']);
    expect(s.list('cluster.x-k8s.io/v1beta2', 'Cluster').items).toHaveLength(1);
  });

  it('and the reverse: seeded at v1beta2, patched at v1beta1; one resourceVersion sequence for both', () => {
    const s = store([clusterAt('v1beta2', { paused: true })]);
    const before = Number(s.get(clusterRef('v1beta1'))?.metadata.resourceVersion);
    const patched = right(s.patch(clusterRef('v1beta1'), { spec: { controlPlaneEndpoint: endpoint } }));
    expect(Number(patched.metadata.resourceVersion)).toBe(before + 1);
    expect(s.get(clusterRef('v1beta2'))?.spec).toEqual({ paused: true, controlPlaneEndpoint: endpoint });
    expect(s.get(clusterRef('v1beta2'))?.metadata.resourceVersion).toBe(patched.metadata.resourceVersion);
    // A stale resourceVersion is a conflict whatever version it was read at.
    expect(left(s.patch(clusterRef('v1beta2'), { metadata: { resourceVersion: String(before) }, spec: { paused: false } })).code).toBe(409);
  });

  it('an unserved version is a 404 for the resource type, told apart from a missing object', () => {
    const s = store([clusterAt('v1beta2', { paused: false })], [clusterCrdWith({ v1beta1: false, v1beta2: true })]);
    const unserved = left(s.find(clusterRef('v1beta1')));
    expect(unserved).toMatchObject({ kind: 'NotServed', code: 404, statusReason: 'NotFound', message: 'the server could not find the requested resource' });
    expect(isNotServed(unserved)).toBe(true);
    const missing = left(s.find({ ...clusterRef('v1beta2'), name: 'gone' }));
    expect(missing).toMatchObject({ kind: 'NotFound', code: 404, message: 'clusters.cluster.x-k8s.io "gone" not found' });
    expect(isNotServed(missing)).toBe(false);
    expect(isNotServed(left(s.patch(clusterRef('v1beta1'), { spec: { paused: true } })))).toBe(true);
    expect(s.list('cluster.x-k8s.io/v1beta1', 'Cluster').items).toEqual([]);
  });

  it('the fake client: absent object is Right(undefined), an unserved version is a Left', async () => {
    const client = createFakeClient([clusterAt('v1beta2', { paused: false })], { crds: [clusterCrdWith({ v1beta1: false, v1beta2: true })] });
    expect(isNotServed(left(await client.get(clusterRef('v1beta1'))()))).toBe(true);
    expect(right(await client.get({ ...clusterRef('v1beta2'), name: 'gone' })())).toBeUndefined();
    expect(right(await client.get(clusterRef('v1beta2'))())?.apiVersion).toBe('cluster.x-k8s.io/v1beta2');
  });

  it('a custom converter maps between versions: Cluster API\'s unset endpoint', () => {
    const s = new ObjectStore([clusterAt('v1beta1', { controlPlaneEndpoint: { host: '', port: 0 }, paused: false })], { crds: [clusterCrd], convert: clusterEndpointConverter });
    expect(s.all()[0]?.['spec']).toEqual({ paused: false });
    expect(s.get(clusterRef('v1beta1'))?.['spec']).toEqual({ paused: false, controlPlaneEndpoint: { host: '', port: 0 } });
    right(s.patch(clusterRef('v1beta2'), { spec: { controlPlaneEndpoint: endpoint } }));
    expect(s.get(clusterRef('v1beta1'))?.['spec']).toEqual({ paused: false, controlPlaneEndpoint: endpoint });
    right(s.patch(clusterRef('v1beta1'), { spec: { controlPlaneEndpoint: { host: '', port: 0 } } }));
    expect(s.get(clusterRef('v1beta2'))?.['spec']).toEqual({ paused: false });
  });

  it('watchers of each version see the write at their version', () => {
    const s = store([clusterAt('v1beta2', { paused: false })]);
    const seen: string[] = [];
    s.watch((event) => seen.push(`${event.type} ${event.object.apiVersion}`), { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' });
    const from = s.resourceVersion;
    right(s.patch(clusterRef('v1beta2'), { spec: { paused: true } }));
    expect(seen).toEqual(['MODIFIED cluster.x-k8s.io/v1beta1']);
    const changes = right(s.changesSince(from, { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' }));
    expect(changes.map((c) => [c.event.object.apiVersion, c.previous?.apiVersion])).toEqual([['cluster.x-k8s.io/v1beta1', 'cluster.x-k8s.io/v1beta1']]);
  });
});

describe('CRDs in the store: the status subresource', () => {
  const noStatusCrd = exampleCrd('Plain', 'plain', 'Cluster', {
    type: 'object',
    properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, status: { type: 'object', properties: { phase: { type: 'string' } } } },
  });
  const ref: ObjectRef = { apiVersion: 'example.com/v1', kind: 'Plain', name: 'p' };

  it('without it, /status is not served and the main resource writes status (bumping generation)', () => {
    const s = new ObjectStore([{ apiVersion: 'example.com/v1', kind: 'Plain', metadata: { name: 'p' }, spec: {} }], { crds: [noStatusCrd] });
    expect(isNotServed(left(s.patch(ref, { status: { phase: 'x' } }, { subresource: 'status' })))).toBe(true);
    const patched = right(s.patch(ref, { status: { phase: 'Ready' } }));
    expect(patched).toMatchObject({ status: { phase: 'Ready' }, metadata: { generation: 2 } });
  });

  it('with it, the main resource ignores status and /status changes only status', () => {
    const s = store([controlPlane()]);
    expect(right(s.patch(cpRef, { status: { ready: true } }))['status']).toBeUndefined();
    const patched = right(s.patch(cpRef, { spec: { version: '1.32' }, status: { ready: true } }, { subresource: 'status' }));
    expect(patched).toMatchObject({ spec: { version: '1.31' }, status: { ready: true }, metadata: { generation: 1 } });
  });
});

describe('CRDs over the loopback server', () => {
  const call = async (url: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, { method, ...(body ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/merge-patch+json' } } : {}) });
    const text = await response.text();
    return { code: response.status, text, body: (response.headers.get('content-type') === 'application/json' ? JSON.parse(text) : {}) as Record<string, any> };
  };
  const v1beta1 = '/apis/cluster.x-k8s.io/v1beta1/namespaces/team-a/clusters';
  const v1beta2 = '/apis/cluster.x-k8s.io/v1beta2/namespaces/team-a/clusters';

  it('answers a 422 whose Status lists each field and reason', async () => {
    const server = await startFakeApiServer({ objects: [clusterAt('v1beta2', { paused: false })], crds: captEndpointCrds });
    try {
      const { code, body } = await call(server.url, 'PATCH', `${v1beta2}/demo`, { spec: { controlPlaneEndpoint: { host: '', port: 70000 } } });
      expect(code).toBe(422);
      expect(body).toMatchObject({
        kind: 'Status',
        reason: 'Invalid',
        code: 422,
        details: {
          name: 'demo',
          group: 'cluster.x-k8s.io',
          kind: 'Cluster',
          causes: [
            { field: 'spec.controlPlaneEndpoint.host', reason: 'FieldValueInvalid' },
            { field: 'spec.controlPlaneEndpoint.port', reason: 'FieldValueInvalid', message: expect.stringContaining('less than or equal to 65535') },
          ],
        },
      });
    } finally {
      await server.close();
    }
  });

  it('serves every served version of one object, and 404s an unserved one unlike a missing object', async () => {
    const server = await startFakeApiServer({ objects: [clusterAt('v1beta1', {})], crds: captEndpointCrds });
    try {
      await call(server.url, 'PATCH', `${v1beta2}/demo`, { spec: { paused: true } });
      expect(await call(server.url, 'GET', `${v1beta1}/demo`)).toMatchObject({ code: 200, body: { apiVersion: 'cluster.x-k8s.io/v1beta1', spec: { paused: true } } });
      expect((await call(server.url, 'GET', v1beta1)).body).toMatchObject({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'ClusterList', items: [{ apiVersion: 'cluster.x-k8s.io/v1beta1' }] });
    } finally {
      await server.close();
    }
    const later = await startFakeApiServer({ objects: [clusterAt('v1beta2', { paused: false })], crds: [clusterCrdWith({ v1beta1: false, v1beta2: true })] });
    try {
      const unserved = await call(later.url, 'GET', `${v1beta1}/demo`);
      // kube-apiserver hands a CRD version it does not serve to its last handler: Go's plain 404.
      expect(unserved).toMatchObject({ code: 404, text: '404 page not found\n' });
      const missing = await call(later.url, 'GET', `${v1beta2}/gone`);
      expect(missing).toMatchObject({ code: 404, body: { reason: 'NotFound', message: 'clusters.cluster.x-k8s.io "gone" not found', details: { name: 'gone' } } });
    } finally {
      await later.close();
    }
  });
});
