/**
 * io-ts codecs for the parts of the Kubernetes objects we read. The codec is the type.
 *
 * Every codec is built from `t.type`/`t.partial`, which check the fields they name and keep
 * every other field as it is: decoding never strips unknown fields, so an object decoded here
 * can be handed back to the API or to the caller unchanged.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { ObjectDecodeError } from './errors';
import { isCAPTControlPlane, isCluster, isWorkspace, isWorkspaceTemplateApply } from './shapes';

const Metadata = t.intersection([
  t.type({ name: t.string }),
  t.partial({
    namespace: t.string,
    resourceVersion: t.string,
    generation: t.number,
    uid: t.string,
    deletionTimestamp: t.string,
    labels: t.record(t.string, t.string),
    annotations: t.record(t.string, t.string),
    ownerReferences: t.array(
      t.intersection([
        t.type({ apiVersion: t.string, kind: t.string, name: t.string }),
        t.partial({ uid: t.string, controller: t.boolean }),
      ]),
    ),
  }),
]);
export type Metadata = t.TypeOf<typeof Metadata>;

/** Cluster API's APIEndpoint as stored: both fields may be missing (v1beta2) or zero (v1beta1). */
export const StoredEndpoint = t.partial({ host: t.string, port: t.number });
export type StoredEndpoint = t.TypeOf<typeof StoredEndpoint>;

/** metav1.Condition. */
export const Condition = t.intersection([
  t.type({ type: t.string, status: t.string }),
  t.partial({
    reason: t.string,
    message: t.string,
    lastTransitionTime: t.string,
    observedGeneration: t.number,
  }),
]);
export type Condition = t.TypeOf<typeof Condition>;

const object = <A extends t.Props>(apiVersion: t.Mixed, kind: string, props: A) =>
  t.intersection([t.type({ apiVersion, kind: t.literal(kind), metadata: Metadata }), t.partial(props)]);

export const CAPTControlPlane = object(t.literal('controlplane.cluster.x-k8s.io/v1beta1'), 'CAPTControlPlane', {
  spec: t.partial({ workspaceTemplateApplyName: t.string, controlPlaneEndpoint: StoredEndpoint }),
  status: t.partial({ conditions: t.array(Condition) }),
});
export type CAPTControlPlane = t.TypeOf<typeof CAPTControlPlane>;

export const WorkspaceTemplateApply = object(
  t.literal('infrastructure.cluster.x-k8s.io/v1beta1'),
  'WorkspaceTemplateApply',
  { status: t.partial({ workspaceName: t.string }) },
);
export type WorkspaceTemplateApply = t.TypeOf<typeof WorkspaceTemplateApply>;

export const Workspace = object(t.union([t.literal('tf.upbound.io/v1beta1'), t.literal('tf.m.upbound.io/v1beta1')]), 'Workspace', {
  spec: t.partial({
    writeConnectionSecretToRef: t.intersection([t.type({ name: t.string }), t.partial({ namespace: t.string })]),
    // Read only to explain a wait (see `PublishConnectionDetailsTo`): a shape we do not expect
    // must not make the whole Workspace unreadable.
    publishConnectionDetailsTo: t.unknown,
  }),
  status: t.partial({
    atProvider: t.partial({ outputs: t.record(t.string, t.unknown) }),
    conditions: t.array(t.intersection([t.type({ type: t.string, status: t.string }), t.partial({ reason: t.string })])),
  }),
});
export type Workspace = t.TypeOf<typeof Workspace>;

/**
 * provider-terraform 0.x (Crossplane v1): where a Workspace publishes its connection details in
 * an external secret store instead of, or beside, a Secret. Removed in 1.x.
 */
export const PublishConnectionDetailsTo = t.intersection([
  t.type({ name: t.string }),
  t.partial({ configRef: t.partial({ name: t.string }) }),
]);
export type PublishConnectionDetailsTo = t.TypeOf<typeof PublishConnectionDetailsTo>;

export const Secret = object(t.literal('v1'), 'Secret', {
  type: t.string,
  data: t.record(t.string, t.string),
});
export type Secret = t.TypeOf<typeof Secret>;

export const Cluster = object(t.union([t.literal('cluster.x-k8s.io/v1beta1'), t.literal('cluster.x-k8s.io/v1beta2')]), 'Cluster', {
  spec: t.partial({ controlPlaneEndpoint: StoredEndpoint }),
});
export type Cluster = t.TypeOf<typeof Cluster>;

// Intersections and unions add their members' indexes to the context; they are not paths.
const isCombinator = (codec: t.Decoder<unknown, unknown> | undefined): boolean => {
  const tag = (codec as { _tag?: string } | undefined)?._tag;
  return tag === 'IntersectionType' || tag === 'UnionType';
};

const pathOf = (error: t.ValidationError): string =>
  error.context
    .filter((entry, index) => index > 0 && !isCombinator(error.context[index - 1]?.type))
    .map((entry) => entry.key)
    .join('.');

/**
 * What a cache remembers of decoding the objects it hands out deep-frozen: such an object
 * never changes, so its shape needs checking once, not on every read. The cache owns the memo
 * and decides which objects it keeps answers for; the core keeps no state of its own.
 */
export interface DecodeMemo {
  /** What `codec` decoded from `input` before, or undefined. */
  readonly recall: (codec: t.Mixed, input: unknown) => unknown;
  /** Offers what `codec` decoded from `input`; the memo keeps it only for objects it vouches for. */
  readonly remember: (codec: t.Mixed, input: unknown, decoded: unknown) => void;
}

/** Hand-written guards for the codecs a reconcile decodes on every pass (see shapes.ts). */
const GUARDS: ReadonlyMap<t.Mixed, (u: unknown) => boolean> = new Map<t.Mixed, (u: unknown) => boolean>([
  [CAPTControlPlane, isCAPTControlPlane],
  [Cluster, isCluster],
  [WorkspaceTemplateApply, isWorkspaceTemplateApply],
  [Workspace, isWorkspace],
]);

/** Whether `guard` holds for `input`: then `codec.decode(input)` is `Right(input)`. */
export const guardOf = (codec: t.Mixed): ((u: unknown) => boolean) | undefined => GUARDS.get(codec);

/** `decodeObject`, with the object's description made only when it fails to decode. */
export const decodeShape = <C extends t.Mixed>(codec: C, input: unknown, what: () => string, memo?: DecodeMemo): E.Either<ObjectDecodeError, t.TypeOf<C>> => {
  const recalled: unknown = memo?.recall(codec, input);
  if (recalled !== undefined) return E.right(recalled);
  if (GUARDS.get(codec)?.(input) === true) {
    memo?.remember(codec, input, input);
    return E.right(input);
  }
  const decoded = codec.decode(input);
  if (E.isRight(decoded)) {
    memo?.remember(codec, input, decoded.right);
    return decoded;
  }
  const paths = [...new Set(decoded.left.map(pathOf).map((p) => p || '(root)'))];
  const object = what();
  return E.left({
    _tag: 'ObjectDecodeError',
    reason: 'ObjectDecodeError',
    retryable: false,
    object,
    paths,
    message: `${object} does not have the expected shape at ${paths.join(', ')}`,
  });
};

/**
 * Decodes `input` with `codec`; a failure names the object and every path that was wrong. The
 * message never quotes values (the object may be a Secret). With a `memo`, an answer it recalls
 * is used as it is, and a success is offered to it; failures are never kept (rare, and their
 * message names the object as the caller described it).
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js';
 * import { Cluster } from '@capt-endpoint/core';
 * import { decodeObject } from '@capt-endpoint/core/adapter';
 *
 * const decoded = decodeObject(Cluster, 'Cluster team-a/demo')({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: {} });
 * if (E.isLeft(decoded)) decoded.left.paths; // ['metadata.name']
 * ```
 */
export const decodeObject =
  <C extends t.Mixed>(codec: C, what: string, memo?: DecodeMemo) =>
  (input: unknown): E.Either<ObjectDecodeError, t.TypeOf<C>> =>
    decodeShape(codec, input, () => what, memo);
