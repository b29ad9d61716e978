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
 */
import * as E from 'fp-ts/lib/Either.js';
import type { MergePatch } from './clusterClient';
import { DEFAULT_CONDITION_TYPE, findCondition, type DesiredCondition } from './condition';
import { endpointsEqual, formatHostPort, isEndpointSet, type ApiEndpoint } from './endpoint';
import { ENDPOINT_PARSE_ERROR_TAGS, type EndpointError, type EndpointSource } from './errors';
import type { Found, NotYetAvailable } from './locate';
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

/** Where the endpoint stands: found, not there yet, or there but unusable. */
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

export interface EndpointPlan {
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
  /** The value is there but unusable; nothing is written from it. */
  readonly invalid: EndpointError | undefined;
  /** Both objects hold the endpoint but the Workspace no longer provides it: left alone. */
  readonly sourceGone: boolean;
}

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
export const isValueError = (error: EndpointError): boolean => valueErrorTags.has(error._tag);

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

const waitingReason = (waiting: NotYetAvailable): string => `WaitingFor${waiting.waitingOn}`;

/**
 * Plans the endpoint update. `cluster` is the owner Cluster, or undefined when there is none.
 * Left only for failures that are not about the endpoint's value (they have no condition to
 * record: the caller retries).
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
 * // Patches only for objects that lack the endpoint; drift is reported, never overwritten under 'keep'.
 * if (E.isRight(plan)) [plan.right.controlPlanePatch, plan.right.clusterPatch, plan.right.condition.reason];
 * ```
 */
export const planEndpointUpdate = (
  resolution: Resolution,
  controlPlane: CAPTControlPlane,
  cluster: Cluster | undefined,
  options: PlanOptions = {},
): E.Either<EndpointError, EndpointPlan> => {
  if (E.isLeft(resolution) && !isValueError(resolution.left)) return E.left(resolution.left);
  const policy = options.onEndpointChange ?? 'keep';
  const optimisticLock = options.optimisticLock ?? true;
  const type = options.conditionType ?? DEFAULT_CONDITION_TYPE;
  const withCluster = (options.updateCluster ?? true) && cluster !== undefined;

  const found = E.isRight(resolution) && resolution.right._tag === 'Found' ? resolution.right : undefined;
  const waiting = E.isRight(resolution) && resolution.right._tag === 'NotYetAvailable' ? resolution.right : undefined;
  const invalid = E.isLeft(resolution) ? resolution.left : undefined;
  const workspace = found?.endpoint;

  const onControlPlane = storedEndpoint(controlPlane);
  const onCluster = withCluster ? storedEndpoint(cluster) : undefined;
  const established = onControlPlane ?? onCluster;

  // Under 'keep' what is set stays set; under 'update' the Workspace's value wins when it has
  // one. Without a value from the Workspace, both policies only fill what is unset.
  const follow = policy === 'update' && workspace !== undefined;
  const target = follow ? workspace : (established ?? workspace);
  // A held value equal to the target (another spelling of it) stays as written: nothing to write.
  const followed = (held: ApiEndpoint | undefined): ApiEndpoint | undefined =>
    held !== undefined && target !== undefined && endpointsEqual(held, target) ? held : target;
  const controlPlaneWants = follow ? followed(onControlPlane) : (onControlPlane ?? target);
  const clusterWants = withCluster ? (follow ? followed(onCluster) : (onCluster ?? target)) : undefined;

  const needs = (current: ApiEndpoint | undefined, wanted: ApiEndpoint | undefined): wanted is ApiEndpoint =>
    wanted !== undefined && (current === undefined || !endpointsEqual(current, wanted));
  const controlPlanePatch = needs(onControlPlane, controlPlaneWants)
    ? endpointPatch(controlPlane, controlPlaneWants, optimisticLock)
    : undefined;
  const clusterPatch =
    withCluster && cluster !== undefined && needs(onCluster, clusterWants)
      ? endpointPatch(cluster, clusterWants, optimisticLock)
      : undefined;

  const differing = (
    [
      ['CAPTControlPlane', onControlPlane],
      ['Cluster', onCluster],
    ] as const
  )
    .filter(([, held]) => held !== undefined && workspace !== undefined && !endpointsEqual(held, workspace))
    .map(([kind]) => kind);
  const drift: Drift | undefined =
    workspace !== undefined && established !== undefined && differing.length > 0 && (follow || !endpointsEqual(established, workspace))
      ? { current: established, workspace, objects: differing, followed: policy === 'update' }
      : undefined;
  // Under 'keep' the two objects can also disagree with each other; neither is overwritten.
  const objectsDisagree =
    onControlPlane !== undefined && onCluster !== undefined && !endpointsEqual(onControlPlane, onCluster) && !follow;

  const allHold = controlPlaneWants !== undefined && (!withCluster || clusterWants !== undefined);
  const sourceGone = found === undefined && invalid === undefined && allHold;

  const condition = ((): DesiredCondition => {
    if (invalid !== undefined) return { type, status: 'False', reason: invalid.reason, message: invalid.message };
    if (drift !== undefined && !drift.followed) {
      return {
        type,
        status: 'False',
        reason: 'EndpointDrift',
        // Independent of which objects held it, so copying it to the other object does not change it.
        message: `the endpoint is ${formatHostPort(drift.current)} but the Workspace now says ${formatHostPort(
          drift.workspace,
        )}; kept (onEndpointChange: keep)`,
      };
    }
    if (objectsDisagree) {
      return {
        type,
        status: 'False',
        reason: 'EndpointDrift',
        message: `CAPTControlPlane holds ${formatHostPort(onControlPlane)} but Cluster holds ${formatHostPort(onCluster)}; neither is overwritten`,
      };
    }
    if (allHold && controlPlaneWants !== undefined) {
      const existing = findCondition(controlPlane, type);
      // The source went away after the endpoint was set: leave a True condition as it is.
      if (sourceGone && existing?.status === 'True' && existing.reason !== undefined) {
        return { type, status: 'True', reason: existing.reason, message: existing.message ?? '' };
      }
      const from = found !== undefined && endpointsEqual(found.endpoint, controlPlaneWants) ? ` from ${describeSource(found.source)}` : '';
      return { type, status: 'True', reason: 'EndpointSet', message: `endpoint ${formatHostPort(controlPlaneWants)}${from}` };
    }
    if (waiting !== undefined) return { type, status: 'False', reason: waitingReason(waiting), message: waiting.message };
    // Unreachable in practice: no endpoint anywhere and nothing to wait for.
    return { type, status: 'Unknown', reason: 'EndpointUnknown', message: 'no endpoint is known yet' };
  })();

  return E.right({
    endpoint: controlPlaneWants,
    controlPlanePatch,
    clusterPatch,
    condition,
    source: found?.source,
    waiting,
    drift,
    invalid,
    sourceGone,
  });
};

export interface CleanupPlan {
  /** Removes the Cluster's endpoint, or undefined when it is already clear or there is no Cluster. */
  readonly clusterPatch: MergePatch | undefined;
}

/**
 * For a CAPTControlPlane being deleted (CAPTEP-0019/0041): remove the endpoint from the owner
 * Cluster. A merge patch with `null` removes the field in v1beta1 and v1beta2 alike, instead of
 * writing zeros that v1beta2 would reject.
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js';
 * import { planEndpointCleanup, type Cluster } from '@capt-endpoint/core';
 *
 * declare const cluster: Cluster;
 * const cleanup = planEndpointCleanup(cluster);
 * // While the Cluster holds an endpoint: { spec: { controlPlaneEndpoint: null }, metadata: { resourceVersion } }
 * if (E.isRight(cleanup)) cleanup.right.clusterPatch;
 * ```
 */
export const planEndpointCleanup = (
  cluster: Cluster | undefined,
  options: Pick<PlanOptions, 'optimisticLock' | 'updateCluster'> = {},
): E.Either<EndpointError, CleanupPlan> => {
  if (cluster === undefined || options.updateCluster === false) return E.right({ clusterPatch: undefined });
  const stored = cluster.spec?.controlPlaneEndpoint;
  const clear = stored === undefined || ((stored.host ?? '') === '' && (stored.port ?? 0) === 0);
  return E.right({
    clusterPatch: clear ? undefined : { ...lock(cluster, options.optimisticLock ?? true), spec: { controlPlaneEndpoint: null } },
  });
};
