// Outcomes are results: finding the endpoint says Found, NotYetAvailable or Invalid without a
// Left, and each plan carries the tag the reconcile's outcome is named from.
import * as E from 'fp-ts/lib/Either.js';
import { findInSecret, findInWorkspace } from '../src/locate';
import { CAPTControlPlane, Cluster, Secret, Workspace } from '../src/objects';
import { planCleanup, planUpdate } from '../src/plan';
import { parseError } from '../src/errors';
import { cluster, controlPlane, secret, workspace } from './fixtures';

const decoded = <A>(codec: { decode: (u: unknown) => E.Either<unknown, A> }, u: unknown): A => {
  const result = codec.decode(u);
  if (E.isLeft(result)) throw new Error('fixture does not decode');
  return result.right;
};
const cp = (endpoint?: { host: string; port: number }) => decoded(CAPTControlPlane, controlPlane(endpoint ? { endpoint } : {}));
const cl = (endpoint?: { host: string; port: number }) => decoded(Cluster, cluster(endpoint));
const A = { host: 'a.example.com', port: 443 };
const B = { host: 'b.example.com', port: 6443 };
const found = (endpoint: { host: string; port: number }) =>
  ({ _tag: 'Found', endpoint, source: { from: 'outputs', workspace: 'Workspace demo-eks', key: 'cluster_endpoint' } }) as const;
const waiting = { _tag: 'NotYetAvailable', waitingOn: 'Workspace', message: 'Workspace demo-eks does not exist yet' } as const;

describe('findInWorkspace and findInSecret', () => {
  it('say that a value is there but unusable as a result, Invalid, carrying the value error', () => {
    const ws = decoded(Workspace, workspace({ outputs: { cluster_endpoint: 'http://plain.example.com' } }));
    expect(findInWorkspace(ws)).toMatchObject({ _tag: 'Invalid', error: { _tag: 'InvalidEndpointValue', cause: 'UnsupportedScheme' } });
    const sec = decoded(Secret, { ...secret({}), data: { cluster_endpoint: '!!!not-base64' } });
    expect(findInSecret(sec, { namespace: 'team-a', name: 'demo-eks-conn' })).toMatchObject({ _tag: 'Invalid', error: { _tag: 'UndecodableSecretValue' } });
  });

  it('find and wait as before', () => {
    const ws = decoded(Workspace, workspace({ outputs: { cluster_endpoint: 'api.example.com' } }));
    expect(findInWorkspace(ws)).toMatchObject({ _tag: 'Found', endpoint: { host: 'api.example.com', port: 443 } });
    expect(findInSecret(undefined, { namespace: 'team-a', name: 'c' })).toMatchObject({ _tag: 'NotYetAvailable', waitingOn: 'ConnectionSecret' });
  });
});

describe('planUpdate tags its plan', () => {
  it.each([
    ['Update', found(A), cp(), cl()],
    ['UpToDate', found(A), cp(A), cl(A)],
    ['Drift', found(B), cp(A), cl(A)],
    ['Drift', found(A), cp(A), cl(B)],
    ['Waiting', waiting, cp(), cl()],
    ['UpToDate', waiting, cp(A), cl(A)],
  ] as const)('%s', (tag, location, controlPlaneObject, clusterObject) => {
    expect(planUpdate(location, controlPlaneObject, clusterObject)._tag).toBe(tag);
  });

  it('Invalid, with the error and no patch', () => {
    const error = parseError('InvalidPort', 'the port is not a number from 1 to 65535');
    const plan = planUpdate({ _tag: 'Invalid', error }, cp(), cl());
    expect(plan).toMatchObject({ _tag: 'Invalid', invalid: error, controlPlanePatch: undefined, clusterPatch: undefined });
    expect(plan.condition).toMatchObject({ status: 'False', reason: 'InvalidPort' });
  });

  it("drift that copies the held endpoint to an unset object is still Drift, with the patch", () => {
    const plan = planUpdate(found(B), cp(A), cl());
    expect(plan._tag).toBe('Drift');
    expect(plan.clusterPatch).toMatchObject({ spec: { controlPlaneEndpoint: A } });
  });
});

describe('planCleanup tags its plan', () => {
  it('Clear while the Cluster holds an endpoint, AlreadyClear otherwise', () => {
    expect(planCleanup(cl(A))).toEqual({ _tag: 'Clear', clusterPatch: { metadata: { resourceVersion: '200' }, spec: { controlPlaneEndpoint: null } } });
    expect(planCleanup(cl())._tag).toBe('AlreadyClear');
    expect(planCleanup(undefined)._tag).toBe('AlreadyClear');
  });
});
