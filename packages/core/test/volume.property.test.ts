// Volume: at least 100,000 generated inputs to the core per run, and not one throw. Each input is
// one generated case handed to a core entry point (the endpoint grammar, decoding and locating,
// planning, a whole reconcile); the generators are cheap (short strings over an alphabet of the characters
// that matter, small objects), so the run stays a few seconds. The count is printed.
import * as fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { ClusterClient } from '../src/clusterClient';
import type { KubeObject, ObjectRef } from '../src/objectRef';
import { findInSecret, findInWorkspace } from '../src/locate';
import { CAPTControlPlane, Cluster, Secret, Workspace } from '../src/objects';
import { parseEndpoint } from '../src/parseEndpoint';
import { planUpdate } from '../src/plan';
import { quoteValue } from '../src/quote';
import { reconcileEndpoint } from '../src/reconcile';
import { b64, cluster, controlPlane, secret, workspace, workspaceApply } from './fixtures';

const REQUIRED = 100_000;

let inputs = 0;
const throws: string[] = [];

/** Runs `call` with a generated input, recording (not rethrowing) a throw. */
const fed = <A>(what: string, call: () => A): A | undefined => {
  try {
    return call();
  } catch (thrown) {
    throws.push(`${what}: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    return undefined;
  }
};

const isEither = (u: unknown): boolean => E.isLeft(u as E.Either<unknown, unknown>) || E.isRight(u as E.Either<unknown, unknown>);

// ---------------------------------------------------------------------------------------------
// Generators: cheap, and aimed at the grammar's edges.

const piece = fc.constantFrom(
  'https://', 'http://', 'HTTPS://', '://', 'a', 'Z', '0', '9', '.', '-', '_', ':', '::', '/', '//', '@', '?', '#', '%', '%2e', '%41',
  '[', ']', '[::1]', ' ', '\t', '\n', '\u0000', '\u200b', 'é', 'xn--', 'example.com', 'api', '443', '6443', '65535', '65536', '0', '08',
  '0x7f', '127.0.0.1', '1.2.3', '256', 'user:pass@', 'localhost', '*', '\\',
);
const endpointText = fc.array(piece, { maxLength: 10 }).map((parts) => parts.join(''));
const port = fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.constantFrom(0, 443, 1.5, Number.NaN, '443', '08', '', ' 1', null, true));
const endpointObject = fc.record({ host: fc.oneof(endpointText, fc.constantFrom(1, null, '')), port }, { requiredKeys: [] });
const rawValue = fc.oneof(
  { weight: 6, arbitrary: endpointText },
  { weight: 2, arbitrary: endpointObject },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 0, 1, true, [], {}, ['https://a.example.com'], { host: 'a', port: 1, x: 1 }) },
);

const KEY = 'cluster_endpoint';

afterAll(() => {
  console.log(`generated inputs to the core: ${inputs.toLocaleString('en-US')}, throws: ${throws.length}`);
});

describe(`${REQUIRED.toLocaleString('en-US')} generated inputs to the core`, () => {
  it('parseEndpoint: an Either for every value, with its message bounded', () => {
    fc.assert(
      fc.property(rawValue, fc.constantFrom(undefined, 443, 6443, 0, -1), (raw, defaultPort) => {
        inputs++;
        const result = fed('parseEndpoint', () => parseEndpoint(raw, defaultPort === undefined ? {} : { defaultPort }));
        return result !== undefined && isEither(result) && (E.isRight(result) || result.left.message.length < 1_200);
      }),
      { numRuns: 76_000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        inputs++;
        return fed('quoteValue', () => quoteValue(text))!.length <= 210;
      }),
      { numRuns: 5_000 },
    );
  });

  it('decoding and locating: a Workspace with any outputs, a Secret with any data', () => {
    fc.assert(
      fc.property(rawValue, fc.boolean(), (output, namespaced) => {
        inputs++;
        const decoded = fed('decode Workspace', () => Workspace.decode(workspace({ outputs: { [KEY]: output }, namespaced, secretRef: { name: 'c', namespace: 'team-a' } })));
        if (decoded === undefined || E.isLeft(decoded)) return decoded !== undefined;
        const located = fed('findInWorkspace', () => findInWorkspace(decoded.right));
        return located !== undefined && typeof located._tag === 'string';
      }),
      { numRuns: 10_000 },
    );
    fc.assert(
      fc.property(fc.oneof(endpointText.map(b64), endpointText), (data) => {
        inputs++;
        const decoded = fed('decode Secret', () => Secret.decode(secret({ [KEY]: data })));
        if (decoded === undefined || E.isLeft(decoded)) return decoded !== undefined;
        const located = fed('findInSecret', () => findInSecret(decoded.right, { namespace: 'team-a', name: 'demo-eks-conn' }));
        return located !== undefined && typeof located._tag === 'string';
      }),
      { numRuns: 6_000 },
    );
  });

  it('planning: any location against any stored endpoints', () => {
    const stored = fc.option(fc.record({ host: endpointText, port: fc.integer({ min: 0, max: 70_000 }) }), { nil: undefined });
    fc.assert(
      fc.property(rawValue, stored, stored, fc.constantFrom('keep' as const, 'update' as const), (output, onControlPlane, onCluster, onEndpointChange) => {
        inputs++;
        const ws = Workspace.decode(workspace({ outputs: { [KEY]: output } }));
        const cp = CAPTControlPlane.decode(controlPlane(onControlPlane === undefined ? {} : { endpoint: onControlPlane }));
        const cl = Cluster.decode(cluster(onCluster));
        if (E.isLeft(ws) || E.isLeft(cp) || E.isLeft(cl)) return true;
        const location = findInWorkspace(ws.right);
        if (location._tag === 'NeedSecret') return true;
        const plan = fed('planUpdate', () => planUpdate(location, cp.right, cl.right, { onEndpointChange }));
        return plan !== undefined && typeof plan._tag === 'string';
      }),
      { numRuns: 3_000 },
    );
  });

  it('reconcileEndpoint: any output through a whole reconcile over an in-memory client, resolving to an Either', async () => {
    const key = (ref: ObjectRef): string => `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
    await fc.assert(
      fc.asyncProperty(rawValue, async (output) => {
        const objects = new Map<string, KubeObject>(
          [controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ outputs: { [KEY]: output } })].map((o) => [
            key({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name ?? '' }),
            o,
          ]),
        );
        const client: ClusterClient = {
          get: (ref) => TE.right(objects.get(key(ref))),
          patch: (ref) => TE.right(objects.get(key(ref))!),
          patchStatus: (ref) => TE.right(objects.get(key(ref))!),
        };
        inputs++;
        try {
          return isEither(await reconcileEndpoint(client, { namespace: 'team-a', name: 'demo-cp' })());
        } catch (thrown) {
          throws.push(`reconcileEndpoint: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
          return false;
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('every input was handled without a throw', () => {
    expect(throws).toEqual([]);
    expect(inputs).toBeGreaterThanOrEqual(REQUIRED);
  });
});
