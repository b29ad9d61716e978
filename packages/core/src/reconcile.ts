/**
 * One call that keeps a control plane's endpoint right: `reconcileEndpoint` walks the chain
 * CAPTControlPlane → WorkspaceTemplateApply → Workspace → outputs or connection Secret, finds
 * the owner Cluster through the ownerReferences, plans with the pure core, applies the plan
 * (spec patches first, then the status condition) and says what happened and when to look again.
 *
 * It fetches only what the caller does not already hold. With the objects in hand and the
 * endpoint set, a reconcile costs one read (the Workspace) and no writes.
 */
import * as E from 'fp-ts/lib/Either.js';
import { identity, pipe } from 'fp-ts/lib/function.js';
import * as O from 'fp-ts/lib/Option.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { clusterCalls, isStale, logTo, threw, type Calls, type Failure, type Step } from './clusterCalls';
import { describeRef, type ClusterClient, type KubeObject, type MergePatch, type ObjectRead, type ObjectRef, type SteadyMemo } from './clusterClient';
import { isConditionType, planCondition, type ConditionUpdate } from './condition';
import type { ApiEndpoint } from './endpoint';
import type { ConflictRetriesExhausted, EndpointError, EndpointSource, InvalidOptions } from './errors';
import { followChain } from './followChain';
import { CLUSTER_API_VERSIONS, CLUSTER_GROUP, CONTROL_PLANE_API_VERSION, groupOf, WORKSPACE_API_VERSIONS, type WorkspaceApiVersion } from './kinds';
import type { LocateOptions, Location, WaitingOn } from './locate';
import type { Logger } from './logger';
import { CAPTControlPlane, Cluster, type Condition } from './objects';
import { planCleanup, planUpdate, type Contest, type Drift, type EndpointPlan, type PlanOptions, type PlanTag, type Repair } from './plan';

/** Which control plane: by name, or the objects the caller already holds. */
export type ReconcileTarget =
  | { readonly namespace: string; readonly name: string }
  | {
      readonly controlPlane: KubeObject;
      /** The owner Cluster; `null` says there is none; absent means "look it up". */
      readonly cluster?: KubeObject | null | undefined;
      readonly workspaceApply?: KubeObject | undefined;
    };

export interface ReconcileOptions extends PlanOptions, LocateOptions {
  /** Which Workspace kind CAPT creates. Default the cluster-scoped `tf.upbound.io/v1beta1`. */
  readonly workspaceApiVersion?: WorkspaceApiVersion | undefined;
  /** Write the condition to the control plane's status. Default true; the outcome carries it either way. */
  readonly writeCondition?: boolean | undefined;
  /**
   * Namespaces a connection Secret may be read from besides the control plane's own, or `'any'`.
   * Default none: a Workspace cannot steer the controller into reading another tenant's Secret.
   */
  readonly allowSecretNamespaces?: readonly string[] | 'any' | undefined;
  /** How soon to look again while waiting, in milliseconds. Default 15000. */
  readonly requeueWhileWaiting?: number | undefined;
  readonly logger?: Logger | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * `Repaired`: a malformed endpoint was replaced. `Contested`: another writer keeps overwriting
 * the endpoint, so we stopped writing it for now (see `contest`).
 */
export type ReconcileResult = 'Updated' | 'Repaired' | 'UpToDate' | 'Waiting' | 'Drift' | 'Contested' | 'CleanedUp' | 'ControlPlaneGone';

export type WrittenObject = 'CAPTControlPlane' | 'Cluster' | 'CAPTControlPlaneStatus';

export interface ReconcileOutcome {
  readonly _tag: ReconcileResult;
  readonly controlPlane: ObjectRef;
  /** One line for people. */
  readonly message: string;
  /** The endpoint the control plane holds now. */
  readonly endpoint: ApiEndpoint | undefined;
  /** Where the Workspace's endpoint was read, when it was. */
  readonly source: EndpointSource | undefined;
  /** What this reconcile wrote, in order. Empty when nothing changed. */
  readonly updated: readonly WrittenObject[];
  readonly waitingOn: WaitingOn | undefined;
  readonly drift: Drift | undefined;
  /** The malformed endpoint replaced, what was wrong with it and who wrote it. */
  readonly repair: Repair | undefined;
  /** The other writer we stopped answering, and when we write again. */
  readonly contest: Contest | undefined;
  /** The objects hold the endpoint but the Workspace no longer provides it. */
  readonly sourceGone: boolean;
  /** The owner Cluster, when there is one. */
  readonly cluster: ObjectRef | undefined;
  /** The condition as stored (or as it would be, with `writeCondition: false`). */
  readonly condition: Condition | undefined;
  /** The status patch that records the condition, for a host that writes status itself. */
  readonly statusPatch: MergePatch | undefined;
  /** Look again after this many milliseconds; undefined when only a change should wake us. */
  readonly requeueAfter: number | undefined;
}

/**
 * An outcome that reports nothing beyond its tag and message: no endpoint, no writes, no
 * condition. The reconcile builds every outcome from it; hosts and tests can too.
 * @example
 * ```ts
 * import { emptyOutcome } from '@capt-endpoint/core';
 *
 * const gone = emptyOutcome({ apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo-cp' }, 'ControlPlaneGone');
 * gone.updated; // []
 * gone.message; // 'ControlPlaneGone'
 * ```
 */
export const emptyOutcome = (controlPlane: ObjectRef, tag: ReconcileResult, message: string = tag): ReconcileOutcome => ({
  _tag: tag,
  controlPlane,
  message,
  endpoint: undefined,
  source: undefined,
  updated: [],
  waitingOn: undefined,
  drift: undefined,
  repair: undefined,
  contest: undefined,
  sourceGone: false,
  cluster: undefined,
  condition: undefined,
  statusPatch: undefined,
  requeueAfter: undefined,
});

const DEFAULT_REQUEUE_WHILE_WAITING = 15_000;

/** The owner Cluster as the caller gave it: look it up, there is none, or this one. */
type ClusterHint =
  | { readonly _tag: 'LookUp' }
  | { readonly _tag: 'None' }
  | { readonly _tag: 'Held'; readonly object: KubeObject };

/** What the caller already holds; the rest is read. */
interface Held {
  readonly controlPlane: KubeObject | undefined;
  readonly cluster: ClusterHint;
  readonly workspaceApply: KubeObject | undefined;
}

/** The owner Cluster and where it lives. */
interface Owner {
  readonly ref: ObjectRef;
  readonly cluster: Cluster;
}

/** What one pass works with: the client calls, the control plane it is about, the options. */
interface Pass {
  readonly calls: Calls;
  readonly ref: ObjectRef;
  readonly options: ReconcileOptions;
}

const invalidOption = (option: string, message: string): InvalidOptions => ({
  _tag: 'InvalidOptions',
  option,
  reason: 'InvalidOptions',
  retryable: false,
  message,
});

const controlPlaneRef = (namespace: string | undefined, name: string): ObjectRef => ({
  apiVersion: CONTROL_PLANE_API_VERSION,
  kind: 'CAPTControlPlane',
  namespace,
  name,
});

const clusterHint = (cluster: KubeObject | null | undefined): ClusterHint =>
  cluster === null ? { _tag: 'None' } : cluster === undefined ? { _tag: 'LookUp' } : { _tag: 'Held', object: cluster };

/** The target and options checked, as the control plane's reference and what is held. */
const start = (target: ReconcileTarget, options: ReconcileOptions): E.Either<EndpointError, { readonly ref: ObjectRef; readonly held: Held }> => {
  // Callers without the types can hand anything; none of it may make us reject.
  if (typeof target !== 'object' || target === null) {
    return E.left(invalidOption('target', 'the target must be { namespace, name } or { controlPlane }'));
  }
  const apiVersion = options.workspaceApiVersion;
  if (apiVersion !== undefined && !(WORKSPACE_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    return E.left(invalidOption('workspaceApiVersion', `workspaceApiVersion must be one of ${WORKSPACE_API_VERSIONS.join(', ')}`));
  }
  // Checked before any request: a type the API server rejects would fail the status patch after both spec patches.
  if (options.conditionType !== undefined && !isConditionType(options.conditionType)) {
    return E.left(invalidOption('conditionType', 'conditionType must be a Kubernetes condition type: an optional DNS-subdomain prefix and "/", then letters, digits, "-", "_" or "." (at most 316 characters)'));
  }
  if (!('controlPlane' in target)) {
    return E.right({ ref: controlPlaneRef(target.namespace, target.name), held: { controlPlane: undefined, cluster: { _tag: 'LookUp' }, workspaceApply: undefined } });
  }
  const metadata = target.controlPlane?.metadata;
  return E.right({
    ref: controlPlaneRef(metadata?.namespace, metadata?.name ?? ''),
    held: { controlPlane: target.controlPlane, cluster: clusterHint(target.cluster), workspaceApply: target.workspaceApply },
  });
};

// ---------------------------------------------------------------------------------------------
// Read: the control plane and its owner Cluster.

const readControlPlane = (pass: Pass, held: KubeObject | undefined, managedFields = false): Step<CAPTControlPlane | undefined> =>
  pipe(
    held === undefined ? pass.calls.get(pass.ref, { managedFields }) : TE.right(held),
    TE.chainEitherKW((object) => (object === undefined ? E.right(undefined) : pass.calls.decode(CAPTControlPlane, pass.ref, object))),
  );

const ownerClusterRef = (controlPlane: CAPTControlPlane): ObjectRef | undefined => {
  const owner = controlPlane.metadata.ownerReferences?.find((ref) => ref.kind === 'Cluster' && groupOf(ref.apiVersion) === CLUSTER_GROUP);
  return owner === undefined ? undefined : { apiVersion: owner.apiVersion, kind: 'Cluster', namespace: controlPlane.metadata.namespace, name: owner.name };
};

const isNotServed = (error: EndpointError): boolean => error._tag === 'RequestFailed' && error.error.kind === 'NotServed';

/**
 * The Cluster the owner reference names, read at the reference's apiVersion or, when the server
 * does not serve that one (CAPT writes v1beta1; Cluster API 1.16 stops serving it), at the other
 * Cluster API versions the library knows, newest first. A reference at a version the library
 * does not know (an old `v1alpha4`) is read as an unserved one: at the known versions, newest
 * first, with no request at the version it names. `undefined` when the Cluster does not exist
 * or no version is served: then there is no owner to update.
 */
const readServedCluster = (pass: Pass, ref: ObjectRef, managedFields: boolean): Step<{ readonly ref: ObjectRef; readonly object: KubeObject } | undefined> => {
  const known = (CLUSTER_API_VERSIONS as readonly string[]).includes(ref.apiVersion);
  const versions = [...(known ? [ref.apiVersion] : []), ...[...CLUSTER_API_VERSIONS].reverse().filter((apiVersion) => apiVersion !== ref.apiVersion)];
  const readAt = (index: number): Step<{ readonly ref: ObjectRef; readonly object: KubeObject } | undefined> => {
    const at: ObjectRef = { ...ref, apiVersion: versions[index] ?? ref.apiVersion };
    return pipe(
      pass.calls.get(at, { managedFields }),
      TE.map((object) => (object === undefined ? undefined : { ref: at, object })),
      TE.orElse((error) => (!isNotServed(error) ? TE.left(error) : index + 1 < versions.length ? readAt(index + 1) : TE.right(undefined))),
    );
  };
  return readAt(0);
};

/** A Cluster the caller holds was read at a version the server serves: it is written there. */
const heldClusterRef = (named: ObjectRef, held: KubeObject): ObjectRef => {
  const apiVersion: unknown = held.apiVersion;
  return typeof apiVersion === 'string' && groupOf(apiVersion) === CLUSTER_GROUP ? { ...named, apiVersion } : named;
};

const readOwner = (pass: Pass, controlPlane: CAPTControlPlane, hint: ClusterHint, managedFields = false): Step<Owner | undefined> => {
  const named = hint._tag === 'None' || pass.options.updateCluster === false ? undefined : ownerClusterRef(controlPlane);
  if (named === undefined) return TE.right(undefined);
  return pipe(
    hint._tag === 'Held' ? TE.right({ ref: heldClusterRef(named, hint.object), object: hint.object }) : readServedCluster(pass, named, managedFields),
    TE.chainEitherKW((read) =>
      read === undefined ? E.right(undefined) : pipe(pass.calls.decode(Cluster, read.ref, read.object), E.map((cluster) => ({ ref: read.ref, cluster }))),
    ),
  );
};

// ---------------------------------------------------------------------------------------------
// Write: the spec patches, then the condition, computed against the control plane as our spec
// patch left it (its generation is the one observed).

interface Applied {
  readonly updated: readonly WrittenObject[];
  readonly condition: ConditionUpdate;
  readonly statusPatch: MergePatch | undefined;
}

const patchControlPlane = (pass: Pass, controlPlane: CAPTControlPlane, patch: MergePatch | undefined): Step<CAPTControlPlane> =>
  patch === undefined
    ? TE.right(controlPlane)
    : pipe(pass.calls.write('patch', pass.ref, patch), TE.chainEitherKW((written) => pass.calls.decode(CAPTControlPlane, pass.ref, written)));

const patchCluster = (pass: Pass, owner: Owner | undefined, patch: MergePatch | undefined): Step<boolean> =>
  patch === undefined || owner === undefined ? TE.right(false) : pipe(pass.calls.write('patch', owner.ref, patch), TE.map(() => true));

const writeCondition = (pass: Pass, controlPlane: CAPTControlPlane, plan: EndpointPlan): Step<{ readonly condition: ConditionUpdate; readonly written: boolean }> => {
  const condition = planCondition(controlPlane, plan.condition, pass.options.now?.() ?? new Date(), pass.options);
  const patch = O.toUndefined(condition.patch);
  return patch === undefined || pass.options.writeCondition === false
    ? TE.right({ condition, written: false })
    : pipe(pass.calls.write('patchStatus', pass.ref, patch), TE.map(() => ({ condition, written: true })));
};

const apply = (pass: Pass, controlPlane: CAPTControlPlane, owner: Owner | undefined, plan: EndpointPlan): Step<Applied> =>
  pipe(
    patchControlPlane(pass, controlPlane, plan.controlPlanePatch),
    TE.chain((current) =>
      pipe(
        patchCluster(pass, owner, plan.clusterPatch),
        TE.chain((clusterWritten) =>
          pipe(
            writeCondition(pass, current, plan),
            TE.map(({ condition, written }): Applied => ({
              updated: [
                ...(plan.controlPlanePatch === undefined ? [] : (['CAPTControlPlane'] as const)),
                ...(clusterWritten ? (['Cluster'] as const) : []),
                ...(written ? (['CAPTControlPlaneStatus'] as const) : []),
              ],
              condition,
              statusPatch: O.toUndefined(condition.patch),
            })),
          ),
        ),
      ),
    ),
  );

// ---------------------------------------------------------------------------------------------
// Report: the outcome, tagged by the plan, and its log line.

const outcomeTags: Readonly<Record<Exclude<PlanTag, 'Invalid'>, ReconcileResult>> = {
  Update: 'Updated',
  Repair: 'Repaired',
  UpToDate: 'UpToDate',
  Waiting: 'Waiting',
  Drift: 'Drift',
  Contested: 'Contested',
};

const requeueOf = (tag: ReconcileResult, plan: EndpointPlan, options: ReconcileOptions): number | undefined =>
  tag === 'Waiting' ? (options.requeueWhileWaiting ?? DEFAULT_REQUEUE_WHILE_WAITING) : tag === 'Contested' ? plan.contest?.resumeAfter : undefined;

const levels: Readonly<Record<ReconcileResult, 'warn' | 'info' | 'debug'>> = {
  Updated: 'info',
  Repaired: 'warn',
  UpToDate: 'debug',
  Waiting: 'debug',
  Drift: 'warn',
  Contested: 'warn',
  CleanedUp: 'info',
  ControlPlaneGone: 'debug',
};

const summarize = (tag: ReconcileResult, plan: EndpointPlan, updated: readonly WrittenObject[]): string =>
  `${tag}: ${plan.condition.message}${updated.length > 0 ? ` (wrote ${updated.join(', ')})` : ''}`;

const report = (pass: Pass, owner: Owner | undefined, plan: EndpointPlan, applied: Applied): Step<ReconcileOutcome> => {
  const context = { controlPlane: describeRef(pass.ref), updated: applied.updated };
  const step = { verb: 'get', ref: pass.ref } as const;
  if (plan._tag === 'Invalid') {
    const error = plan.invalid;
    return pipe(pass.calls.log('warn', step, { ...context, reason: error.reason }, error.message), TE.chainW(() => TE.left(error)));
  }
  const tag = outcomeTags[plan._tag];
  const outcome: ReconcileOutcome = {
    ...emptyOutcome(pass.ref, tag, summarize(tag, plan, applied.updated)),
    cluster: owner?.ref,
    endpoint: plan.endpoint,
    source: plan.source,
    updated: applied.updated,
    waitingOn: plan.endpoint === undefined ? plan.waiting?.waitingOn : undefined,
    drift: plan.drift,
    repair: plan.repair,
    contest: plan.contest,
    sourceGone: plan.sourceGone,
    condition: applied.condition.condition,
    statusPatch: applied.statusPatch,
    requeueAfter: requeueOf(tag, plan, pass.options),
  };
  const writer = (plan.contest?.writer ?? plan.repair?.writer ?? plan.drift?.writer)?.manager;
  return pipe(
    pass.calls.log(levels[tag], step, { ...context, endpoint: plan.endpoint, waitingOn: outcome.waitingOn, ...(writer === undefined ? {} : { writer }) }, outcome.message),
    TE.map(() => outcome),
  );
};

// ---------------------------------------------------------------------------------------------
// One pass: read, locate, plan, write; or, for a control plane being deleted, clean up.

const gone = (pass: Pass): Step<ReconcileOutcome> =>
  pipe(
    pass.calls.log('debug', { verb: 'get', ref: pass.ref }, { controlPlane: describeRef(pass.ref) }, 'control plane no longer exists'),
    TE.map(() => emptyOutcome(pass.ref, 'ControlPlaneGone', `${describeRef(pass.ref)} no longer exists`)),
  );

const cleanUp = (pass: Pass, owner: Owner | undefined): Step<ReconcileOutcome> => {
  const plan = planCleanup(owner?.cluster, pass.options);
  if (plan._tag === 'AlreadyClear' || owner === undefined) {
    return TE.right({ ...emptyOutcome(pass.ref, 'CleanedUp', `CleanedUp: the Cluster's endpoint is already clear`), cluster: owner?.ref });
  }
  const fields = { controlPlane: describeRef(pass.ref), cluster: describeRef(owner.ref) };
  return pipe(
    pass.calls.write('patch', owner.ref, plan.clusterPatch),
    TE.chain(() => pass.calls.log('info', { verb: 'patch', ref: owner.ref }, fields, 'control plane deleted: cleared the Cluster endpoint')),
    TE.map((): ReconcileOutcome => ({
      ...emptyOutcome(pass.ref, 'CleanedUp', `CleanedUp: removed the endpoint from ${describeRef(owner.ref)}`),
      cluster: owner.ref,
      updated: ['Cluster'],
    })),
  );
};

/** The objects the plan could not attribute, read again with their field owners; `undefined` when none. */
const withFieldOwners = (pass: Pass, controlPlane: CAPTControlPlane, owner: Owner | undefined, plan: EndpointPlan): Step<{ readonly controlPlane: CAPTControlPlane; readonly owner: Owner | undefined } | undefined> => {
  if (plan.unattributed.length === 0) return TE.right(undefined);
  const cluster = owner !== undefined && plan.unattributed.includes('Cluster') ? owner : undefined;
  return pipe(
    plan.unattributed.includes('CAPTControlPlane') ? readControlPlane(pass, undefined, true) : TE.right(controlPlane),
    TE.chain((fresh) =>
      pipe(
        cluster === undefined ? TE.right(owner) : readOwner(pass, fresh ?? controlPlane, { _tag: 'LookUp' }, true),
        TE.map((freshOwner) => (fresh === undefined ? undefined : { controlPlane: fresh, owner: freshOwner })),
      ),
    ),
  );
};

/**
 * Plans from what the chain says; when an object holds an endpoint other than ours and came
 * without managedFields (a cache drops them), reads it again from the API and plans again, so
 * the report can name the other writer and the contest rule can see it.
 */
const planWithWriters = (pass: Pass, controlPlane: CAPTControlPlane, owner: Owner | undefined, location: Location): Step<{ readonly plan: EndpointPlan; readonly controlPlane: CAPTControlPlane; readonly owner: Owner | undefined }> => {
  const first = planUpdate(location, controlPlane, owner?.cluster, pass.options);
  return pipe(
    withFieldOwners(pass, controlPlane, owner, first),
    TE.map((fresh) =>
      fresh === undefined
        ? { plan: first, controlPlane, owner }
        : { plan: planUpdate(location, fresh.controlPlane, fresh.owner?.cluster, pass.options), ...fresh },
    ),
  );
};

const update = (pass: Pass, controlPlane: CAPTControlPlane, owner: Owner | undefined, heldApply: KubeObject | undefined): Step<ReconcileOutcome> =>
  pipe(
    followChain(pass.calls, controlPlane, heldApply, pass.options),
    TE.chain((location) => planWithWriters(pass, controlPlane, owner, location)),
    TE.chainW((planned) =>
      pipe(
        apply(pass, planned.controlPlane, planned.owner, planned.plan),
        TE.chain((applied) => report(pass, planned.owner, planned.plan, applied)),
      ),
    ),
  );

const attempt = (pass: Pass, held: Held): Step<ReconcileOutcome> =>
  pipe(
    readControlPlane(pass, held.controlPlane),
    TE.chain((controlPlane) =>
      controlPlane === undefined
        ? gone(pass)
        : pipe(
            readOwner(pass, controlPlane, held.cluster),
            TE.chain((owner) =>
              controlPlane.metadata.deletionTimestamp === undefined
                ? update(pass, controlPlane, owner, held.workspaceApply)
                : cleanUp(pass, owner),
            ),
          ),
    ),
  );

const exhausted = (ref: ObjectRef): ConflictRetriesExhausted => ({
  _tag: 'ConflictRetriesExhausted',
  object: describeRef(ref),
  reason: 'ConflictRetriesExhausted',
  retryable: true,
  message: `${describeRef(ref)} kept changing while we wrote it; a later reconcile will try again`,
});

/** A pass that met a conflict runs once more on fresh reads of the control plane and the Cluster. */
const attemptTwice = (pass: Pass, held: Held): TE.TaskEither<EndpointError, ReconcileOutcome> =>
  pipe(
    attempt(pass, held),
    TE.orElse((failure: Failure) =>
      isStale(failure)
        ? pipe(
            pass.calls.log('debug', { verb: 'patch', ref: failure.ref }, { controlPlane: describeRef(pass.ref), object: describeRef(failure.ref) }, 'conflict on write: reading again'),
            TE.chain(() => attempt(pass, { ...held, controlPlane: undefined, cluster: held.cluster._tag === 'None' ? held.cluster : { _tag: 'LookUp' } })),
          )
        : TE.left(failure),
    ),
    TE.mapLeft((failure) => (isStale(failure) ? exhausted(failure.ref) : failure)),
  );

/**
 * Keeps one control plane's endpoint right. On a 409 Conflict it reads the objects again and
 * plans again once; a second conflict is a retryable `ConflictRetriesExhausted`. Never rejects.
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js';
 * import { reconcileEndpoint, renderError, type ClusterClient } from '@capt-endpoint/core';
 *
 * declare const client: ClusterClient; // createKubernetesClient(kubeConfig), or createFakeClient(yaml) in tests
 * const result = await reconcileEndpoint(client, { namespace: 'team-a', name: 'demo-cp' }, { onEndpointChange: 'keep' })();
 * if (E.isLeft(result)) console.error(renderError(result.left), result.left.retryable ? '(will retry)' : '');
 * else console.log(result.right._tag, result.right.endpoint, result.right.requeueAfter);
 * ```
 */
export const reconcileEndpoint = (client: ClusterClient, target: ReconcileTarget, options?: ReconcileOptions): TE.TaskEither<EndpointError, ReconcileOutcome> => {
  const settings: ReconcileOptions = options ?? NO_OPTIONS;
  const memo = steadyMemoFor(client, target);
  const byName = memo === undefined ? undefined : controlPlaneRef((target as { namespace: string }).namespace, (target as { name: string }).name);
  const recalled = memo === undefined || byName === undefined ? undefined : recall(memo, byName, settings);
  if (recalled !== undefined && byName !== undefined) return steadyAgain(byName, recalled, settings);
  const unnamed = controlPlaneRef(undefined, '');
  return pipe(
    E.tryCatch(() => start(target, settings), () => threw('get', unnamed, 'reading the target')),
    E.flattenW,
    TE.fromEither,
    TE.chain(({ ref, held }) => {
      const calls = clusterCalls(client, settings, memo !== undefined);
      return pipe(
        // Every step catches its own throws; this catches what a held object's getter may throw.
        TE.tryCatch(() => attemptTwice({ calls, ref, options: settings }, held)(), () => threw('get', ref, 'a held object')),
        TE.chainEitherK(identity),
        TE.map((outcome) => {
          if (memo !== undefined) offer(memo, ref, settings, calls.reads(), outcome);
          return outcome;
        }),
      );
    }),
  );
};

// ---------------------------------------------------------------------------------------------
// The steady memo: a caching client's record of the objects behind an UpToDate outcome.

/** The options of a call that passed none: one object, so that such calls share a memo entry. */
const NO_OPTIONS: ReconcileOptions = Object.freeze({});

/** The client's steady memo, for a target named by namespace and name; held objects are not remembered. */
const steadyMemoFor = (client: ClusterClient, target: ReconcileTarget): SteadyMemo | undefined => {
  try {
    if (typeof target !== 'object' || target === null || 'controlPlane' in target) return undefined;
    if (typeof target.namespace !== 'string' || typeof target.name !== 'string') return undefined;
    return client.steadyMemo ?? undefined;
  } catch {
    // A memo is a saving, never a requirement: a client whose memo fails reconciles in full.
    return undefined;
  }
};

const recall = (memo: SteadyMemo, ref: ObjectRef, options: ReconcileOptions): ReconcileOutcome | undefined => {
  try {
    return memo.recall(ref, options);
  } catch {
    return undefined;
  }
};

/** Offers an outcome that changed nothing and found everything it read. */
const offer = (memo: SteadyMemo, ref: ObjectRef, options: ReconcileOptions, reads: readonly ObjectRead[] | undefined, outcome: ReconcileOutcome): void => {
  if (reads === undefined || outcome._tag !== 'UpToDate' || outcome.updated.length > 0 || outcome.sourceGone || outcome.drift !== undefined) return;
  try {
    memo.remember(ref, options, reads, Object.freeze(outcome));
  } catch {
    // As in recall: the reconcile's outcome stands either way.
  }
};

/** The remembered outcome, logged as the reconcile that computed it logged it. */
const steadyAgain = (ref: ObjectRef, outcome: ReconcileOutcome, options: ReconcileOptions): TE.TaskEither<EndpointError, ReconcileOutcome> => {
  const logger = options.logger;
  if (logger === undefined) return TE.right(outcome);
  return pipe(
    logTo(logger)(
      'debug',
      { verb: 'get', ref },
      { controlPlane: describeRef(ref), updated: outcome.updated, endpoint: outcome.endpoint, waitingOn: outcome.waitingOn },
      outcome.message,
    ),
    TE.map(() => outcome),
    TE.mapLeft((failure) => (isStale(failure) ? exhausted(failure.ref) : failure)),
  );
};
