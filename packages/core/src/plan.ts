/**
 * The update decision: from what the Workspace says (or why it says nothing), the
 * CAPTControlPlane and the owner Cluster, which merge patches to send and which condition to
 * record. Pure and total; applying the plan is the reconciler's job.
 *
 * Rules (Cluster API's contract and CAPTEP-0013/0014/0019):
 * - no write when the objects already hold the endpoint (hosts compare in canonical form, see
 *   `endpointsEqual`: case and the spelling of an IPv6 address do not count);
 * - set when unset (absent, or v1beta1's `{host: "", port: 0}`);
 * - an endpoint is set once for a cluster's life: under `onEndpointChange: 'keep'` (default) a
 *   valid endpoint already on either object wins, an unset object gets it too (as Cluster API
 *   copies it), and a different Workspace value is reported as drift; `'update'` follows the
 *   Workspace;
 * - never write Cluster status (Cluster API owns it);
 * - patches carry only the fields we own, plus the resourceVersion they were planned from.
 *
 * `planUpdate` and `planCleanup` are plain functions over plain inputs; each plan carries its own
 * tag. `planEndpointUpdate` and `planEndpointCleanup` give the same plans in an `Either`, for
 * callers that hold the `Either` the locate functions return.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { MergePatch } from './clusterClient';
import { DEFAULT_CONDITION_TYPE, findCondition, type DesiredCondition } from './condition';
import { endpointsEqual, formatHostPort, isEndpointSet, type ApiEndpoint } from './endpoint';
import { ENDPOINT_PARSE_ERROR_TAGS, type EndpointError, type EndpointSource, type ValueError } from './errors';
import { invalid, type Found, type Location, type NotYetAvailable } from './locate';
import type { CAPTControlPlane, Cluster } from './objects';

export type EndpointChangePolicy = 'keep' | 'update';

export interface PlanOptions {
  /** What to do when a valid endpoint is set and the Workspace says another. Default `'keep'`. */
  readonly onEndpointChange?: EndpointChangePolicy | undefined;
  /** Propagate to the owner Cluster (CAPTEP-0014). Default true. */
  readonly updateCluster?: boolean | undefined;
  /** Default `EndpointReady`. */
  readonly conditionType?: string | undefined;
  /** Put the planned-from resourceVersion in each patch. Default true. */
  readonly optimisticLock?: boolean | undefined;
}

/** Where the endpoint stands, as an Either: found or not there yet, or why it is unusable. */
export type Resolution = E.Either<EndpointError, Found | NotYetAvailable>;

export interface Drift {
  /** The endpoint the objects hold (kept under `'keep'`). */
  readonly current: ApiEndpoint;
  /** What the Workspace says now. */
  readonly workspace: ApiEndpoint;
  /** Which objects hold an endpoint other than the Workspace's. */
  readonly objects: ReadonlyArray<'CAPTControlPlane' | 'Cluster'>;
  /** True under `'update'`: the plan writes the Workspace's value. */
  readonly followed: boolean;
}

/**
 * What the plan does: `Update` writes the endpoint, `UpToDate` finds it in place, `Waiting` has
 * nothing to write yet, `Drift` reports a held endpoint other than the Workspace's (or two
 * objects that disagree), `Invalid` reports a value that is there but unusable.
 */
export type PlanTag = 'Update' | 'UpToDate' | 'Waiting' | 'Drift' | 'Invalid';

interface PlanFields {
  /** The endpoint the control plane holds once the plan is applied. */
  readonly endpoint: ApiEndpoint | undefined;
  readonly controlPlanePatch: MergePatch | undefined;
  readonly clusterPatch: MergePatch | undefined;
  readonly condition: DesiredCondition;
  /** Where the Workspace's endpoint was read, when it was found. */
  readonly source: EndpointSource | undefined;
  /** Set while the Workspace has no endpoint for us. */
  readonly waiting: NotYetAvailable | undefined;
  readonly drift: Drift | undefined;
  /** Both objects hold the endpoint but the Workspace no longer provides it: left alone. */
  readonly sourceGone: boolean;
}

export type EndpointPlan = PlanFields &
  (
    | {
        readonly _tag: 'Invalid';
        /** The value is there but unusable; nothing is written from it. */
        readonly invalid: ValueError;
      }
    | { readonly _tag: Exclude<PlanTag, 'Invalid'>; readonly invalid: undefined }
  );

/** Value errors end in a False condition; everything else (API failures) is the caller's. */
const valueErrorTags: ReadonlySet<EndpointError['_tag']> = new Set<EndpointError['_tag']>([
  'InvalidEndpointValue',
  'UndecodableSecretValue',
  'SecretNamespaceNotAllowed',
  'ObjectDecodeError',
  ...ENDPOINT_PARSE_ERROR_TAGS,
]);

/**
 * @example
 * ```ts
 * import { apiError, isValueError, parseError } from '@capt-endpoint/core';
 *
 * isValueError(parseError('InvalidHost', 'the host is not a DNS name or IP address')); // true: record a False condition
 * isValueError(apiError('Timeout', 'the request timed out')); // false: the caller retries
 * ```
 */
export const isValueError = (error: EndpointError): error is ValueError => valueErrorTags.has(error._tag);

const lock = (object: { metadata: { resourceVersion?: string } }, optimisticLock: boolean) =>
  optimisticLock && object.metadata.resourceVersion !== undefined
    ? { metadata: { resourceVersion: object.metadata.resourceVersion } }
    : {};

const endpointPatch = (
  object: { metadata: { resourceVersion?: string } },
  endpoint: ApiEndpoint,
  optimisticLock: boolean,
): MergePatch => ({
  ...lock(object, optimisticLock),
  spec: { controlPlaneEndpoint: { host: endpoint.host, port: endpoint.port } },
});

const storedEndpoint = (object: CAPTControlPlane | Cluster | undefined): ApiEndpoint | undefined => {
  const stored = object?.spec?.controlPlaneEndpoint;
  return isEndpointSet(stored) ? { host: stored.host, port: stored.port } : undefined;
};

const describeSource = (source: EndpointSource): string =>
  source.from === 'outputs'
    ? `output "${source.key}" of ${source.workspace}`
    : `key "${source.key}" of connection Secret ${source.secret.namespace}/${source.secret.name}`;

/** The endpoints the two objects hold, and whether the Cluster takes part. */
interface Held {
  readonly controlPlane: ApiEndpoint | undefined;
  readonly cluster: ApiEndpoint | undefined;
  readonly withCluster: boolean;
}

/** What each object should hold once the plan is applied (undefined: nothing known for it). */
interface Wanted {
  readonly controlPlane: ApiEndpoint | undefined;
  readonly cluster: ApiEndpoint | undefined;
}

/**
 * Under 'keep' what is set stays set; under 'update' (`follow`) the Workspace's value wins when
 * it has one. Without a value from the Workspace, both policies only fill what is unset. A held
 * value equal to the target (another spelling of it) stays as written: nothing to write.
 */
const wantedEndpoints = (held: Held, workspace: ApiEndpoint | undefined, follow: boolean): Wanted => {
  const target = follow ? workspace : (held.controlPlane ?? held.cluster ?? workspace);
  const wants = (current: ApiEndpoint | undefined): ApiEndpoint | undefined =>
    follow
      ? current !== undefined && target !== undefined && endpointsEqual(current, target)
        ? current
        : target
      : (current ?? target);
  return { controlPlane: wants(held.controlPlane), cluster: held.withCluster ? wants(held.cluster) : undefined };
};

const driftOf = (held: Held, workspace: ApiEndpoint | undefined, follow: boolean, followed: boolean): Drift | undefined => {
  const established = held.controlPlane ?? held.cluster;
  if (workspace === undefined || established === undefined) return undefined;
  const objects = (
    [
      ['CAPTControlPlane', held.controlPlane],
      ['Cluster', held.cluster],
    ] as const
  )
    .filter(([, endpoint]) => endpoint !== undefined && !endpointsEqual(endpoint, workspace))
    .map(([kind]) => kind);
  return objects.length > 0 && (follow || !endpointsEqual(established, workspace))
    ? { current: established, workspace, objects, followed }
    : undefined;
};

/** Under 'keep' the two objects can disagree with each other; neither is overwritten. */
const objectsDisagree = (held: Held, follow: boolean): boolean =>
  !follow && held.controlPlane !== undefined && held.cluster !== undefined && !endpointsEqual(held.controlPlane, held.cluster);

/** The facts the condition and the tag are chosen from. */
interface Facts {
  readonly location: Location;
  readonly held: Held;
  readonly wanted: Wanted;
  readonly drift: Drift | undefined;
  readonly disagree: boolean;
  readonly allHold: boolean;
}

const driftCondition = (facts: Facts): Omit<DesiredCondition, 'type'> | undefined => {
  const { drift, held } = facts;
  if (drift !== undefined && !drift.followed) {
    // Independent of which objects held it, so copying it to the other object does not change it.
    const message = `the endpoint is ${formatHostPort(drift.current)} but the Workspace now says ${formatHostPort(drift.workspace)}; kept (onEndpointChange: keep)`;
    return { status: 'False', reason: 'EndpointDrift', message };
  }
  if (facts.disagree && held.controlPlane !== undefined && held.cluster !== undefined) {
    const message = `CAPTControlPlane holds ${formatHostPort(held.controlPlane)} but Cluster holds ${formatHostPort(held.cluster)}; neither is overwritten`;
    return { status: 'False', reason: 'EndpointDrift', message };
  }
  return undefined;
};

/** The condition once the endpoint is held everywhere it should be. */
const heldCondition = (facts: Facts, endpoint: ApiEndpoint, controlPlane: CAPTControlPlane, type: string): Omit<DesiredCondition, 'type'> => {
  const { location } = facts;
  const existing = findCondition(controlPlane, type);
  // The source went away after the endpoint was set: leave a True condition as it is.
  if (location._tag === 'NotYetAvailable' && existing?.status === 'True' && existing.reason !== undefined) {
    return { status: 'True', reason: existing.reason, message: existing.message ?? '' };
  }
  const from = location._tag === 'Found' && endpointsEqual(location.endpoint, endpoint) ? ` from ${describeSource(location.source)}` : '';
  return { status: 'True', reason: 'EndpointSet', message: `endpoint ${formatHostPort(endpoint)}${from}` };
};

const conditionOf = (facts: Facts, controlPlane: CAPTControlPlane, type: string): DesiredCondition => {
  const { location, wanted } = facts;
  if (location._tag === 'Invalid') return { type, status: 'False', reason: location.error.reason, message: location.error.message };
  const drift = driftCondition(facts);
  if (drift !== undefined) return { type, ...drift };
  if (location._tag === 'Found') return { type, ...heldCondition(facts, wanted.controlPlane ?? location.endpoint, controlPlane, type) };
  // Nothing from the Workspace yet, but the objects may already hold the endpoint.
  return facts.allHold && wanted.controlPlane !== undefined
    ? { type, ...heldCondition(facts, wanted.controlPlane, controlPlane, type) }
    : { type, status: 'False', reason: `WaitingFor${location.waitingOn}`, message: location.message };
};

const tagOf = (facts: Facts, writes: boolean, condition: DesiredCondition): Exclude<PlanTag, 'Invalid'> => {
  if ((facts.drift !== undefined && !facts.drift.followed) || facts.disagree) return 'Drift';
  if (writes) return 'Update';
  return condition.status === 'True' ? 'UpToDate' : 'Waiting';
};

const needs = (current: ApiEndpoint | undefined, wanted: ApiEndpoint | undefined): wanted is ApiEndpoint =>
  wanted !== undefined && (current === undefined || !endpointsEqual(current, wanted));

/**
 * Plans the endpoint update from where the endpoint stands, the CAPTControlPlane and the owner
 * Cluster (undefined when there is none). Total: every input has a plan.
 * @example
 * ```ts
 * import { planUpdate, type CAPTControlPlane, type Cluster } from '@capt-endpoint/core';
 *
 * declare const controlPlane: CAPTControlPlane;
 * declare const cluster: Cluster | undefined;
 * const plan = planUpdate(
 *   { _tag: 'Found', endpoint: { host: 'api.example.com', port: 443 }, source: { from: 'outputs', workspace: 'Workspace demo-eks', key: 'cluster_endpoint' } },
 *   controlPlane,
 *   cluster,
 *   { onEndpointChange: 'keep' },
 * );
 * // Patches only for objects that lack the endpoint; drift is reported, never overwritten under 'keep'.
 * [plan._tag, plan.controlPlanePatch, plan.clusterPatch, plan.condition.reason];
 * ```
 */
export const planUpdate = (location: Location, controlPlane: CAPTControlPlane, cluster: Cluster | undefined, options: PlanOptions = {}): EndpointPlan => {
  const optimisticLock = options.optimisticLock ?? true;
  const withCluster = (options.updateCluster ?? true) && cluster !== undefined;
  const held: Held = { controlPlane: storedEndpoint(controlPlane), cluster: withCluster ? storedEndpoint(cluster) : undefined, withCluster };
  const workspace = location._tag === 'Found' ? location.endpoint : undefined;
  const policy = options.onEndpointChange ?? 'keep';
  const follow = policy === 'update' && workspace !== undefined;
  const wanted = wantedEndpoints(held, workspace, follow);
  const allHold = wanted.controlPlane !== undefined && (!withCluster || wanted.cluster !== undefined);
  const facts: Facts = { location, held, wanted, drift: driftOf(held, workspace, follow, policy === 'update'), disagree: objectsDisagree(held, follow), allHold };

  const controlPlanePatch = needs(held.controlPlane, wanted.controlPlane) ? endpointPatch(controlPlane, wanted.controlPlane, optimisticLock) : undefined;
  const clusterPatch = cluster !== undefined && withCluster && needs(held.cluster, wanted.cluster) ? endpointPatch(cluster, wanted.cluster, optimisticLock) : undefined;
  const condition = conditionOf(facts, controlPlane, options.conditionType ?? DEFAULT_CONDITION_TYPE);
  const fields: PlanFields = {
    endpoint: wanted.controlPlane,
    controlPlanePatch,
    clusterPatch,
    condition,
    source: location._tag === 'Found' ? location.source : undefined,
    waiting: location._tag === 'NotYetAvailable' ? location : undefined,
    drift: facts.drift,
    sourceGone: location._tag === 'NotYetAvailable' && allHold,
  };
  return location._tag === 'Invalid'
    ? { ...fields, _tag: 'Invalid', invalid: location.error }
    : { ...fields, _tag: tagOf(facts, controlPlanePatch !== undefined || clusterPatch !== undefined, condition), invalid: undefined };
};

/**
 * `planUpdate` over the `Either` the locate functions return: a value error is planned as
 * `Invalid`; any other Left (an API failure, with no condition to record) is handed back.
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js';
 * import { planEndpointUpdate, type CAPTControlPlane, type Cluster, type Found } from '@capt-endpoint/core';
 *
 * declare const controlPlane: CAPTControlPlane;
 * declare const cluster: Cluster | undefined;
 * const found: Found = {
 *   _tag: 'Found',
 *   endpoint: { host: 'api.example.com', port: 443 },
 *   source: { from: 'outputs', workspace: 'Workspace demo-eks', key: 'cluster_endpoint' },
 * };
 * const plan = planEndpointUpdate(E.right(found), controlPlane, cluster, { onEndpointChange: 'keep' });
 * if (E.isRight(plan)) [plan.right.controlPlanePatch, plan.right.clusterPatch, plan.right.condition.reason];
 * ```
 */
export const planEndpointUpdate = (
  resolution: Resolution,
  controlPlane: CAPTControlPlane,
  cluster: Cluster | undefined,
  options: PlanOptions = {},
): E.Either<EndpointError, EndpointPlan> =>
  E.isRight(resolution)
    ? E.right(planUpdate(resolution.right, controlPlane, cluster, options))
    : isValueError(resolution.left)
      ? E.right(planUpdate(invalid(resolution.left), controlPlane, cluster, options))
      : E.left(resolution.left);

/** `Clear` removes the Cluster's endpoint; `AlreadyClear` writes nothing (clear, or no Cluster to clear). */
export type CleanupPlan =
  | { readonly _tag: 'Clear'; readonly clusterPatch: MergePatch }
  | { readonly _tag: 'AlreadyClear'; readonly clusterPatch: undefined };

/**
 * For a CAPTControlPlane being deleted (CAPTEP-0019/0041): remove the endpoint from the owner
 * Cluster. A merge patch with `null` removes the field in v1beta1 and v1beta2 alike, instead of
 * writing zeros that v1beta2 would reject.
 * @example
 * ```ts
 * import { planCleanup, type Cluster } from '@capt-endpoint/core';
 *
 * declare const cluster: Cluster;
 * const cleanup = planCleanup(cluster);
 * // While the Cluster holds an endpoint: { _tag: 'Clear', clusterPatch: { spec: { controlPlaneEndpoint: null }, metadata: { resourceVersion } } }
 * cleanup._tag;
 * ```
 */
export const planCleanup = (
  cluster: Cluster | undefined,
  options: Pick<PlanOptions, 'optimisticLock' | 'updateCluster'> = {},
): CleanupPlan => {
  const stored = cluster?.spec?.controlPlaneEndpoint;
  const clear = stored === undefined || ((stored.host ?? '') === '' && (stored.port ?? 0) === 0);
  return cluster === undefined || options.updateCluster === false || clear
    ? { _tag: 'AlreadyClear', clusterPatch: undefined }
    : { _tag: 'Clear', clusterPatch: { ...lock(cluster, options.optimisticLock ?? true), spec: { controlPlaneEndpoint: null } } };
};

/**
 * `planCleanup` in an `Either` that is always Right, with the patch alone.
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js';
 * import { planEndpointCleanup, type Cluster } from '@capt-endpoint/core';
 *
 * declare const cluster: Cluster;
 * const cleanup = planEndpointCleanup(cluster);
 * if (E.isRight(cleanup)) cleanup.right.clusterPatch;
 * ```
 */
export const planEndpointCleanup = (
  cluster: Cluster | undefined,
  options: Pick<PlanOptions, 'optimisticLock' | 'updateCluster'> = {},
): E.Either<EndpointError, { readonly clusterPatch: MergePatch | undefined }> =>
  E.right({ clusterPatch: planCleanup(cluster, options).clusterPatch });
