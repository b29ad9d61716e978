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
import { pipe } from 'fp-ts/lib/function.js';
import * as O from 'fp-ts/lib/Option.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { andThen, clusterCalls, isStale, logTo, threw, type Calls, type Failure, type LogLevel, type Now, type Verb } from './clusterCalls';
import type { ClusterClient, ObjectRead, SteadyMemo } from './clusterClient';
import { describeRef, type KubeObject, type MergePatch, type ObjectRef } from './objectRef';
import { isConditionType, planCondition, type ConditionUpdate } from './condition';
import type { ConflictRetriesExhausted, EndpointError, InvalidOptions } from './errors';
import { followChain } from './followChain';
import { CLUSTER_API_VERSIONS, CLUSTER_GROUP, CONTROL_PLANE_API_VERSION, groupOf, WORKSPACE_API_VERSIONS, type WorkspaceApiVersion } from './kinds';
import { invalid, type LocateOptions, type Location } from './locate';
import { ENDPOINT_RANGES, isEndpointRange } from './endpointPolicy';
import type { Logger } from './logger';
import { checkName, firstNameProblem, isDnsLabel, isDnsSubdomain } from './names';
import { CAPTControlPlane, Cluster } from './objects';
import { emptyOutcome, type ReconcileOutcome, type ReconcileResult, type WrittenObject } from './outcome';
import { planCleanup, planUpdate, type EndpointPlan, type PlanOptions, type PlanTag } from './plan';

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
  const ranges = options.allowEndpointRanges;
  if (ranges !== undefined && !(Array.isArray(ranges) && ranges.every(isEndpointRange))) {
    return E.left(invalidOption('allowEndpointRanges', `allowEndpointRanges must list ranges among ${ENDPOINT_RANGES.join(', ')}`));
  }
  const allowed = options.allowSecretNamespaces;
  if (Array.isArray(allowed) && !allowed.every(isDnsLabel)) {
    return E.left(invalidOption('allowSecretNamespaces', `allowSecretNamespaces must be 'any' or namespace names (DNS-1123 labels)`));
  }
  const held = 'controlPlane' in target;
  const named = held ? { namespace: target.controlPlane?.metadata?.namespace, name: target.controlPlane?.metadata?.name ?? '' } : target;
  // The target is a path too: a name from a flag or a file is checked before it is requested. A
  // held object's missing name or namespace is its decoding's to report (ObjectDecodeError).
  const present = (value: unknown): boolean => !held || (typeof value === 'string' && value !== '');
  const badName = firstNameProblem([
    ...(present(named.namespace) ? [[named.namespace, { kind: 'Namespace', field: 'the control plane\'s namespace' }] as const] : []),
    ...(present(named.name) ? [[named.name, { kind: 'CAPTControlPlane', field: 'the control plane\'s name' }] as const] : []),
  ]);
  if (badName !== undefined) return E.left(badName);
  const ref = controlPlaneRef(named.namespace, named.name);
  if (!('controlPlane' in target)) {
    return E.right({ ref, held: { controlPlane: undefined, cluster: { _tag: 'LookUp' }, workspaceApply: undefined } });
  }
  return E.right({ ref, held: { controlPlane: target.controlPlane, cluster: clusterHint(target.cluster), workspaceApply: target.workspaceApply } });
};

// ---------------------------------------------------------------------------------------------
// The steps below answer at once when they can (objects in hand, nothing to write, no logger)
// and chain with `andThen`, not TaskEither combinators: they run on every reconcile, and a
// combinator step (its closures, its copy of its arguments, its promise) costs more than most
// of the steps themselves. Each runs where the pipeline of combinators ran it, in the same
// order; a throw in any of them ends the reconcile as a throw in a combinator's callback did,
// caught once in `reconcileEndpoint`.

/** What a step gives: its value or why it failed, at once or once the client has answered. */
type Done<A> = Now<Failure, A>;

// ---------------------------------------------------------------------------------------------
// Read: the control plane and its owner Cluster.

const readControlPlane = (pass: Pass, held: KubeObject | undefined, managedFields = false): Done<CAPTControlPlane | undefined> =>
  andThen(held === undefined ? pass.calls.get(pass.ref, { managedFields })() : E.right(held), (object): Done<CAPTControlPlane | undefined> =>
    object === undefined ? E.right(undefined) : pass.calls.decode(CAPTControlPlane, pass.ref, object),
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
const readServedCluster = async (pass: Pass, ref: ObjectRef, managedFields: boolean): Promise<E.Either<Failure, { readonly ref: ObjectRef; readonly object: KubeObject } | undefined>> => {
  const known = (CLUSTER_API_VERSIONS as readonly string[]).includes(ref.apiVersion);
  const versions = [...(known ? [ref.apiVersion] : []), ...[...CLUSTER_API_VERSIONS].reverse().filter((apiVersion) => apiVersion !== ref.apiVersion)];
  for (let index = 0; index < versions.length; index++) {
    const at: ObjectRef = { ...ref, apiVersion: versions[index] ?? ref.apiVersion };
    const read = await pass.calls.get(at, { managedFields })();
    if (E.isRight(read)) return E.right(read.right === undefined ? undefined : { ref: at, object: read.right });
    if (!isNotServed(read.left)) return read;
  }
  return E.right(undefined);
};

/** A Cluster the caller holds was read at a version the server serves: it is written there. */
const heldClusterRef = (named: ObjectRef, held: KubeObject): ObjectRef => {
  const apiVersion: unknown = held.apiVersion;
  return typeof apiVersion === 'string' && groupOf(apiVersion) === CLUSTER_GROUP ? { ...named, apiVersion } : named;
};

/** The owner reference the reconcile would follow, when its name is not a Cluster's. */
const ownerNameProblem = (pass: Pass, controlPlane: CAPTControlPlane, hint: ClusterHint): Location | undefined => {
  const named = hint._tag === 'None' || pass.options.updateCluster === false ? undefined : ownerClusterRef(controlPlane);
  const problem = named === undefined ? undefined : checkName(named.name, { kind: 'Cluster', field: `${describeRef(pass.ref)} metadata.ownerReferences[kind=Cluster].name` });
  return problem === undefined ? undefined : invalid(problem);
};

const readOwner = (pass: Pass, controlPlane: CAPTControlPlane, hint: ClusterHint, managedFields = false): Done<Owner | undefined> => {
  const named = hint._tag === 'None' || pass.options.updateCluster === false ? undefined : ownerClusterRef(controlPlane);
  if (named === undefined || !isDnsSubdomain(named.name)) return E.right(undefined);
  const read = hint._tag === 'Held' ? E.right({ ref: heldClusterRef(named, hint.object), object: hint.object }) : readServedCluster(pass, named, managedFields);
  return andThen(read, (found): Done<Owner | undefined> => {
    if (found === undefined) return E.right(undefined);
    const cluster = pass.calls.decode(Cluster, found.ref, found.object);
    return E.isLeft(cluster) ? cluster : E.right({ ref: found.ref, cluster: cluster.right });
  });
};

// ---------------------------------------------------------------------------------------------
// Write: the spec patches, then the condition, computed against the control plane as our spec
// patch left it (its generation is the one observed).

interface Applied {
  readonly updated: readonly WrittenObject[];
  readonly condition: ConditionUpdate;
  readonly statusPatch: MergePatch | undefined;
}

const patchControlPlane = (pass: Pass, controlPlane: CAPTControlPlane, patch: MergePatch | undefined): Done<CAPTControlPlane> =>
  patch === undefined
    ? E.right(controlPlane)
    : andThen(pass.calls.write('patch', pass.ref, patch)(), (written): Done<CAPTControlPlane> => pass.calls.decode(CAPTControlPlane, pass.ref, written));

const patchCluster = (pass: Pass, owner: Owner | undefined, patch: MergePatch | undefined): Done<boolean> =>
  patch === undefined || owner === undefined ? E.right(false) : andThen(pass.calls.write('patch', owner.ref, patch)(), (): Done<boolean> => E.right(true));

const writeCondition = (pass: Pass, controlPlane: CAPTControlPlane, plan: EndpointPlan): Done<{ readonly condition: ConditionUpdate; readonly written: boolean }> => {
  const condition = planCondition(controlPlane, plan.condition, pass.options.now?.() ?? new Date(), pass.options);
  const patch = O.toUndefined(condition.patch);
  return patch === undefined || pass.options.writeCondition === false
    ? E.right({ condition, written: false })
    : andThen(pass.calls.write('patchStatus', pass.ref, patch)(), (): Done<{ readonly condition: ConditionUpdate; readonly written: boolean }> => E.right({ condition, written: true }));
};

const apply = (pass: Pass, controlPlane: CAPTControlPlane, owner: Owner | undefined, plan: EndpointPlan): Done<Applied> =>
  andThen(patchControlPlane(pass, controlPlane, plan.controlPlanePatch), (current) =>
    andThen(patchCluster(pass, owner, plan.clusterPatch), (clusterWritten) =>
      andThen(writeCondition(pass, current, plan), ({ condition, written }): Done<Applied> =>
        E.right({
          updated: [
            ...(plan.controlPlanePatch === undefined ? [] : (['CAPTControlPlane'] as const)),
            ...(clusterWritten ? (['Cluster'] as const) : []),
            ...(written ? (['CAPTControlPlaneStatus'] as const) : []),
          ],
          condition,
          statusPatch: O.toUndefined(condition.patch),
        }),
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

/** Logs as part of a step; with no logger there is nothing to do, and the fields are not built. */
const logged = (pass: Pass, level: LogLevel, step: { readonly verb: Verb; readonly ref: ObjectRef }, fields: () => Record<string, unknown>, message: string): Done<void> =>
  pass.calls.logging ? pass.calls.log(level, step, fields(), message)() : E.right(undefined);

const report = (pass: Pass, owner: Owner | undefined, plan: EndpointPlan, applied: Applied): Done<ReconcileOutcome> => {
  const context = { controlPlane: describeRef(pass.ref), updated: applied.updated };
  const step = { verb: 'get', ref: pass.ref } as const;
  if (plan._tag === 'Invalid') {
    const error = plan.invalid;
    return andThen(logged(pass, 'warn', step, () => ({ ...context, reason: error.reason }), error.message), (): Done<ReconcileOutcome> => E.left(error));
  }
  const tag = outcomeTags[plan._tag];
  // Every field of `emptyOutcome`, in its order, written out: spreading it costs more than the rest.
  const outcome: ReconcileOutcome = {
    _tag: tag,
    controlPlane: pass.ref,
    message: summarize(tag, plan, applied.updated),
    endpoint: plan.endpoint,
    source: plan.source,
    updated: applied.updated,
    waitingOn: plan.endpoint === undefined ? plan.waiting?.waitingOn : undefined,
    drift: plan.drift,
    repair: plan.repair,
    contest: plan.contest,
    sourceGone: plan.sourceGone,
    cluster: owner?.ref,
    condition: applied.condition.condition,
    statusPatch: applied.statusPatch,
    requeueAfter: requeueOf(tag, plan, pass.options),
  };
  const fields = (): Record<string, unknown> => {
    const writer = (plan.contest?.writer ?? plan.repair?.writer ?? plan.drift?.writer)?.manager;
    return { ...context, endpoint: plan.endpoint, waitingOn: outcome.waitingOn, ...(writer === undefined ? {} : { writer }) };
  };
  return andThen(logged(pass, levels[tag], step, fields, outcome.message), (): Done<ReconcileOutcome> => E.right(outcome));
};

// ---------------------------------------------------------------------------------------------
// One pass: read, locate, plan, write; or, for a control plane being deleted, clean up.

const gone = (pass: Pass): Done<ReconcileOutcome> =>
  andThen(logged(pass, 'debug', { verb: 'get', ref: pass.ref }, () => ({ controlPlane: describeRef(pass.ref) }), 'control plane no longer exists'), (): Done<ReconcileOutcome> =>
    E.right(emptyOutcome(pass.ref, 'ControlPlaneGone', `${describeRef(pass.ref)} no longer exists`)),
  );

const cleanUp = (pass: Pass, owner: Owner | undefined): Done<ReconcileOutcome> => {
  const plan = planCleanup(owner?.cluster, pass.options);
  if (plan._tag === 'AlreadyClear' || owner === undefined) {
    return E.right({ ...emptyOutcome(pass.ref, 'CleanedUp', `CleanedUp: the Cluster's endpoint is already clear`), cluster: owner?.ref });
  }
  const fields = { controlPlane: describeRef(pass.ref), cluster: describeRef(owner.ref) };
  return andThen(pass.calls.write('patch', owner.ref, plan.clusterPatch)(), () =>
    andThen(logged(pass, 'info', { verb: 'patch', ref: owner.ref }, () => fields, 'control plane deleted: cleared the Cluster endpoint'), (): Done<ReconcileOutcome> =>
      E.right({
        ...emptyOutcome(pass.ref, 'CleanedUp', `CleanedUp: removed the endpoint from ${describeRef(owner.ref)}`),
        cluster: owner.ref,
        updated: ['Cluster'],
      }),
    ),
  );
};

/** The objects the plan could not attribute, read again with their field owners; `undefined` when none. */
const withFieldOwners = (
  pass: Pass,
  controlPlane: CAPTControlPlane,
  owner: Owner | undefined,
  plan: EndpointPlan,
): Done<{ readonly controlPlane: CAPTControlPlane; readonly owner: Owner | undefined } | undefined> => {
  if (plan.unattributed.length === 0) return E.right(undefined);
  const cluster = owner !== undefined && plan.unattributed.includes('Cluster') ? owner : undefined;
  return andThen(plan.unattributed.includes('CAPTControlPlane') ? readControlPlane(pass, undefined, true) : E.right(controlPlane), (fresh) =>
    andThen(cluster === undefined ? E.right(owner) : readOwner(pass, fresh ?? controlPlane, { _tag: 'LookUp' }, true), (freshOwner): Done<{ readonly controlPlane: CAPTControlPlane; readonly owner: Owner | undefined } | undefined> =>
      E.right(fresh === undefined ? undefined : { controlPlane: fresh, owner: freshOwner }),
    ),
  );
};

/**
 * Plans from what the chain says; when an object holds an endpoint other than ours and came
 * without managedFields (a cache drops them), reads it again from the API and plans again, so
 * the report can name the other writer and the contest rule can see it.
 */
const planWithWriters = (
  pass: Pass,
  controlPlane: CAPTControlPlane,
  owner: Owner | undefined,
  location: Location,
): Done<{ readonly plan: EndpointPlan; readonly controlPlane: CAPTControlPlane; readonly owner: Owner | undefined }> => {
  const first = planUpdate(location, controlPlane, owner?.cluster, pass.options);
  return andThen(withFieldOwners(pass, controlPlane, owner, first), (fresh): Done<{ readonly plan: EndpointPlan; readonly controlPlane: CAPTControlPlane; readonly owner: Owner | undefined }> =>
    E.right(fresh === undefined ? { plan: first, controlPlane, owner } : { plan: planUpdate(location, fresh.controlPlane, fresh.owner?.cluster, pass.options), ...fresh }),
  );
};

const update = (pass: Pass, controlPlane: CAPTControlPlane, owner: Owner | undefined, heldApply: KubeObject | undefined, badOwner: Location | undefined): Done<ReconcileOutcome> =>
  andThen(badOwner === undefined ? followChain(pass.calls, controlPlane, heldApply, pass.options) : E.right(badOwner), (location) =>
    andThen(planWithWriters(pass, controlPlane, owner, location), (planned) =>
      andThen(apply(pass, planned.controlPlane, planned.owner, planned.plan), (applied) => report(pass, planned.owner, planned.plan, applied)),
    ),
  );

const attempt = (pass: Pass, held: Held): Done<ReconcileOutcome> =>
  andThen(readControlPlane(pass, held.controlPlane), (controlPlane) =>
    controlPlane === undefined
      ? gone(pass)
      : andThen(readOwner(pass, controlPlane, held.cluster), (owner) =>
          controlPlane.metadata.deletionTimestamp === undefined
            ? update(pass, controlPlane, owner, held.workspaceApply, ownerNameProblem(pass, controlPlane, held.cluster))
            : cleanUp(pass, owner),
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
const attemptTwice = async (pass: Pass, held: Held): Promise<E.Either<EndpointError, ReconcileOutcome>> => {
  const first = await attempt(pass, held);
  if (E.isRight(first)) return first;
  const failure = first.left;
  if (!isStale(failure)) return E.left(failure);
  const again = await andThen(
    logged(pass, 'debug', { verb: 'patch', ref: failure.ref }, () => ({ controlPlane: describeRef(pass.ref), object: describeRef(failure.ref) }), 'conflict on write: reading again'),
    () => attempt(pass, { ...held, controlPlane: undefined, cluster: held.cluster._tag === 'None' ? held.cluster : { _tag: 'LookUp' } }),
  );
  if (E.isRight(again)) return again;
  return E.left(isStale(again.left) ? exhausted(again.left.ref) : again.left);
};

/**
 * Keeps one control plane's endpoint right. On a 409 Conflict it reads the objects again and
 * plans again once; a second conflict is a retryable `ConflictRetriesExhausted`. Never rejects.
 *
 * The owner Cluster is read at its owner reference's apiVersion; when the server does not serve
 * that one (`NotServed`, ADR 0091), at the other versions of Cluster API the library knows,
 * newest first, and patched at the one that answers (the outcome's `cluster` names it). An owner
 * reference at an unknown version (an old `v1alpha4`) is read as an unserved one, with no request
 * at it. A Cluster missing at the served version, or no Cluster version served at all, is "no
 * owner": only the control plane is written; any other failure of those reads is the reconcile's
 * error. A Cluster the caller holds is written at the apiVersion it was read at.
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
  let started: E.Either<EndpointError, { readonly ref: ObjectRef; readonly held: Held }>;
  try {
    started = start(target, settings);
  } catch {
    started = E.left(threw('get', unnamed, 'reading the target'));
  }
  if (E.isLeft(started)) return TE.left(started.left);
  const { ref, held } = started.right;
  return async () => {
    const passOptions = withClientFieldManager(client, settings);
    const calls = clusterCalls(client, passOptions, memo !== undefined);
    let result: E.Either<EndpointError, ReconcileOutcome>;
    try {
      result = await attemptTwice({ calls, ref, options: passOptions }, held);
    } catch {
      // Every step catches its own throws; this catches what a held object's getter may throw.
      return E.left(threw('get', ref, 'a held object'));
    }
    if (E.isRight(result) && memo !== undefined) offer(memo, ref, settings, calls.reads(), result.right);
    return result;
  };
};

/** The options, naming the client's own field manager when they name none (a client's one is fixed, so memo keys need not carry it). */
const withClientFieldManager = (client: ClusterClient, options: ReconcileOptions): ReconcileOptions => {
  if (options.fieldManager !== undefined) return options;
  let named: unknown;
  try {
    named = client.fieldManager;
  } catch {
    // A client whose getter throws has no name of its own: the default stands.
    return options;
  }
  return typeof named === 'string' && named !== '' ? { ...options, fieldManager: named } : options;
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
