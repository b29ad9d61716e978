// The library beside CAPT's own controller (the simulator of its updateStatus), with the real
// kinds' schemas loaded: the simulator does what CAPT does, and the library repairs, names
// CAPT, stops answering write for write, keeps its condition, and settles once CAPT is quiet.
import * as E from 'fp-ts/lib/Either.js';
import { reconcileEndpoint, type ReconcileOutcome, type KubeObject, type ObjectRef, type ReconcileOptions } from '@capt-endpoint/core';
import { CaptSimulator, captEndpointCrds, createFakeClient, ObjectStore, type FakeClient } from '../src';
import { EKS_HOST, EKS_URL, cluster, controlPlane, workspace, workspaceApply } from '../../core/test/fixtures';

const CP: ObjectRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo-cp' };
const CLUSTER: ObjectRef = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: 'team-a', name: 'demo' };
const EKS = { host: EKS_HOST, port: 443 };
const AS_CAPT_WRITES = { host: EKS_URL, port: 443 };
const START = Date.parse('2026-12-02T10:00:00Z');
const target = { namespace: 'team-a', name: 'demo-cp' };

/** A WorkspaceTemplateApply that CAPT finds Ready. */
const readyApply = (): KubeObject => {
  const apply = workspaceApply('demo-eks');
  return { ...apply, status: { ...(apply['status'] as object), conditions: [{ type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2026-12-02T09:00:00Z' }] } };
};

/** A cluster that holds the Workspace, a clock, CAPT and the library, side by side. */
const side = (objects: KubeObject[] = [controlPlane(), cluster(), readyApply(), workspace({ outputs: { cluster_endpoint: EKS_URL } })]) => {
  let clock = START;
  const now = () => new Date(clock);
  const store = new ObjectStore(objects, { crds: captEndpointCrds, now });
  const ours = createFakeClient([], { store });
  return {
    store,
    now,
    capt: new CaptSimulator(store, { controlPlane: target, now }),
    fake: ours,
    /** Moves the clock to `seconds` after the start. */
    at(seconds: number) {
      clock = START + seconds * 1000;
    },
    async reconcile(fake: FakeClient = ours, options: ReconcileOptions = {}): Promise<ReconcileOutcome> {
      const result = await reconcileEndpoint(fake, target, { now, ...options })();
      if (E.isLeft(result)) throw new Error(`unexpected Left: ${result.left._tag}: ${result.left.message}`);
      return result.right;
    },
  };
};

type Stored = KubeObject & { spec: Record<string, unknown>; status?: { conditions?: Array<Record<string, unknown>> } };
const stored = (store: ObjectStore, ref: ObjectRef) => store.get(ref) as Stored;
const endpointReady = (store: ObjectStore) => stored(store, CP).status?.conditions?.find((c) => c['type'] === 'EndpointReady');
/** Our writes of an object's endpoint: patches of the main resource that set spec.controlPlaneEndpoint. */
const endpointWrites = (fake: FakeClient, kind: string) =>
  fake.writes().filter((c) => c.verb === 'patch' && c.kind === kind && JSON.stringify(c.body ?? {}).includes('controlPlaneEndpoint')).length;

describe('CaptSimulator does what CAPT does', () => {
  it('writes the raw output as host, port 443, on both objects, as field manager "manager"', () => {
    const { store, capt } = side();
    expect(capt.pass()).toEqual({ _tag: 'Ready', writes: 3, endpoint: AS_CAPT_WRITES });
    expect(stored(store, CP).spec['controlPlaneEndpoint']).toEqual(AS_CAPT_WRITES);
    expect(stored(store, CLUSTER).spec['controlPlaneEndpoint']).toEqual(AS_CAPT_WRITES);
    const writers = (stored(store, CP).metadata['managedFields'] as Array<{ manager: string; fieldsV1: Record<string, unknown> }>).filter((e) => 'f:spec' in e.fieldsV1);
    expect(writers.map((e) => e.manager)).toEqual(['manager']);
    expect(stored(store, CP).status?.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Ready' }));
  });

  it('waits while the WorkspaceTemplateApply is not Ready: a status write, no endpoint', () => {
    const { store, capt } = side([controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })]);
    expect(capt.pass()).toEqual({ _tag: 'NotReady', writes: 1, endpoint: undefined });
    expect(stored(store, CP).spec['controlPlaneEndpoint']).toBeUndefined();
  });

  it('updates from a stale copy: 409 Conflict, which it turns into a failed status that drops conditions written since', async () => {
    const world = side();
    world.capt.read();
    expect(await world.reconcile()).toMatchObject({ _tag: 'Updated', endpoint: EKS });
    expect(endpointReady(world.store)).toMatchObject({ status: 'True', reason: 'EndpointSet' });
    expect(world.capt.write()).toEqual({ _tag: 'Conflict', writes: 1, endpoint: AS_CAPT_WRITES });
    expect(stored(world.store, CP).spec['controlPlaneEndpoint']).toEqual(EKS);
    expect(stored(world.store, CP).status?.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'False', reason: 'EndpointUpdateFailed' }));
    expect(endpointReady(world.store)).toBeUndefined();
  });
});

describe('the library beside CAPT', () => {
  /**
   * Rounds of 30 seconds, as CAPT requeues: CAPT's pass, then the library's reconcile (its
   * watch sees CAPT's writes at once), a second later. Returns the outcomes.
   */
  const rounds = async (world: ReturnType<typeof side>, from: number, to: number, options: ReconcileOptions = {}, fake?: FakeClient) => {
    const outcomes: ReconcileOutcome[] = [];
    for (let round = from; round < to; round++) {
      world.at(round * 30);
      world.capt.pass();
      world.at(round * 30 + 1);
      outcomes.push(await world.reconcile(fake, options));
    }
    return outcomes;
  };

  it.each([['keep'], ['update']] as const)(
    "under '%s': 50 rounds write each endpoint at most 3 times, end contested naming CAPT, then settle with 0 writes once CAPT stops",
    async (onEndpointChange) => {
      const world = side();
      const outcomes = await rounds(world, 0, 50, { onEndpointChange });
      expect(outcomes.slice(0, 2).map((o) => o._tag)).toEqual(['Repaired', 'Repaired']);
      expect(endpointWrites(world.fake, 'CAPTControlPlane')).toBeLessThanOrEqual(3);
      expect(endpointWrites(world.fake, 'Cluster')).toBeLessThanOrEqual(3);
      const last = outcomes.at(-1);
      expect(last).toMatchObject({ _tag: 'Contested', contest: { writer: { manager: 'manager' }, value: `host ${JSON.stringify(EKS_URL)}, port 443` } });
      const condition = endpointReady(world.store);
      expect(condition).toMatchObject({ status: 'False', reason: 'EndpointContested' });
      expect(condition?.['message']).toContain('field manager "manager"');
      expect(condition?.['message']).toContain('docs/migrating-from-go.md');

      // CAPT stops (its endpoint update turned off): once it has been quiet long enough, the
      // library repairs, says so, and then writes nothing more.
      let settled: ReconcileOutcome | undefined;
      for (let minute = 26; minute < 26 + 90 && settled === undefined; minute++) {
        world.at(minute * 60);
        const outcome = await world.reconcile(world.fake, { onEndpointChange });
        if (outcome._tag === 'UpToDate' && outcome.updated.length === 0) settled = outcome;
      }
      expect(settled).toBeDefined();
      expect(stored(world.store, CP).spec['controlPlaneEndpoint']).toEqual(EKS);
      expect(stored(world.store, CLUSTER).spec['controlPlaneEndpoint']).toEqual(EKS);
      // The repair stays on record: the first reconcile after it was already steady.
      expect(endpointReady(world.store)).toMatchObject({ status: 'True', reason: 'EndpointRepaired' });
      world.fake.resetCalls();
      expect(await world.reconcile(world.fake, { onEndpointChange })).toMatchObject({ _tag: 'UpToDate', updated: [] });
      expect(world.fake.writes()).toHaveLength(0);
    },
  );

  it('CAPT answers each of our writes at once (it watches the control plane), in the same second: it is still the one named, and the count holds', async () => {
    const world = side();
    let last: ReconcileOutcome | undefined;
    for (let round = 0; round < 50; round++) {
      world.at(round * 30);
      world.capt.pass();
      // Each side reacts to the other's write, all within the second: managedFields times tie.
      for (let exchange = 0; exchange < 10; exchange++) {
        const outcome = await world.reconcile();
        last = outcome;
        if (!outcome.updated.includes('CAPTControlPlane')) break;
        world.capt.pass();
      }
    }
    expect(endpointWrites(world.fake, 'CAPTControlPlane')).toBeLessThanOrEqual(3);
    expect(last).toMatchObject({ _tag: 'Contested', contest: { writer: { manager: 'manager' } } });
  });

  it('a restart in the middle keeps the count: the new process writes no endpoint while contested', async () => {
    const world = side();
    await rounds(world, 0, 5);
    expect(endpointReady(world.store)).toMatchObject({ reason: 'EndpointContested' });
    const restarted = createFakeClient([], { store: world.store });
    const outcomes = await rounds(world, 5, 20, {}, restarted);
    expect(outcomes.every((o) => o._tag === 'Contested')).toBe(true);
    expect(endpointWrites(restarted, 'CAPTControlPlane')).toBe(0);
    expect(endpointWrites(restarted, 'Cluster')).toBe(0);
  });

  it('a stale status patch of CAPT drops EndpointReady: the next reconcile restores it with one status write', async () => {
    const world = side([controlPlane({ endpoint: EKS }), cluster(EKS), readyApply(), workspace({ outputs: { cluster_endpoint: EKS_HOST } })]);
    // CAPT reads before our condition is written; its status patch replaces the conditions from that copy.
    world.capt.read();
    expect(await world.reconcile()).toMatchObject({ _tag: 'UpToDate', updated: ['CAPTControlPlaneStatus'] });
    expect(endpointReady(world.store)).toMatchObject({ status: 'True', reason: 'EndpointSet' });
    world.at(1);
    world.capt.write();
    expect(endpointReady(world.store)).toBeUndefined();
    world.fake.resetCalls();
    world.at(2);
    expect(await world.reconcile()).toMatchObject({ _tag: 'UpToDate', updated: ['CAPTControlPlaneStatus'] });
    expect(world.fake.writes().map((c) => [c.verb, c.kind])).toEqual([['patchStatus', 'CAPTControlPlane']]);
    expect(endpointReady(world.store)).toMatchObject({ status: 'True', reason: 'EndpointSet' });
    expect(stored(world.store, CP).spec['controlPlaneEndpoint']).toEqual(EKS);
  });

  it('beside a CAPT that writes the endpoint as the library does, steady state is 0 writes', async () => {
    const world = side([controlPlane(), cluster(), readyApply(), workspace({ outputs: { cluster_endpoint: EKS_HOST } })]);
    await rounds(world, 0, 3);
    world.fake.resetCalls();
    const outcomes = await rounds(world, 3, 20);
    expect(outcomes.every((o) => o._tag === 'UpToDate')).toBe(true);
    expect(world.fake.writes()).toHaveLength(0);
  });
});
