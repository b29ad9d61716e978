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
import * as O from 'fp-ts/lib/Option.js';
import { DEFAULT_FIELD_MANAGER, type MergePatch } from './objectRef';
import { DEFAULT_CONDITION_TYPE, findCondition, type DesiredCondition } from './condition';
import { DEFAULT_CONTEST_WINDOW, ENDPOINT_WRITES_ANNOTATION, decideEndpointWrite, type ContestSettings } from './contest';
import type { ApiEndpoint } from './apiEndpoint';
import { endpointsEqual, formatHostPort } from './endpoint';
import { ENDPOINT_PARSE_ERROR_TAGS, type EndpointError, type EndpointSource, type ValueError } from './errors';
import { heldEndpointOf, showHeld, type HeldEndpoint } from './heldEndpoint';
import { invalid, type Found, type Location, type NotYetAvailable } from './locate';
import type { CAPTControlPlane, Cluster, StoredEndpoint } from './objects';
import { describeWriter, endpointWriter, managedFieldsOf, type FieldWriter } from './writers';

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
  /** Our field manager, to tell our writes of the endpoint from another writer's. Default `capt-endpoint`. */
  readonly fieldManager?: string | undefined;
  /**
   * Another writer that overwrites our endpoint twice within this many milliseconds makes the
   * endpoint contested: we stop writing it until that writer has been quiet this long. Default
   * 600000 (10 minutes).
   */
  readonly contestWindow?: number | undefined;
  /** The clock: for the contest rule and a condition's lastTransitionTime. */
  readonly now?: (() => Date) | undefined;
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
  /** Who last wrote the endpoint the objects hold, from managedFields, when known. */
  readonly writer: FieldWriter | undefined;
}

export type EndpointObject = 'CAPTControlPlane' | 'Cluster';

/** Objects that held a malformed endpoint and get the right one. */
export interface Repair {
  readonly objects: readonly EndpointObject[];
  /** What the first of them held (`host "…", port n`); undefined when not shown (the endpoint comes from a Secret). */
  readonly held: string | undefined;
  /** What was wrong with it. */
  readonly problem: string;
  /** Who wrote it, from managedFields, when known. */
  readonly writer: FieldWriter | undefined;
}

/** Objects whose endpoint another writer keeps overwriting: we stop writing them for now. */
export interface Contest {
  readonly objects: readonly EndpointObject[];
  readonly writer: FieldWriter;
  /** The value the other writer writes; undefined when not shown (the endpoint comes from a Secret). */
  readonly value: string | undefined;
  /** When we write again, if that writer stays quiet until then (RFC 3339). */
  readonly resumeAt: string;
  /** Milliseconds until `resumeAt`. */
  readonly resumeAfter: number;
}

/**
 * What the plan does: `Update` writes the endpoint, `Repair` replaces a malformed one,
 * `UpToDate` finds it in place, `Waiting` has nothing to write yet, `Drift` reports a held
 * endpoint other than the Workspace's (or two objects that disagree), `Contested` holds back
 * from an endpoint another writer keeps overwriting, `Invalid` reports a value that is there but
 * unusable.
 */
export type PlanTag = 'Update' | 'Repair' | 'UpToDate' | 'Waiting' | 'Drift' | 'Contested' | 'Invalid';

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
  readonly repair: Repair | undefined;
  readonly contest: Contest | undefined;
  /**
   * Objects that hold an endpoint other than ours but came without managedFields (a cache drops
   * them): read them again from the API to name the writer.
   */
  readonly unattributed: readonly EndpointObject[];
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
  'EndpointNotAllowed',
  'UndecodableSecretValue',
  'SecretNamespaceNotAllowed',
  'InvalidName',
  'ObjectDecodeError',
  ...ENDPOINT_PARSE_ERROR_TAGS,
]);

/**
 * @example
 * ```ts
 * import { apiError, isValueError, parseError } from '@capt-endpoint/core/adapter';
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

/** The endpoint, and our record of writing it (see contest.ts) in the same patch. */
const endpointPatch = (
  object: { metadata: { resourceVersion?: string } },
  endpoint: ApiEndpoint,
  optimisticLock: boolean,
  record: string,
): MergePatch => {
  const locked = lock(object, optimisticLock);
  return {
    metadata: { ...('metadata' in locked ? locked.metadata : {}), annotations: { [ENDPOINT_WRITES_ANNOTATION]: record } },
    spec: { controlPlaneEndpoint: { host: endpoint.host, port: endpoint.port } },
  };
};

const wellFormed = (held: HeldEndpoint): ApiEndpoint | undefined => (held._tag === 'WellFormed' ? held.endpoint : undefined);

const describeSource = (source: EndpointSource): string =>
  source.from === 'outputs'
    ? `output "${source.key}" of ${source.workspace}`
    : `key "${source.key}" of connection Secret ${source.secret.namespace}/${source.secret.name}`;

/** Values on the objects are shown only when the Workspace's endpoint is an output: a Secret's never. */
const mayShowValues = (location: Location): boolean => location._tag === 'Found' && location.source.from === 'outputs';

/** The endpoints the two objects hold (well-formed only), and whether the Cluster takes part. */
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
 * Under 'keep' what is set and well-formed stays set; under 'update' (`follow`) the Workspace's
 * value wins when it has one. Without a value from the Workspace, both policies only fill what
 * is unset or malformed. A held value equal to the target (another spelling of it) stays as
 * written: nothing to write.
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

const driftOf = (held: Held, workspace: ApiEndpoint | undefined, follow: boolean, followed: boolean): Omit<Drift, 'writer'> | undefined => {
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

const needs = (current: ApiEndpoint | undefined, wanted: ApiEndpoint | undefined): wanted is ApiEndpoint =>
  wanted !== undefined && (current === undefined || !endpointsEqual(current, wanted));

// ---------------------------------------------------------------------------------------------
// Each object's write: none, a patch (a repair when it held a malformed endpoint), or held back
// because another writer contests it.

/** One object the plan may write. */
interface Target {
  readonly kind: EndpointObject;
  readonly object: CAPTControlPlane | Cluster;
  readonly held: HeldEndpoint;
  readonly wanted: ApiEndpoint | undefined;
}

type ObjectWrite =
  | { readonly _tag: 'None' }
  | { readonly _tag: 'Patch'; readonly patch: MergePatch }
  | { readonly _tag: 'Contested'; readonly writer: FieldWriter; readonly resumeAt: string; readonly resumeAfter: number };

const NO_WRITE: ObjectWrite = { _tag: 'None' };

const planObjectWrite = (target: Target, settings: ContestSettings, optimisticLock: boolean): ObjectWrite => {
  if (!needs(wellFormed(target.held), target.wanted)) return NO_WRITE;
  const decision = decideEndpointWrite(target.object, O.toUndefined(endpointWriter(target.object, settings.fieldManager)), settings);
  return decision._tag === 'Contested'
    ? { _tag: 'Contested', writer: decision.writer, resumeAt: decision.resumeAt, resumeAfter: decision.resumeAfter }
    : { _tag: 'Patch', patch: endpointPatch(target.object, target.wanted, optimisticLock, decision.annotation) };
};

const patchOf = (write: ObjectWrite | undefined): MergePatch | undefined => (write?._tag === 'Patch' ? write.patch : undefined);

/** What the other writer writes, as a message shows it. */
const showValue = (held: HeldEndpoint, show: boolean): string | undefined =>
  !show ? undefined : held._tag === 'Malformed' ? showHeld(held) : held._tag === 'WellFormed' ? formatHostPort(held.endpoint) : undefined;

const contestOf = (targets: readonly Target[], writes: readonly ObjectWrite[], show: boolean): Contest | undefined => {
  const contested = targets.flatMap((target, i) => {
    const write = writes[i];
    return write?._tag === 'Contested' ? [{ target, write }] : [];
  });
  const first = contested[0];
  if (first === undefined) return undefined;
  const resumeAfter = Math.max(...contested.map(({ write }) => write.resumeAfter));
  const last = contested.find(({ write }) => write.resumeAfter === resumeAfter) ?? first;
  return {
    objects: contested.map(({ target }) => target.kind),
    writer: first.write.writer,
    value: showValue(first.target.held, show),
    resumeAt: last.write.resumeAt,
    resumeAfter,
  };
};

const repairOf = (targets: readonly Target[], writes: readonly ObjectWrite[], show: boolean, ours: string): Repair | undefined => {
  const repaired = targets.filter((target, i) => target.held._tag === 'Malformed' && writes[i]?._tag === 'Patch');
  const first = repaired[0];
  if (first === undefined || first.held._tag !== 'Malformed') return undefined;
  return {
    objects: repaired.map((target) => target.kind),
    held: show ? showHeld(first.held) : undefined,
    problem: first.held.problem,
    writer: O.toUndefined(endpointWriter(first.object, ours)),
  };
};

/** Objects holding an endpoint other than ours whose writer we cannot name yet. */
const unattributedOf = (targets: readonly Target[], workspace: ApiEndpoint | undefined): EndpointObject[] =>
  targets
    .filter(({ held, wanted }) => held._tag === 'Malformed' || (held._tag === 'WellFormed' && [wanted, workspace].some((other) => other !== undefined && !endpointsEqual(held.endpoint, other))))
    .filter(({ object }) => O.isNone(managedFieldsOf(object)))
    .map(({ kind }) => kind);

// ---------------------------------------------------------------------------------------------
// The condition and the tag.

/** The facts the condition and the tag are chosen from. */
interface Facts {
  readonly location: Location;
  readonly held: Held;
  readonly wanted: Wanted;
  readonly drift: Drift | undefined;
  readonly disagree: boolean;
  readonly allHold: boolean;
  readonly repair: Repair | undefined;
  readonly contest: Contest | undefined;
  /** This plan writes an endpoint. */
  readonly writing: boolean;
}

const writtenBy = (writer: FieldWriter | undefined): string => (writer === undefined ? '' : `; last written by ${describeWriter(writer)}`);

const contestCondition = (contest: Contest, wanted: ApiEndpoint | undefined): Omit<DesiredCondition, 'type'> => {
  const value = contest.value ?? 'its own value (not shown: the endpoint comes from a Secret)';
  const ours = wanted === undefined ? '' : `, or make it write ${formatHostPort(wanted)}`;
  const message =
    `the endpoint of ${contest.objects.join(' and ')} is contested: ${describeWriter(contest.writer)} keeps writing ${value} over ours, ` +
    `so it is no longer written back; writing resumes after ${contest.resumeAt} if that writer stays quiet until then. ` +
    `Turn off the other writer's endpoint update (for CAPT's controller, see docs/migrating-from-go.md)${ours}`;
  return { status: 'False', reason: 'EndpointContested', message };
};

const driftCondition = (facts: Facts): Omit<DesiredCondition, 'type'> | undefined => {
  const { drift, held } = facts;
  if (drift !== undefined && !drift.followed) {
    // Independent of which objects held it, so copying it to the other object does not change it.
    const message = `the endpoint is ${formatHostPort(drift.current)} but the Workspace now says ${formatHostPort(drift.workspace)}; kept (onEndpointChange: keep)${writtenBy(drift.writer)}`;
    return { status: 'False', reason: 'EndpointDrift', message };
  }
  if (facts.disagree && held.controlPlane !== undefined && held.cluster !== undefined) {
    const message = `CAPTControlPlane holds ${formatHostPort(held.controlPlane)} but Cluster holds ${formatHostPort(held.cluster)}; neither is overwritten`;
    return { status: 'False', reason: 'EndpointDrift', message };
  }
  return undefined;
};

const fromSource = (location: Location, endpoint: ApiEndpoint): string =>
  location._tag === 'Found' && endpointsEqual(location.endpoint, endpoint) ? ` from ${describeSource(location.source)}` : '';

const repairCondition = (repair: Repair, location: Location, endpoint: ApiEndpoint): Omit<DesiredCondition, 'type'> => {
  const held = repair.held ?? 'a malformed endpoint (not shown: the endpoint comes from a Secret)';
  const message = `repaired ${repair.objects.join(' and ')}: held ${held} (${repair.problem})${writtenBy(repair.writer)}; now ${formatHostPort(endpoint)}${fromSource(location, endpoint)}`;
  return { status: 'True', reason: 'EndpointRepaired', message };
};

/** A repair's condition that names `endpoint` as the one now held. */
const stillRepaired = (existing: { readonly reason?: string | undefined; readonly message?: string | undefined }, endpoint: ApiEndpoint): boolean =>
  existing.reason === 'EndpointRepaired' && (existing.message ?? '').includes(`; now ${formatHostPort(endpoint)}`);

/** The condition once the endpoint is held everywhere it should be. */
const heldCondition = (facts: Facts, endpoint: ApiEndpoint, controlPlane: CAPTControlPlane, type: string): Omit<DesiredCondition, 'type'> => {
  const { location } = facts;
  if (facts.repair !== undefined) return repairCondition(facts.repair, location, endpoint);
  const existing = findCondition(controlPlane, type);
  // The source went away after the endpoint was set: leave a True condition as it is. So too
  // a repair's, while the endpoint it says was written is held: a steady state writes nothing.
  if (existing?.status === 'True' && existing.reason !== undefined && (location._tag === 'NotYetAvailable' || (!facts.writing && stillRepaired(existing, endpoint)))) {
    return { status: 'True', reason: existing.reason, message: existing.message ?? '' };
  }
  return { status: 'True', reason: 'EndpointSet', message: `endpoint ${formatHostPort(endpoint)}${fromSource(location, endpoint)}` };
};

const conditionOf = (facts: Facts, controlPlane: CAPTControlPlane, type: string): DesiredCondition => {
  const { location, wanted } = facts;
  if (location._tag === 'Invalid') return { type, status: 'False', reason: location.error.reason, message: location.error.message };
  if (facts.contest !== undefined) return { type, ...contestCondition(facts.contest, wanted.controlPlane) };
  const drift = driftCondition(facts);
  if (drift !== undefined) return { type, ...drift };
  if (location._tag === 'Found') return { type, ...heldCondition(facts, wanted.controlPlane ?? location.endpoint, controlPlane, type) };
  // Nothing from the Workspace yet, but the objects may already hold the endpoint.
  return facts.allHold && wanted.controlPlane !== undefined
    ? { type, ...heldCondition(facts, wanted.controlPlane, controlPlane, type) }
    : { type, status: 'False', reason: `WaitingFor${location.waitingOn}`, message: location.message };
};

const tagOf = (facts: Facts, writes: boolean, condition: DesiredCondition): Exclude<PlanTag, 'Invalid'> => {
  if (facts.contest !== undefined) return 'Contested';
  if ((facts.drift !== undefined && !facts.drift.followed) || facts.disagree) return 'Drift';
  if (facts.repair !== undefined) return 'Repair';
  if (writes) return 'Update';
  return condition.status === 'True' ? 'UpToDate' : 'Waiting';
};

// ---------------------------------------------------------------------------------------------
// The plan: what the objects hold, what they should hold, each object's write, the condition.

interface Setting {
  readonly targets: readonly Target[];
  readonly held: Held;
  readonly wanted: Wanted;
  readonly workspace: ApiEndpoint | undefined;
  readonly policy: EndpointChangePolicy;
  readonly follow: boolean;
  /** Our field manager. */
  readonly ours: string;
}

/** Two stored endpoints with the same host and port, which `heldEndpointOf` reads alike. */
const sameStored = (a: StoredEndpoint | undefined, b: StoredEndpoint | undefined): boolean =>
  a !== undefined && b !== undefined && typeof a.host === 'string' && a.host === b.host && a.port === b.port;

const settingOf = (location: Location, controlPlane: CAPTControlPlane, cluster: Cluster | undefined, options: PlanOptions): Setting => {
  const withCluster = (options.updateCluster ?? true) && cluster !== undefined;
  const cpStored = controlPlane.spec?.controlPlaneEndpoint;
  const cpHeld = heldEndpointOf(cpStored);
  const clusterStored = withCluster ? cluster.spec?.controlPlaneEndpoint : undefined;
  // Most often both objects hold the same endpoint: read it once.
  const clusterHeld = !withCluster ? undefined : sameStored(clusterStored, cpStored) ? cpHeld : heldEndpointOf(clusterStored);
  const held: Held = { controlPlane: wellFormed(cpHeld), cluster: clusterHeld === undefined ? undefined : wellFormed(clusterHeld), withCluster };
  const workspace = location._tag === 'Found' ? location.endpoint : undefined;
  const policy = options.onEndpointChange ?? 'keep';
  const follow = policy === 'update' && workspace !== undefined;
  const wanted = wantedEndpoints(held, workspace, follow);
  const targets: Target[] = [
    { kind: 'CAPTControlPlane', object: controlPlane, held: cpHeld, wanted: wanted.controlPlane },
    ...(cluster !== undefined && clusterHeld !== undefined ? [{ kind: 'Cluster' as const, object: cluster, held: clusterHeld, wanted: wanted.cluster }] : []),
  ];
  return { targets, held, wanted, workspace, policy, follow, ours: options.fieldManager ?? DEFAULT_FIELD_MANAGER };
};

const factsOf = (location: Location, setting: Setting, writes: readonly ObjectWrite[]): Facts => {
  const { held, wanted, targets, workspace, follow } = setting;
  const show = mayShowValues(location);
  const drift = driftOf(held, workspace, follow, setting.policy === 'update');
  // The writer named is the one of the endpoint kept: the first object that drifted.
  const established = drift === undefined ? undefined : targets.find((target) => drift.objects.includes(target.kind));
  return {
    location,
    held,
    wanted,
    drift: drift === undefined ? undefined : { ...drift, writer: established === undefined ? undefined : O.toUndefined(endpointWriter(established.object, setting.ours)) },
    disagree: objectsDisagree(held, follow),
    allHold: wanted.controlPlane !== undefined && (!held.withCluster || wanted.cluster !== undefined),
    repair: repairOf(targets, writes, show, setting.ours),
    contest: contestOf(targets, writes, show),
    writing: writes.some((write) => write._tag === 'Patch'),
  };
};

/**
 * Plans the endpoint update from where the endpoint stands, the CAPTControlPlane and the owner
 * Cluster (undefined when there is none). Total: every input has a plan.
 * @example
 * ```ts
 * import type { CAPTControlPlane, Cluster } from '@capt-endpoint/core';
 * import { planUpdate } from '@capt-endpoint/core/adapter';
 *
 * declare const controlPlane: CAPTControlPlane;
 * declare const cluster: Cluster | undefined;
 * const plan = planUpdate(
 *   { _tag: 'Found', endpoint: { host: 'api.example.com', port: 443 }, source: { from: 'outputs', workspace: 'Workspace demo-eks', key: 'cluster_endpoint' } },
 *   controlPlane,
 *   cluster,
 *   { onEndpointChange: 'keep' },
 * );
 * // Patches only for objects that lack the endpoint (or hold a malformed one); drift is reported, never overwritten under 'keep'.
 * [plan._tag, plan.controlPlanePatch, plan.clusterPatch, plan.condition.reason];
 * ```
 */
export const planUpdate = (location: Location, controlPlane: CAPTControlPlane, cluster: Cluster | undefined, options: PlanOptions = {}): EndpointPlan => {
  const setting = settingOf(location, controlPlane, cluster, options);
  const contest: ContestSettings = { fieldManager: setting.ours, now: options.now?.() ?? new Date(), window: options.contestWindow ?? DEFAULT_CONTEST_WINDOW };
  const writes = setting.targets.map((target) => planObjectWrite(target, contest, options.optimisticLock ?? true));
  const facts = factsOf(location, setting, writes);
  const [controlPlanePatch, clusterPatch] = [patchOf(writes[0]), patchOf(writes[1])];
  const condition = conditionOf(facts, controlPlane, options.conditionType ?? DEFAULT_CONDITION_TYPE);
  const fields: PlanFields = {
    endpoint: writes[0]?._tag === 'Contested' ? undefined : setting.wanted.controlPlane,
    controlPlanePatch,
    clusterPatch,
    condition,
    source: location._tag === 'Found' ? location.source : undefined,
    waiting: location._tag === 'NotYetAvailable' ? location : undefined,
    drift: facts.drift,
    repair: facts.repair,
    contest: facts.contest,
    unattributed: unattributedOf(setting.targets, setting.workspace),
    sourceGone: location._tag === 'NotYetAvailable' && facts.allHold,
  };
  // The tag added to the fields object itself: spreading it into a new one costs more than the rest of the plan.
  return location._tag === 'Invalid'
    ? Object.assign(fields, { _tag: 'Invalid' as const, invalid: location.error })
    : Object.assign(fields, { _tag: tagOf(facts, controlPlanePatch !== undefined || clusterPatch !== undefined, condition), invalid: undefined });
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
 * import type { Cluster } from '@capt-endpoint/core';
 * import { planCleanup } from '@capt-endpoint/core/adapter';
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
