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
import * as O from 'fp-ts/lib/Option.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type * as t from 'io-ts';
import {
  describeRef,
  type ClusterClient,
  type KubeObject,
  type MergePatch,
  type ObjectRef,
} from './clusterClient';
import { planCondition } from './condition';
import type { ApiEndpoint } from './endpoint';
import { apiError, isEndpointError, type ApiError, type EndpointError, type EndpointSource, type RequestFailed } from './errors';
import {
  CLUSTER_GROUP,
  CONTROL_PLANE_API_VERSION,
  WORKSPACE_TEMPLATE_APPLY_API_VERSION, CLUSTER_SCOPED_WORKSPACE_API_VERSION, groupOf, WORKSPACE_API_VERSIONS, type WorkspaceApiVersion } from './kinds';
import { locateInSecret, locateInWorkspace, notYetAvailable, type LocateOptions, type WaitingOn } from './locate';
import type { Logger } from './logger';
import { CAPTControlPlane, Cluster, decodeObject, Secret, Workspace, WorkspaceTemplateApply, type Condition } from './objects';
import { planEndpointCleanup, planEndpointUpdate, type Drift, type EndpointPlan, type PlanOptions, type Resolution } from './plan';

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
  /** The fieldManager of our writes. Default `capt-endpoint`. */
  readonly fieldManager?: string | undefined;
  /**
   * Namespaces a connection Secret may be read from besides the control plane's own, or `'any'`.
   * Default none: a Workspace cannot steer the controller into reading another tenant's Secret.
   */
  readonly allowSecretNamespaces?: readonly string[] | 'any' | undefined;
  /** How soon to look again while waiting, in milliseconds. Default 15000. */
  readonly requeueWhileWaiting?: number | undefined;
  readonly logger?: Logger | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The clock for lastTransitionTime. */
  readonly now?: (() => Date) | undefined;
}

export type ReconcileResult = 'Updated' | 'UpToDate' | 'Waiting' | 'Drift' | 'CleanedUp' | 'ControlPlaneGone';

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
  sourceGone: false,
  cluster: undefined,
  condition: undefined,
  statusPatch: undefined,
  requeueAfter: undefined,
});

const DEFAULT_FIELD_MANAGER = 'capt-endpoint';
const DEFAULT_REQUEUE_WHILE_WAITING = 15_000;

type Verb = RequestFailed['verb'];

const requestFailed = (verb: Verb, ref: ObjectRef, error: ApiError): RequestFailed => ({
  _tag: 'RequestFailed',
  verb,
  object: describeRef(ref),
  error,
  reason: error.reason,
  retryable: error.retryable,
  message: `${verb} ${describeRef(ref)} failed: ${error.message}`,
});

/** A write met 409 Conflict: the plan is stale, read again. */
class Stale {
  constructor(readonly ref: ObjectRef) {}
}

/** A client that breaks its contract with a Left that is not an ApiError still yields a typed error. */
const asApiError = (error: unknown): ApiError =>
  isEndpointError(error) && error._tag === 'ApiError'
    ? error
    : apiError('Other', 'the cluster client failed with a value that is not an ApiError');

/** The walk's context: the client calls with our signal and field manager, and decoding. */
const session = (client: ClusterClient, options: ReconcileOptions) => {
  const signal = options.signal;
  const fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  return {
    get: async (ref: ObjectRef): Promise<E.Either<EndpointError, KubeObject | undefined>> =>
      E.mapLeft((error: ApiError) => requestFailed('get', ref, asApiError(error)))(await client.get(ref, { signal, readOnly: true })()),
    write: async (
      verb: 'patch' | 'patchStatus',
      ref: ObjectRef,
      patch: MergePatch,
    ): Promise<E.Either<EndpointError | Stale, KubeObject>> => {
      const result = await client[verb](ref, patch, { signal, fieldManager })();
      if (E.isRight(result)) return result;
      const error = asApiError(result.left);
      return E.left(error.kind === 'Conflict' ? new Stale(ref) : requestFailed(verb, ref, error));
    },
  };
};

const decode = <C extends t.Mixed>(codec: C, ref: ObjectRef, object: unknown) =>
  decodeObject(codec, `${ref.kind} ${ref.apiVersion} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`)(object);

const ownerClusterRef = (controlPlane: CAPTControlPlane): ObjectRef | undefined => {
  const owner = controlPlane.metadata.ownerReferences?.find(
    (ref) => ref.kind === 'Cluster' && groupOf(ref.apiVersion) === CLUSTER_GROUP,
  );
  return owner === undefined
    ? undefined
    : { apiVersion: owner.apiVersion, kind: 'Cluster', namespace: controlPlane.metadata.namespace, name: owner.name };
};

const secretNamespaceAllowed = (namespace: string, controlPlane: CAPTControlPlane, options: ReconcileOptions): boolean =>
  namespace === controlPlane.metadata.namespace ||
  options.allowSecretNamespaces === 'any' ||
  (Array.isArray(options.allowSecretNamespaces) && options.allowSecretNamespaces.includes(namespace));

type Session = ReturnType<typeof session>;

/**
 * Where the endpoint stands for a control plane: walks WorkspaceTemplateApply, Workspace and,
 * when the outputs lack it, the connection Secret. A missing link is a waiting state.
 */
const resolve = async (
  io: Session,
  controlPlane: CAPTControlPlane,
  heldApply: KubeObject | undefined,
  options: ReconcileOptions,
): Promise<Resolution> => {
  const namespace = controlPlane.metadata.namespace;
  const applyName = controlPlane.spec?.workspaceTemplateApplyName;
  if (applyName === undefined || applyName === '') {
    return E.right(notYetAvailable('WorkspaceTemplateApplyName', `CAPTControlPlane has no spec.workspaceTemplateApplyName`));
  }
  const applyRef: ObjectRef = { apiVersion: WORKSPACE_TEMPLATE_APPLY_API_VERSION, kind: 'WorkspaceTemplateApply', namespace, name: applyName };
  const fetchedApply =
    heldApply !== undefined && heldApply.metadata?.name === applyName && heldApply.metadata?.namespace === namespace
      ? E.right(heldApply)
      : await io.get(applyRef);
  if (E.isLeft(fetchedApply)) return fetchedApply;
  if (fetchedApply.right === undefined) {
    return E.right(notYetAvailable('WorkspaceTemplateApply', `WorkspaceTemplateApply ${namespace}/${applyName} does not exist yet`));
  }
  const apply = decode(WorkspaceTemplateApply, applyRef, fetchedApply.right);
  if (E.isLeft(apply)) return apply;
  const workspaceName = apply.right.status?.workspaceName;
  if (workspaceName === undefined || workspaceName === '') {
    return E.right(notYetAvailable('WorkspaceName', `WorkspaceTemplateApply ${namespace}/${applyName} has no status.workspaceName yet`));
  }

  const apiVersion = options.workspaceApiVersion ?? CLUSTER_SCOPED_WORKSPACE_API_VERSION;
  const workspaceRef: ObjectRef = {
    apiVersion,
    kind: 'Workspace',
    namespace: apiVersion === CLUSTER_SCOPED_WORKSPACE_API_VERSION ? undefined : namespace,
    name: workspaceName,
  };
  const fetchedWorkspace = await io.get(workspaceRef);
  if (E.isLeft(fetchedWorkspace)) return fetchedWorkspace;
  if (fetchedWorkspace.right === undefined) {
    return E.right(notYetAvailable('Workspace', `${describeRef(workspaceRef)} does not exist yet`));
  }
  const workspace = decode(Workspace, workspaceRef, fetchedWorkspace.right);
  if (E.isLeft(workspace)) return workspace;
  const located = locateInWorkspace(workspace.right, options);
  if (E.isLeft(located) || located.right._tag !== 'NeedSecret') return located as Resolution;

  const secretRef = located.right.secret;
  if (!secretNamespaceAllowed(secretRef.namespace, controlPlane, options)) {
    return E.left({
      _tag: 'SecretNamespaceNotAllowed',
      reason: 'SecretNamespaceNotAllowed',
      retryable: false,
      secret: secretRef,
      allowedNamespace: namespace ?? '',
      message: `${describeRef(workspaceRef)} writes its connection Secret to namespace "${secretRef.namespace}", outside the control plane's namespace "${namespace}"; allow it with the allowSecretNamespaces option`,
    });
  }
  const ref: ObjectRef = { apiVersion: 'v1', kind: 'Secret', namespace: secretRef.namespace, name: secretRef.name };
  const fetchedSecret = await io.get(ref);
  if (E.isLeft(fetchedSecret)) return fetchedSecret;
  if (fetchedSecret.right === undefined) return locateInSecret(undefined, secretRef, options);
  const secret = decode(Secret, ref, fetchedSecret.right);
  if (E.isLeft(secret)) return secret;
  return locateInSecret(secret.right, secretRef, options);
};

interface Held {
  readonly controlPlane: KubeObject | undefined;
  readonly cluster: KubeObject | null | undefined;
  readonly workspaceApply: KubeObject | undefined;
}

const summarize = (tag: ReconcileResult, plan: EndpointPlan | undefined, updated: readonly WrittenObject[]): string => {
  if (plan === undefined) return tag;
  const written = updated.length > 0 ? ` (wrote ${updated.join(', ')})` : '';
  return `${tag}: ${plan.condition.message}${written}`;
};

const attempt = async (
  io: Session,
  ref: ObjectRef,
  held: Held,
  options: ReconcileOptions,
): Promise<E.Either<EndpointError | Stale, ReconcileOutcome>> => {
  const log = options.logger;
  const fetchedControlPlane = held.controlPlane !== undefined ? E.right(held.controlPlane) : await io.get(ref);
  if (E.isLeft(fetchedControlPlane)) return fetchedControlPlane;
  if (fetchedControlPlane.right === undefined) {
    log?.debug({ controlPlane: describeRef(ref) }, 'control plane no longer exists');
    return E.right(emptyOutcome(ref, 'ControlPlaneGone', `${describeRef(ref)} no longer exists`));
  }
  const decoded = decode(CAPTControlPlane, ref, fetchedControlPlane.right);
  if (E.isLeft(decoded)) return decoded;
  const controlPlane = decoded.right;

  const clusterRef = held.cluster === null ? undefined : ownerClusterRef(controlPlane);
  const wantCluster = clusterRef !== undefined && (options.updateCluster ?? true);
  const fetchedCluster: E.Either<EndpointError, KubeObject | undefined> = !wantCluster
    ? E.right(undefined)
    : held.cluster !== undefined && held.cluster !== null
      ? E.right(held.cluster)
      : await io.get(clusterRef);
  if (E.isLeft(fetchedCluster)) return fetchedCluster;
  const clusterDecoded = fetchedCluster.right === undefined || clusterRef === undefined ? E.right(undefined) : decode(Cluster, clusterRef, fetchedCluster.right);
  if (E.isLeft(clusterDecoded)) return clusterDecoded;
  const cluster = clusterDecoded.right;
  const ownerCluster = cluster === undefined ? undefined : clusterRef;

  if (controlPlane.metadata.deletionTimestamp !== undefined) {
    const cleanup = planEndpointCleanup(cluster, options);
    if (E.isLeft(cleanup)) return cleanup;
    if (cleanup.right.clusterPatch === undefined || clusterRef === undefined) {
      return E.right({ ...emptyOutcome(ref, 'CleanedUp', `CleanedUp: the Cluster's endpoint is already clear`), cluster: ownerCluster });
    }
    const written = await io.write('patch', clusterRef, cleanup.right.clusterPatch);
    if (E.isLeft(written)) return written;
    log?.info({ controlPlane: describeRef(ref), cluster: describeRef(clusterRef) }, 'control plane deleted: cleared the Cluster endpoint');
    return E.right({
      ...emptyOutcome(ref, 'CleanedUp', `CleanedUp: removed the endpoint from ${describeRef(clusterRef)}`),
      cluster: ownerCluster,
      updated: ['Cluster'],
    });
  }

  const resolution = await resolve(io, controlPlane, held.workspaceApply, options);
  const planned = planEndpointUpdate(resolution, controlPlane, cluster, options);
  if (E.isLeft(planned)) return planned;
  const plan = planned.right;

  const updated: WrittenObject[] = [];
  let current = controlPlane;
  if (plan.controlPlanePatch !== undefined) {
    const written = await io.write('patch', ref, plan.controlPlanePatch);
    if (E.isLeft(written)) return written;
    const after = decode(CAPTControlPlane, ref, written.right);
    if (E.isLeft(after)) return after;
    current = after.right;
    updated.push('CAPTControlPlane');
  }
  if (plan.clusterPatch !== undefined && clusterRef !== undefined) {
    const written = await io.write('patch', clusterRef, plan.clusterPatch);
    if (E.isLeft(written)) return written;
    updated.push('Cluster');
  }
  // Computed against the control plane as our spec patch left it: its generation is the one observed.
  const now = options.now?.() ?? new Date();
  const conditionUpdate = planCondition(current, plan.condition, now, options);
  const statusPatch = O.toUndefined(conditionUpdate.patch);
  if (statusPatch !== undefined && (options.writeCondition ?? true)) {
    const written = await io.write('patchStatus', ref, statusPatch);
    if (E.isLeft(written)) return written;
    updated.push('CAPTControlPlaneStatus');
  }

  const context = { controlPlane: describeRef(ref), updated };
  if (plan.invalid !== undefined) {
    log?.warn({ ...context, reason: plan.invalid.reason }, plan.invalid.message);
    return E.left(plan.invalid);
  }
  const tag: ReconcileResult =
    plan.condition.reason === 'EndpointDrift'
      ? 'Drift'
      : updated.includes('CAPTControlPlane') || updated.includes('Cluster')
        ? 'Updated'
        : plan.condition.status === 'True'
          ? 'UpToDate'
          : 'Waiting';
  const outcome: ReconcileOutcome = {
    ...emptyOutcome(ref, tag, summarize(tag, plan, updated)),
    cluster: ownerCluster,
    endpoint: plan.endpoint,
    source: plan.source,
    updated,
    waitingOn: plan.endpoint === undefined ? plan.waiting?.waitingOn : undefined,
    drift: plan.drift,
    sourceGone: plan.sourceGone,
    condition: conditionUpdate.condition,
    statusPatch,
    requeueAfter: tag === 'Waiting' ? (options.requeueWhileWaiting ?? DEFAULT_REQUEUE_WHILE_WAITING) : undefined,
  };
  const level = tag === 'Drift' ? 'warn' : tag === 'Updated' ? 'info' : 'debug';
  log?.[level]({ ...context, endpoint: plan.endpoint, waitingOn: outcome.waitingOn }, outcome.message);
  return E.right(outcome);
};

const invalidOption = (option: string, message: string): EndpointError => ({
  _tag: 'InvalidOptions',
  option,
  reason: 'InvalidOptions',
  retryable: false,
  message,
});

const invalidOptions = (options: ReconcileOptions): EndpointError | undefined => {
  const apiVersion = options.workspaceApiVersion;
  return apiVersion !== undefined && !(WORKSPACE_API_VERSIONS as readonly string[]).includes(apiVersion)
    ? invalidOption('workspaceApiVersion', `workspaceApiVersion must be one of ${WORKSPACE_API_VERSIONS.join(', ')}`)
    : undefined;
};

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
export const reconcileEndpoint =
  (client: ClusterClient, target: ReconcileTarget, options: ReconcileOptions = {}): TaskEither<EndpointError, ReconcileOutcome> =>
  async () => {
    // Until the target is read, failures name an unnamed control plane.
    let ref: ObjectRef = { apiVersion: CONTROL_PLANE_API_VERSION, kind: 'CAPTControlPlane', name: '' };
    try {
      // Callers without the types can hand anything; none of it may make us reject.
      const settings: ReconcileOptions = options ?? {};
      if (typeof target !== 'object' || target === null) {
        return E.left(invalidOption('target', 'the target must be { namespace, name } or { controlPlane }'));
      }
      const bad = invalidOptions(settings);
      if (bad !== undefined) return E.left(bad);
      const held: Held =
        'controlPlane' in target
          ? { controlPlane: target.controlPlane, cluster: target.cluster, workspaceApply: target.workspaceApply }
          : { controlPlane: undefined, cluster: undefined, workspaceApply: undefined };
      ref =
        'controlPlane' in target
          ? {
              apiVersion: CONTROL_PLANE_API_VERSION,
              kind: 'CAPTControlPlane',
              namespace: target.controlPlane?.metadata?.namespace,
              name: target.controlPlane?.metadata?.name ?? '',
            }
          : { apiVersion: CONTROL_PLANE_API_VERSION, kind: 'CAPTControlPlane', namespace: target.namespace, name: target.name };
      const io = session(client, settings);
      const first = await attempt(io, ref, held, settings);
      if (E.isRight(first) || !(first.left instanceof Stale)) return first as E.Either<EndpointError, ReconcileOutcome>;
      settings.logger?.debug({ controlPlane: describeRef(ref), object: describeRef(first.left.ref) }, 'conflict on write: reading again');
      // What we held is stale now: read the control plane and the Cluster again.
      const fresh: Held = { controlPlane: undefined, cluster: held.cluster === null ? null : undefined, workspaceApply: held.workspaceApply };
      const second = await attempt(io, ref, fresh, settings);
      if (E.isRight(second) || !(second.left instanceof Stale)) return second as E.Either<EndpointError, ReconcileOutcome>;
      return E.left({
        _tag: 'ConflictRetriesExhausted',
        object: describeRef(second.left.ref),
        reason: 'ConflictRetriesExhausted',
        retryable: true,
        message: `${describeRef(second.left.ref)} kept changing while we wrote it; a later reconcile will try again`,
      });
    } catch {
      // A ClusterClient (or a logger, or a getter on a held object) threw or rejected; we still
      // never reject. The exception itself is dropped: it may carry a response body with Secret data.
      return E.left(requestFailed('get', ref, apiError('Other', 'the cluster client threw instead of returning an error')));
    }
  };
