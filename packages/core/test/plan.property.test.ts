// Properties of locate and plan over generated inputs: they never throw, and planning is
// idempotent (apply a plan's patches, plan again: no writes).
import * as fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { planCondition } from '../src/condition';
import { locateInSecret, locateInWorkspace } from '../src/locate';
import { applyMergePatch } from '../src/mergePatch';
import { CAPTControlPlane, Cluster, Secret, Workspace } from '../src/objects';
import { planEndpointUpdate, type Resolution } from '../src/plan';
import { b64, cluster, controlPlane, secret, workspace } from './fixtures';

const decodeOrThrow = <A>(codec: { decode: (u: unknown) => E.Either<unknown, A> }, u: unknown): A => {
  const result = codec.decode(u);
  if (E.isLeft(result)) throw new Error('generated object does not decode');
  return result.right;
};

const host = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.constantFrom('a.example.com', 'B.EXAMPLE.com', '10.0.0.10', '2001:db8::1'),
);
const endpoint = fc.record({ host, port: fc.integer({ min: 1, max: 65535 }) });
const outputValue = fc.oneof(
  fc.jsonValue(),
  host,
  endpoint.map((e) => `https://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`),
  endpoint,
);

describe('locate and plan never throw', () => {
  it('for any outputs and any Secret data', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), outputValue), fc.dictionary(fc.string(), fc.string()), fc.boolean(), (outputs, data, namespaced) => {
        const ws = decodeOrThrow(Workspace, workspace({ outputs: { ...outputs }, namespaced, secretRef: { name: 'c', namespace: 'team-a' } }));
        const keys = Object.keys(outputs).slice(0, 2);
        locateInWorkspace(ws, { outputKeys: [...keys, 'cluster_endpoint', { host: keys[0] ?? 'h', port: keys[1] }] });
        const sec = decodeOrThrow(Secret, { ...secret({}), data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
        locateInSecret(sec, { namespace: 'team-a', name: 'c' }, { outputKeys: Object.keys(data) });
        // Raw, possibly invalid base64 too.
        locateInSecret({ ...sec, data }, { namespace: 'team-a', name: 'c' }, { outputKeys: Object.keys(data) });
      }),
      { numRuns: 300 },
    );
  });
});

describe('planning is idempotent', () => {
  const maybeEndpoint = fc.option(endpoint, { nil: undefined });
  it('apply the patches, plan again: no spec writes, no status write', () => {
    fc.assert(
      fc.property(
        fc.option(outputValue, { nil: undefined }),
        maybeEndpoint,
        maybeEndpoint,
        fc.boolean(),
        fc.constantFrom('keep' as const, 'update' as const),
        fc.boolean(),
        (output, onControlPlane, onCluster, hasCluster, onEndpointChange, updateCluster) => {
          const ws = decodeOrThrow(Workspace, workspace({ outputs: output === undefined ? {} : { cluster_endpoint: output } }));
          const located = locateInWorkspace(ws);
          const resolution: Resolution = E.isRight(located) && located.right._tag === 'NeedSecret' ? E.right({ _tag: 'NotYetAvailable', waitingOn: 'ConnectionSecret', message: '' }) : (located as Resolution);
          let cp = decodeOrThrow(CAPTControlPlane, controlPlane(onControlPlane ? { endpoint: onControlPlane } : {}));
          let cl = hasCluster ? decodeOrThrow(Cluster, cluster(onCluster)) : undefined;
          const options = { onEndpointChange, updateCluster };

          const first = planEndpointUpdate(resolution, cp, cl, options);
          expect(E.isRight(first)).toBe(true);
          if (E.isLeft(first)) return;
          if (first.right.controlPlanePatch) cp = decodeOrThrow(CAPTControlPlane, applyMergePatch(cp, first.right.controlPlanePatch));
          if (first.right.clusterPatch && cl) cl = decodeOrThrow(Cluster, applyMergePatch(cl, first.right.clusterPatch));
          const now = new Date('2026-11-26T00:00:00Z');
          const condition = planCondition(cp, first.right.condition, now);
          if (O.isSome(condition.patch)) cp = decodeOrThrow(CAPTControlPlane, applyMergePatch(cp, condition.patch.value));

          const second = planEndpointUpdate(resolution, cp, cl, options);
          expect(E.isRight(second) && second.right.controlPlanePatch).toBeUndefined();
          expect(E.isRight(second) && second.right.clusterPatch).toBeUndefined();
          if (E.isRight(second)) expect(planCondition(cp, second.right.condition, new Date('2026-11-27T00:00:00Z')).patch).toEqual(O.none);
        },
      ),
      { numRuns: 500 },
    );
  });
});
