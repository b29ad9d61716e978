// reconcileEndpoint beside another writer of the endpoint, through the fake cluster: a malformed
// endpoint is repaired, the other writer is named from managedFields, a writer that keeps
// overwriting ours makes the endpoint contested, and a dropped condition is restored.
import * as E from 'fp-ts/lib/Either.js';
import {
  ENDPOINT_WRITES_ANNOTATION,
  reconcileEndpoint,
  type ClusterClient,
  type KubeObject,
  type ObjectRef,
  type ReconcileOptions,
} from '@capt-endpoint/core';
import { createFakeClient, type FakeClient } from '../src';
import { EKS_HOST, EKS_URL, cluster, controlPlane, secret, workspace, workspaceApply } from '../../core/test/fixtures';

const CP: ObjectRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo-cp' };
const CLUSTER: ObjectRef = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: 'team-a', name: 'demo' };
const EKS = { host: EKS_HOST, port: 443 };
const AS_CAPT_WRITES = { host: EKS_URL, port: 443 };
const NOW = new Date('2026-12-02T10:00:00Z');
const target = { namespace: 'team-a', name: 'demo-cp' };

const seconds = (s: number): string => new Date(NOW.getTime() + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** managedFields as the API server records them when `manager` last wrote the endpoint at `time`. */
const writtenBy = (object: KubeObject, manager: string, time: string): KubeObject => ({
  ...object,
  metadata: {
    ...object.metadata,
    managedFields: [{ manager, operation: 'Update', apiVersion: object.apiVersion, time, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:controlPlaneEndpoint': { 'f:host': {}, 'f:port': {} } } } }],
  },
});

const withRecord = (object: KubeObject, writes: string[], probes = 0): KubeObject => ({
  ...object,
  metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [ENDPOINT_WRITES_ANNOTATION]: JSON.stringify({ writes, probes }) } },
});

const chain = (ws: KubeObject = workspace({ outputs: { cluster_endpoint: EKS_URL } })) => [workspaceApply('demo-eks'), ws];

const right = async (client: ClusterClient, options: ReconcileOptions = {}) => {
  const result = await reconcileEndpoint(client, target, { now: () => NOW, ...options })();
  if (E.isLeft(result)) throw new Error(`unexpected Left: ${result.left._tag}: ${result.left.message}`);
  return result.right;
};

const specOf = (fake: FakeClient, ref: ObjectRef) => (fake.object(ref) as KubeObject & { spec: Record<string, unknown> }).spec;
const conditionOf = (fake: FakeClient) =>
  (fake.object(CP) as KubeObject & { status: { conditions: Array<Record<string, string>> } }).status.conditions.find((c) => c['type'] === 'EndpointReady');
const ourSpecWrites = (fake: FakeClient) => fake.writes().filter((c) => c.verb === 'patch' && c.fieldManager === 'capt-endpoint');

describe('a malformed endpoint is repaired', () => {
  it("under 'keep', on both objects, as a repair that shows the old value and names its writer", async () => {
    const fake = createFakeClient([
      writtenBy(controlPlane({ endpoint: AS_CAPT_WRITES }), 'manager', seconds(-60)),
      writtenBy(cluster(AS_CAPT_WRITES), 'manager', seconds(-60)),
      ...chain(),
    ]);
    const outcome = await right(fake);
    expect(outcome).toMatchObject({ _tag: 'Repaired', endpoint: EKS, updated: ['CAPTControlPlane', 'Cluster', 'CAPTControlPlaneStatus'] });
    expect(outcome.repair).toMatchObject({
      objects: ['CAPTControlPlane', 'Cluster'],
      held: `host ${JSON.stringify(EKS_URL)}, port 443`,
      writer: { manager: 'manager', operation: 'Update', time: seconds(-60) },
    });
    expect(specOf(fake, CP)['controlPlaneEndpoint']).toEqual(EKS);
    expect(specOf(fake, CLUSTER)['controlPlaneEndpoint']).toEqual(EKS);
    const condition = conditionOf(fake);
    expect(condition).toMatchObject({ status: 'True', reason: 'EndpointRepaired' });
    expect(condition?.['message']).toContain(`held host ${JSON.stringify(EKS_URL)}, port 443`);
    expect(condition?.['message']).toContain(`field manager "manager" (Update at ${seconds(-60)})`);
    // The next reconcile finds the endpoint in place: a steady state, so nothing is written and the repair stays on record.
    expect(await right(fake)).toMatchObject({ _tag: 'UpToDate', updated: [] });
    expect(conditionOf(fake)).toEqual(condition);
    // Until the endpoint moves on: then the condition says what holds now.
    fake.edit(CP, { spec: { controlPlaneEndpoint: null } });
    fake.edit(CLUSTER, { spec: { controlPlaneEndpoint: null } });
    expect(await right(fake)).toMatchObject({ _tag: 'Updated' });
    expect(conditionOf(fake)).toMatchObject({ status: 'True', reason: 'EndpointSet' });
  });

  it.each([
    ['a path', { host: 'api.example.com/k8s', port: 443 }],
    ['a zero port with a host', { host: EKS_HOST, port: 0 }],
    ['a host the parser rejects', { host: 'api_example.com', port: 443 }],
  ])('%s counts as malformed', async (_, held) => {
    const fake = createFakeClient([controlPlane({ endpoint: held }), cluster(held), ...chain()]);
    expect(await right(fake)).toMatchObject({ _tag: 'Repaired', endpoint: EKS });
    expect(specOf(fake, CP)['controlPlaneEndpoint']).toEqual(EKS);
  });

  it("'keep' still protects a well-formed endpoint, and the drift names who wrote it", async () => {
    const other = { host: 'api.other.example', port: 6443 };
    const fake = createFakeClient([
      writtenBy(controlPlane({ endpoint: other }), 'kubectl-edit', seconds(-5)),
      writtenBy(cluster(other), 'kubectl-edit', seconds(-5)),
      ...chain(),
    ]);
    const outcome = await right(fake);
    expect(outcome).toMatchObject({ _tag: 'Drift', drift: { current: other, writer: { manager: 'kubectl-edit', time: seconds(-5) } } });
    expect(ourSpecWrites(fake)).toHaveLength(0);
    expect(conditionOf(fake)?.['message']).toContain(`last written by field manager "kubectl-edit" (Update at ${seconds(-5)})`);
  });

  it('a value from a Secret is never shown, in the outcome, the condition or the log', async () => {
    const raw = 'https://SECRET0123456789.gr7.us-west-2.eks.amazonaws.com';
    const held = { host: raw, port: 443 };
    const lines: string[] = [];
    const log = (fields: object, message: string) => lines.push(JSON.stringify(fields), message);
    const logger = { debug: log, info: log, warn: log, error: log };
    let clock = NOW.getTime();
    const now = () => new Date(clock);
    const fake = createFakeClient(
      [
        writtenBy(controlPlane({ endpoint: held }), 'manager', seconds(-60)),
        writtenBy(cluster(held), 'manager', seconds(-60)),
        workspaceApply('demo-eks'),
        workspace({ outputs: {}, secretRef: { name: 'demo-eks-conn', namespace: 'team-a' } }),
        secret({ cluster_endpoint: raw }),
      ],
      { now },
    );
    const outcomes = [];
    // We repair; the other writer puts the raw value back; we repair again; it answers again: contested.
    for (const step of [0, 10, 30, 40, 60]) {
      clock = NOW.getTime() + step * 1000;
      if (step === 10 || step === 40) await fake.patch(CP, { spec: { controlPlaneEndpoint: held } }, { fieldManager: 'manager' })();
      else outcomes.push(await right(fake, { logger, now }));
    }
    expect(outcomes.map((o) => o._tag)).toEqual(['Repaired', 'Repaired', 'Contested']);
    expect(outcomes[0]?.repair?.held).toBeUndefined();
    expect(outcomes[2]?.contest).toMatchObject({ writer: { manager: 'manager' }, value: undefined });
    // The endpoint parsed from it is written to the spec and shown; the raw value never is.
    const reported = JSON.stringify([outcomes, lines, fake.object(CP)?.['status']]);
    expect(reported).not.toContain(raw);
    expect(reported).not.toContain('SECRET0123456789');
  });
});

describe('another writer that keeps overwriting the endpoint', () => {
  const contestedObjects = (): KubeObject[] => [
    withRecord(writtenBy(controlPlane({ endpoint: AS_CAPT_WRITES }), 'manager', seconds(-29)), [seconds(-60), seconds(-30)]),
    withRecord(writtenBy(cluster(AS_CAPT_WRITES), 'manager', seconds(-29)), [seconds(-60), seconds(-30)]),
    ...chain(),
  ];

  it('after two of our writes it answers within the window, is contested: no spec write, a False condition naming it', async () => {
    const fake = createFakeClient(contestedObjects());
    const outcome = await right(fake);
    expect(outcome).toMatchObject({
      _tag: 'Contested',
      updated: ['CAPTControlPlaneStatus'],
      contest: { objects: ['CAPTControlPlane', 'Cluster'], writer: { manager: 'manager' }, value: `host ${JSON.stringify(EKS_URL)}, port 443`, resumeAt: seconds(571) },
      requeueAfter: 571_000,
    });
    expect(ourSpecWrites(fake)).toHaveLength(0);
    const condition = conditionOf(fake);
    expect(condition).toMatchObject({ status: 'False', reason: 'EndpointContested' });
    expect(condition?.['message']).toContain('field manager "manager"');
    expect(condition?.['message']).toContain(`keeps writing host ${JSON.stringify(EKS_URL)}, port 443`);
    expect(condition?.['message']).toContain('docs/migrating-from-go.md');
    // Steady while contested: nothing more to write.
    expect(await right(fake)).toMatchObject({ _tag: 'Contested', updated: [] });
  });

  it("the same under 'update'", async () => {
    const fake = createFakeClient(contestedObjects());
    expect(await right(fake, { onEndpointChange: 'update' })).toMatchObject({ _tag: 'Contested', contest: { writer: { manager: 'manager' } } });
    expect(ourSpecWrites(fake)).toHaveLength(0);
  });

  it('once the other writer has been quiet for the window, writes again and records it', async () => {
    const fake = createFakeClient(contestedObjects());
    const outcome = await right(fake, { now: () => new Date(NOW.getTime() + 571_000) });
    expect(outcome).toMatchObject({ _tag: 'Repaired', endpoint: EKS });
    const record = JSON.parse((fake.object(CP)?.metadata.annotations ?? {})[ENDPOINT_WRITES_ANNOTATION] ?? '{}');
    expect(record).toEqual({ writes: [seconds(-30), seconds(571)], probes: 1 });
  });

  it('the contestWindow option sets the window', async () => {
    const fake = createFakeClient(contestedObjects());
    expect(await right(fake, { contestWindow: 20_000 })).toMatchObject({ _tag: 'Repaired' });
  });
});

describe('field owners through a client whose reads drop managedFields', () => {
  it('reads the one object again with them, only when it holds an endpoint other than ours', async () => {
    const fake = createFakeClient([writtenBy(controlPlane({ endpoint: AS_CAPT_WRITES }), 'manager', seconds(-60)), writtenBy(cluster(EKS), 'capt-endpoint', seconds(-90)), ...chain()]);
    const asked: Array<{ kind: string; managedFields: boolean }> = [];
    const client: ClusterClient = {
      get: (ref, options) => async () => {
        asked.push({ kind: ref.kind, managedFields: options?.managedFields === true });
        const result = await fake.get(ref)();
        if (options?.managedFields === true || E.isLeft(result) || result.right === undefined) return result;
        const { managedFields: _dropped, ...metadata } = result.right.metadata;
        return E.right({ ...result.right, metadata });
      },
      patch: (ref, patch, options) => fake.patch(ref, patch, options),
      patchStatus: (ref, patch, options) => fake.patchStatus(ref, patch, options),
    };
    const outcome = await right(client);
    expect(outcome).toMatchObject({ _tag: 'Repaired', repair: { objects: ['CAPTControlPlane'], writer: { manager: 'manager' } } });
    expect(asked.filter((a) => a.managedFields)).toEqual([{ kind: 'CAPTControlPlane', managedFields: true }]);
    // In place now: no read asks for field owners.
    asked.length = 0;
    await right(client);
    expect(asked.some((a) => a.managedFields)).toBe(false);
  });
});

describe('our condition is kept', () => {
  it("another writer's status patch that drops it is undone by one status write, touching nothing else", async () => {
    const fake = createFakeClient([controlPlane(), cluster(), ...chain()]);
    await right(fake);
    const kept = conditionOf(fake);
    // As CAPT's status merge patch does: the whole conditions array from its own copy.
    await fake.patchStatus(CP, { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', lastTransitionTime: seconds(5) }] } }, { fieldManager: 'manager' })();
    fake.resetCalls();
    const before = fake.object(CP);
    const outcome = await right(fake);
    expect(outcome).toMatchObject({ _tag: 'UpToDate', updated: ['CAPTControlPlaneStatus'] });
    expect(fake.writes().map((c) => [c.verb, c.kind])).toEqual([['patchStatus', 'CAPTControlPlane']]);
    expect(fake.writes()[0]?.body).toEqual({
      metadata: { resourceVersion: before?.metadata.resourceVersion },
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', lastTransitionTime: seconds(5) }, { ...kept, lastTransitionTime: expect.any(String) }] },
    });
    // Apart from the condition (and the server's own record of the write), nothing moved.
    const unmoved = (o: KubeObject | undefined) => ({ ...o, metadata: { ...o?.metadata, resourceVersion: '', managedFields: [] }, status: {} });
    expect(unmoved(fake.object(CP))).toEqual(unmoved(before));
  });
});
