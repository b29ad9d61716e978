// The hand-written shape guards (shapes.ts) against the io-ts codecs they stand for: on objects
// of every kind, taken apart at random (fields removed, replaced by anything, arrays made
// sparse, extra fields), a guard holds exactly when the codec decodes the object to itself.
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { CAPTControlPlane, Cluster, Workspace, WorkspaceTemplateApply, guardOf } from '../src/objects';
import { cluster, controlPlane, EKS_URL, workspace, workspaceApply } from './fixtures';

type Json = Record<string, unknown>;

/** Every path to a value inside `value`, the root included (each object once: a mutation may make a cycle). */
const pathsOf = (value: unknown, prefix: readonly (string | number)[] = [], seen = new Set<unknown>()): (readonly (string | number)[])[] => {
  const plain = Array.isArray(value) || (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null));
  if (!plain || seen.has(value)) return [prefix];
  seen.add(value);
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((key) => pathsOf((value as Json)[key as string], [...prefix, key], seen))];
};

const odd = fc.oneof(
  fc.constantFrom(undefined, null, '', 0, Number.NaN, true, [], {}, [undefined], 'x', 1.5),
  fc.anything({ maxDepth: 2, withSparseArray: true, withNullPrototype: true, withBoxedValues: true }),
);

type Mutation = { readonly at: number; readonly kind: 'delete' | 'replace' | 'sparse' | 'extra'; readonly value: unknown };

const mutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'replace', 'sparse', 'extra'), value: odd }) as fc.Arbitrary<Mutation>;

/** `base` with the mutations applied, each at a path picked among those the object has then. */
const mutated = (base: unknown, mutations: readonly Mutation[]): unknown => {
  let root = JSON.parse(JSON.stringify(base)) as unknown;
  for (const { at, kind, value } of mutations) {
    const paths = pathsOf(root);
    const path = paths[at % paths.length]!;
    if (path.length === 0) {
      if (kind === 'replace') root = value;
      continue;
    }
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Json)[key as string], root) as Json;
    const key = path[path.length - 1] as string;
    const target = parent[key];
    if (kind === 'delete') delete parent[key];
    else if (kind === 'replace') parent[key] = value;
    else if (kind === 'sparse' && Array.isArray(target)) target.length += 1;
    else if (kind === 'sparse' && Array.isArray(parent)) Reflect.deleteProperty(parent, key);
    else if (kind === 'extra' && target !== null && typeof target === 'object') (target as Json)['extra'] = value;
  }
  return root;
};

const kinds: ReadonlyArray<readonly [string, t.Mixed, readonly unknown[]]> = [
  [
    'CAPTControlPlane',
    CAPTControlPlane,
    [controlPlane(), controlPlane({ endpoint: { host: 'a.example.com', port: 443 }, deleting: true }), controlPlane({ owner: false, applyName: null, conditions: [] })],
  ],
  ['Cluster', Cluster, [cluster(), cluster({ host: 'a.example.com', port: 443 }, 'cluster.x-k8s.io/v1beta2')]],
  ['WorkspaceTemplateApply', WorkspaceTemplateApply, [workspaceApply(), workspaceApply('demo-eks')]],
  ['Workspace', Workspace, [workspace(), workspace({ outputs: { cluster_endpoint: EKS_URL }, secretRef: { name: 'conn', namespace: 'team-a' }, namespaced: true })]],
];

describe('shape guards stand for their codecs', () => {
  it.each(kinds)('%s: the guard holds exactly when decode succeeds, and decode then gives the object itself', (_, codec, bases) => {
    const guard = guardOf(codec);
    expect(guard).toBeDefined();
    let held = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(mutation, { maxLength: 3 }), (base, mutations) => {
        const input = mutated(base, mutations);
        const decoded = codec.decode(input);
        const holds = guard!(input);
        // Exactly when decode succeeds with the object itself (io-ts copies around a NaN).
        expect(holds).toBe(E.isRight(decoded) && decoded.right === input);
        if (holds) held++;
        else refused++;
      }),
      { numRuns: 3000 },
    );
    expect(held).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });

  it('a sparse array is refused, as decode refuses it (codec.is would not)', () => {
    const conditions: unknown[] = [];
    conditions[1] = { type: 'Ready', status: 'True' };
    const object = { ...controlPlane(), status: { conditions } };
    expect(CAPTControlPlane.is(object)).toBe(true);
    expect(E.isRight(CAPTControlPlane.decode(object))).toBe(false);
    expect(guardOf(CAPTControlPlane)!(object)).toBe(false);
  });

  it.each<readonly [string, t.Mixed, unknown]>([
    ['a number field', CAPTControlPlane, { ...controlPlane(), metadata: { name: 'demo-cp', generation: Number.NaN } }],
    ['an output', Workspace, workspace({ outputs: { cluster_endpoint: Number.NaN } })],
    ['an unknown field', Workspace, workspace({ spec: { publishConnectionDetailsTo: Number.NaN } })],
  ])('a NaN in %s, which decode copies the object around, is left to decode', (_, codec, object) => {
    const decoded = codec.decode(object);
    expect(E.isRight(decoded) && decoded.right !== object).toBe(true);
    expect(guardOf(codec)!(object)).toBe(false);
  });
});
