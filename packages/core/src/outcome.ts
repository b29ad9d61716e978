/**
 * What a reconcile says happened: the outcome's tag, what it wrote, what it waits on and when
 * to look again. Its own module so that the client port can name it (a steady memo remembers
 * outcomes) without depending on the reconcile.
 */
import type { ApiEndpoint } from './apiEndpoint';
import type { EndpointSource } from './errors';
import type { WaitingOn } from './locate';
import type { Condition } from './objects';
import type { MergePatch, ObjectRef } from './objectRef';
import type { Contest, Drift, Repair } from './plan';

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
 * import { emptyOutcome } from '@capt-endpoint/core/adapter';
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
