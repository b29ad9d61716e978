import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { planCondition } from '../src/condition';
import { apiError, ENDPOINT_PARSE_ERROR_TAGS, parseError, type EndpointError } from '../src/errors';
import type { Found, NotYetAvailable } from '../src/locate';
import { CAPTControlPlane, Cluster } from '../src/objects';
import { isValueError, planEndpointCleanup, planEndpointUpdate, type Resolution } from '../src/plan';
import { cluster, controlPlane } from './fixtures';

const decode = <A>(codec: { decode: (u: unknown) => E.Either<unknown, A> }, u: unknown): A => {
  const result = codec.decode(u);
  if (E.isLeft(result)) throw new Error('fixture does not decode');
  return result.right;
};
const cp = (o: Parameters<typeof controlPlane>[0] = {}) => decode(CAPTControlPlane, controlPlane(o));
const cl = (endpoint?: { host: string; port: number }, apiVersion?: string) => decode(Cluster, cluster(endpoint, apiVersion));

const A = { host: 'a.example.com', port: 443 };
const B = { host: 'b.example.com', port: 6443 };
const found = (endpoint = A): Resolution =>
  E.right<never, Found>({ _tag: 'Found', endpoint, source: { from: 'outputs', workspace: 'Workspace demo-eks', key: 'cluster_endpoint' } });
const waiting: Resolution = E.right<never, NotYetAvailable>({ _tag: 'NotYetAvailable', waitingOn: 'Workspace', message: 'Workspace demo-eks does not exist yet' });

const plan = (...args: Parameters<typeof planEndpointUpdate>) => {
  const result = planEndpointUpdate(...args);
  if (E.isLeft(result)) throw new Error(`unexpected Left ${result.left._tag}`);
  return result.right;
};

describe('planEndpointUpdate', () => {
  it('sets both objects when neither holds an endpoint, with the resourceVersion planned from', () => {
    const p = plan(found(), cp(), cl());
    const record = { 'capt-endpoint.io/endpoint-writes': expect.stringMatching(/^\{"writes":\["[0-9TZ:-]+"\],"probes":0\}$/) };
    expect(p.controlPlanePatch).toEqual({ metadata: { resourceVersion: '100', annotations: record }, spec: { controlPlaneEndpoint: A } });
    expect(p.clusterPatch).toEqual({ metadata: { resourceVersion: '200', annotations: record }, spec: { controlPlaneEndpoint: A } });
    expect(p.condition).toMatchObject({ type: 'EndpointReady', status: 'True', reason: 'EndpointSet' });
    expect(p.condition.message).toContain('a.example.com:443');
  });

  it('treats v1beta1 zero values as unset', () => {
    const p = plan(found(), cp({ endpoint: { host: '', port: 0 } }), cl({ host: '', port: 0 }));
    expect(p.controlPlanePatch).toBeDefined();
    expect(p.clusterPatch).toBeDefined();
  });

  it('writes nothing when both already hold the endpoint, hosts compared without case', () => {
    const p = plan(found(A), cp({ endpoint: { host: 'A.Example.COM', port: 443 } }), cl(A));
    expect(p.controlPlanePatch).toBeUndefined();
    expect(p.clusterPatch).toBeUndefined();
    expect(p.condition.status).toBe('True');
  });

  describe('a stored host in another spelling of the same name or address', () => {
    const V6 = { host: '2001:db8::1', port: 6443 };
    const V6_LONG = { host: '2001:0db8:0000:0000:0000:0000:0000:0001', port: 6443 };
    const UPPER = { host: 'API.Example.COM', port: 443 };
    const LOWER = { host: 'api.example.com', port: 443 };

    it.each([
      ['uncompressed IPv6', V6_LONG, V6],
      ['upper-case hostname', UPPER, LOWER],
    ])("%s is up to date, not drift, under 'keep' and 'update'", (_, held, workspace) => {
      for (const onEndpointChange of ['keep', 'update'] as const) {
        const p = plan(found(workspace), cp({ endpoint: held }), cl(held), { onEndpointChange });
        expect(p.controlPlanePatch).toBeUndefined();
        expect(p.clusterPatch).toBeUndefined();
        expect(p.drift).toBeUndefined();
        // The endpoint as the objects hold it, so the condition's message does not change with the policy.
        expect(p.endpoint).toEqual(held);
        expect(p.condition).toMatchObject({ status: 'True', reason: 'EndpointSet' });
        expect(p.condition.message).toContain('from output "cluster_endpoint"');
      }
    });

    it('on one object and canonical on the other: the two agree', () => {
      const p = plan(found(V6), cp({ endpoint: V6_LONG }), cl(V6));
      expect([p.controlPlanePatch, p.clusterPatch, p.drift]).toEqual([undefined, undefined, undefined]);
      expect(p.condition).toMatchObject({ status: 'True', reason: 'EndpointSet' });
    });

    it.each([
      ['bracketed IPv6', { host: '[2001:db8::1]', port: 6443 }, V6],
      ['a host that does not parse', { host: 'api.example.com.', port: 443 }, LOWER],
    ])('%s is not an endpoint as Cluster API stores one: repaired under keep and update', (_, held, workspace) => {
      const kept = plan(found(workspace), cp({ endpoint: held }), cl(held));
      expect(kept._tag).toBe('Repair');
      expect(kept.drift).toBeUndefined();
      expect(kept.repair).toMatchObject({ objects: ['CAPTControlPlane', 'Cluster'], held: `host ${JSON.stringify(held.host)}, port ${held.port}` });
      expect(kept.condition).toMatchObject({ status: 'True', reason: 'EndpointRepaired' });
      expect(kept.controlPlanePatch).toMatchObject({ spec: { controlPlaneEndpoint: workspace } });
      const followed = plan(found(workspace), cp({ endpoint: held }), cl(held), { onEndpointChange: 'update' });
      expect(followed.controlPlanePatch).toMatchObject({ spec: { controlPlaneEndpoint: workspace } });
      expect(followed.clusterPatch).toMatchObject({ spec: { controlPlaneEndpoint: workspace } });
    });
  });

  it('omits the resourceVersion when optimistic locking is off', () => {
    const p = plan(found(), cp(), cl(), { optimisticLock: false });
    expect(p.controlPlanePatch).toEqual({ metadata: { annotations: { 'capt-endpoint.io/endpoint-writes': expect.any(String) } }, spec: { controlPlaneEndpoint: A } });
  });

  it("keeps a set endpoint and reports drift under 'keep'", () => {
    const p = plan(found(B), cp({ endpoint: A }), cl(A));
    expect(p.controlPlanePatch).toBeUndefined();
    expect(p.clusterPatch).toBeUndefined();
    expect(p.drift).toEqual({ current: A, workspace: B, objects: ['CAPTControlPlane', 'Cluster'], followed: false });
    expect(p.condition).toMatchObject({ status: 'False', reason: 'EndpointDrift' });
    expect(p.condition.message).toContain('a.example.com:443');
    expect(p.condition.message).toContain('b.example.com:6443');
  });

  it("under 'keep' an unset object gets the endpoint set on the other, and drift is reported", () => {
    const fromControlPlane = plan(found(B), cp({ endpoint: A }), cl());
    expect(fromControlPlane.clusterPatch).toMatchObject({ spec: { controlPlaneEndpoint: A } });
    expect(fromControlPlane.controlPlanePatch).toBeUndefined();
    expect(fromControlPlane.drift?.current).toEqual(A);
    const fromCluster = plan(found(B), cp(), cl(A));
    expect(fromCluster.controlPlanePatch).toMatchObject({ spec: { controlPlaneEndpoint: A } });
    expect(fromCluster.clusterPatch).toBeUndefined();
    expect(fromCluster.drift?.objects).toEqual(['Cluster']);
  });

  it("follows the Workspace under 'update'", () => {
    const p = plan(found(B), cp({ endpoint: A }), cl(A), { onEndpointChange: 'update' });
    expect(p.controlPlanePatch).toMatchObject({ spec: { controlPlaneEndpoint: B } });
    expect(p.clusterPatch).toMatchObject({ spec: { controlPlaneEndpoint: B } });
    expect(p.drift?.followed).toBe(true);
    expect(p.condition).toMatchObject({ status: 'True', reason: 'EndpointSet' });
  });

  it("under 'update' without a value from the Workspace, only fills what is unset", () => {
    const p = plan(waiting, cp({ endpoint: A }), cl(B), { onEndpointChange: 'update' });
    expect(p.controlPlanePatch).toBeUndefined();
    expect(p.clusterPatch).toBeUndefined();
    expect(p.condition).toMatchObject({ status: 'False', reason: 'EndpointDrift' });
  });

  it('reports two objects that disagree with each other and overwrites neither', () => {
    const p = plan(found(A), cp({ endpoint: A }), cl(B));
    expect(p.controlPlanePatch).toBeUndefined();
    expect(p.clusterPatch).toBeUndefined();
    expect(p.condition).toMatchObject({ status: 'False', reason: 'EndpointDrift' });
  });

  it('writes only the control plane without an owner Cluster, or with updateCluster false', () => {
    for (const p of [plan(found(), cp(), undefined), plan(found(), cp(), cl(), { updateCluster: false })]) {
      expect(p.controlPlanePatch).toBeDefined();
      expect(p.clusterPatch).toBeUndefined();
      expect(p.condition.status).toBe('True');
    }
  });

  it('waits with a False condition and no spec patches', () => {
    const p = plan(waiting, cp(), cl());
    expect(p.controlPlanePatch).toBeUndefined();
    expect(p.clusterPatch).toBeUndefined();
    expect(p.condition).toEqual({ type: 'EndpointReady', status: 'False', reason: 'WaitingForWorkspace', message: 'Workspace demo-eks does not exist yet' });
  });

  it('leaves the endpoint and a True condition alone when the source disappears', () => {
    const trueCondition = { type: 'EndpointReady', status: 'True', reason: 'EndpointSet', message: 'endpoint a.example.com:443 from x', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 };
    const held = cp({ endpoint: A, conditions: [trueCondition] });
    const p = plan(waiting, held, cl(A));
    expect(p.sourceGone).toBe(true);
    expect(p.controlPlanePatch).toBeUndefined();
    expect(p.clusterPatch).toBeUndefined();
    expect(planCondition(held, p.condition, new Date()).patch).toEqual(O.none);
  });

  it('records an invalid value as a False condition and writes no endpoint from it', () => {
    const invalid: Resolution = E.left({
      _tag: 'InvalidEndpointValue',
      reason: 'InvalidEndpoint',
      retryable: false,
      cause: 'InvalidPort',
      source: { from: 'outputs', workspace: 'Workspace demo-eks', key: 'cluster_endpoint' },
      message: 'Workspace demo-eks output "cluster_endpoint" is not a valid endpoint: port out of range',
    });
    const p = plan(invalid, cp(), cl());
    expect(p.controlPlanePatch).toBeUndefined();
    expect(p.clusterPatch).toBeUndefined();
    expect(p.invalid?._tag).toBe('InvalidEndpointValue');
    expect(p.condition).toMatchObject({ status: 'False', reason: 'InvalidEndpoint' });
  });

  it('passes API failures through as Left (nothing to record)', () => {
    const failure = apiError('Unavailable', 'connection refused');
    expect(planEndpointUpdate(E.left(failure), cp(), cl())).toEqual(E.left(failure));
  });

  it('uses the configured condition type', () => {
    expect(plan(found(), cp(), cl(), { conditionType: 'ControlPlaneEndpointReady' }).condition.type).toBe('ControlPlaneEndpointReady');
  });
});

describe('isValueError', () => {
  it.each(ENDPOINT_PARSE_ERROR_TAGS)('a %s parse error is a value error: recorded as a False condition, nothing written', (tag) => {
    const error = parseError(tag, 'what is wrong');
    expect(isValueError(error)).toBe(true);
    const p = plan(E.left(error), cp(), cl());
    expect(p.invalid).toBe(error);
    expect(p.controlPlanePatch).toBeUndefined();
    expect(p.clusterPatch).toBeUndefined();
    expect(p.condition).toMatchObject({ status: 'False', reason: tag });
  });

  const requestErrors: EndpointError[] = [
    apiError('Timeout', 'the request timed out'),
    apiError('Forbidden', 'forbidden', { code: 403 }),
    {
      _tag: 'RequestFailed',
      verb: 'get',
      object: 'Workspace tf.upbound.io/v1beta1 demo-eks',
      error: apiError('Unavailable', 'connection refused'),
      reason: 'ApiUnavailable',
      retryable: true,
      message: 'get failed',
    },
    { _tag: 'ConflictRetriesExhausted', object: 'Cluster team-a/demo', reason: 'ConflictRetriesExhausted', retryable: true, message: 'kept changing' },
    { _tag: 'InvalidOptions', option: 'workspaceApiVersion', reason: 'InvalidOptions', retryable: false, message: 'bad option' },
  ];
  it.each(requestErrors.map((error) => [error._tag, error] as const))('a %s is not a value error: plan hands it back', (_, error) => {
    expect(isValueError(error)).toBe(false);
    expect(planEndpointUpdate(E.left(error), cp(), cl())).toEqual(E.left(error));
  });
});

describe('planCondition', () => {
  const now = new Date('2026-11-26T12:00:00.123Z');
  const desired = { type: 'EndpointReady', status: 'True' as const, reason: 'EndpointSet', message: 'endpoint a.example.com:443' };

  it('adds the condition, keeps every other condition, and carries the resourceVersion', () => {
    const update = planCondition(cp({ generation: 3 }), desired, now);
    expect(update.condition).toEqual({ ...desired, lastTransitionTime: '2026-11-26T12:00:00Z', observedGeneration: 3 });
    expect(O.toUndefined(update.patch)).toEqual({
      metadata: { resourceVersion: '100' },
      status: {
        conditions: [
          { type: 'Ready', status: 'False', reason: 'Creating', message: '', lastTransitionTime: '2026-11-26T00:00:00Z' },
          update.condition,
        ],
      },
    });
  });

  it('needs no write when the stored condition says the same', () => {
    const stored = { ...desired, lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 };
    expect(planCondition(cp({ conditions: [stored] }), desired, now).patch).toEqual(O.none);
  });

  it('keeps lastTransitionTime when only the message or generation changes, and moves it when status changes', () => {
    const stored = { ...desired, lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 };
    const sameStatus = planCondition(cp({ conditions: [stored], generation: 2 }), { ...desired, message: 'other' }, now);
    expect(sameStatus.condition.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(O.isSome(sameStatus.patch)).toBe(true);
    const flipped = planCondition(cp({ conditions: [stored] }), { ...desired, status: 'False', reason: 'EndpointDrift' }, now);
    expect(flipped.condition.lastTransitionTime).toBe('2026-11-26T12:00:00Z');
  });
});

describe('planEndpointCleanup', () => {
  it('removes a set endpoint from the Cluster with null (v1beta1 and v1beta2)', () => {
    for (const version of ['cluster.x-k8s.io/v1beta1', 'cluster.x-k8s.io/v1beta2']) {
      expect(planEndpointCleanup(cl(A, version))).toEqual(
        E.right({ clusterPatch: { metadata: { resourceVersion: '200' }, spec: { controlPlaneEndpoint: null } } }),
      );
    }
  });

  it('does nothing when already clear, with no Cluster, or with updateCluster false', () => {
    for (const result of [planEndpointCleanup(cl()), planEndpointCleanup(cl({ host: '', port: 0 })), planEndpointCleanup(undefined), planEndpointCleanup(cl(A), { updateCluster: false })]) {
      expect(result).toEqual(E.right({ clusterPatch: undefined }));
    }
  });
});
