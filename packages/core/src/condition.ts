/**
 * The condition we record on the CAPTControlPlane (`EndpointReady` by default), in the
 * metav1.Condition shape, and the status patch that records it.
 *
 * A merge patch replaces a whole array, so the patch resends every condition: the others as
 * they were, ours replaced. It carries the resourceVersion it was computed from, so a
 * concurrent writer's condition is never silently lost (the server answers 409 instead).
 * An unchanged condition needs no write: lastTransitionTime moves only when status changes.
 */
import * as O from 'fp-ts/lib/Option.js';
import type { MergePatch } from './objectRef';
import type { CAPTControlPlane, Condition } from './objects';
import { inert } from './inert';
import { kubeTime } from './time';

export const DEFAULT_CONDITION_TYPE = 'EndpointReady';

// metav1.Condition's type, as the API server validates it: an optional DNS-subdomain prefix and
// a name of letters, digits, '-', '_' and '.', at most 316 characters.
const conditionTypePattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;

/** Whether the API server would accept `type` as a condition's type. */
export const isConditionType = (type: unknown): type is string => typeof type === 'string' && type.length <= 316 && conditionTypePattern.test(type);

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** What we want the condition to say; time and generation are filled in when it is written. */
export interface DesiredCondition {
  readonly type: string;
  readonly status: ConditionStatus;
  /** CamelCase, as metav1.Condition requires. */
  readonly reason: string;
  readonly message: string;
}

/** metav1.Condition caps messages at 32768 bytes; ours are short, but keep the cap. */
const MAX_MESSAGE = 32768;

const sameCondition = (current: Condition, next: Condition): boolean =>
  current.status === next.status &&
  current.reason === next.reason &&
  (current.message ?? '') === (next.message ?? '') &&
  current.observedGeneration === next.observedGeneration;

/** Our condition as it would be stored, keeping lastTransitionTime when the status is unchanged. */
export const nextCondition = (
  existing: Condition | undefined,
  desired: DesiredCondition,
  observedGeneration: number | undefined,
  now: Date,
): Condition => ({
  type: desired.type,
  status: desired.status,
  reason: desired.reason,
  // Anyone who can read the control plane reads this; names in it come from tenants' objects.
  message: inert(desired.message).slice(0, MAX_MESSAGE),
  lastTransitionTime:
    existing !== undefined && existing.status === desired.status && existing.lastTransitionTime !== undefined
      ? existing.lastTransitionTime
      : kubeTime(now),
  ...(observedGeneration === undefined ? {} : { observedGeneration }),
});

/**
 * The condition of the given type on a control plane, if any.
 * @example
 * ```ts
 * import { findCondition, type CAPTControlPlane } from '@capt-endpoint/core';
 *
 * const controlPlane: CAPTControlPlane = {
 *   apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
 *   kind: 'CAPTControlPlane',
 *   metadata: { name: 'demo-cp', namespace: 'team-a' },
 *   status: { conditions: [{ type: 'EndpointReady', status: 'True', reason: 'EndpointSet' }] },
 * };
 * findCondition(controlPlane, 'EndpointReady')?.status; // 'True'
 * ```
 */
export const findCondition = (controlPlane: CAPTControlPlane, type: string): Condition | undefined =>
  controlPlane.status?.conditions?.find((c) => c.type === type);

export interface ConditionUpdate {
  readonly condition: Condition;
  /** The status patch to send, or none when the stored condition already says the same. */
  readonly patch: O.Option<MergePatch>;
}

/**
 * The condition to record and the status patch that records it. `observedGeneration` is the
 * generation the spec has after our own spec patch (its response tells it); using an older one
 * would make every later reconcile rewrite the condition.
 * @example
 * ```ts
 * import * as O from 'fp-ts/lib/Option.js';
 * import { planCondition, type CAPTControlPlane } from '@capt-endpoint/core';
 *
 * declare const controlPlane: CAPTControlPlane;
 * const update = planCondition(
 *   controlPlane,
 *   { type: 'EndpointReady', status: 'False', reason: 'WaitingForWorkspace', message: 'Workspace demo-eks does not exist yet' },
 *   new Date(),
 * );
 * // None when the stored condition already says this; otherwise a status merge patch for patchStatus.
 * const patch = O.toUndefined(update.patch);
 * ```
 */
export const planCondition = (
  controlPlane: CAPTControlPlane,
  desired: DesiredCondition,
  now: Date,
  options: { readonly optimisticLock?: boolean } = {},
): ConditionUpdate => {
  const generation = controlPlane.metadata.generation;
  const conditions = controlPlane.status?.conditions ?? [];
  const existing = conditions.find((c) => c.type === desired.type);
  const condition = nextCondition(existing, desired, generation, now);
  if (existing !== undefined && sameCondition(existing, condition)) return { condition, patch: O.none };
  const resourceVersion = controlPlane.metadata.resourceVersion;
  return {
    condition,
    patch: O.some({
      ...(options.optimisticLock !== false && resourceVersion !== undefined ? { metadata: { resourceVersion } } : {}),
      status: {
        conditions: existing === undefined ? [...conditions, condition] : conditions.map((c) => (c.type === desired.type ? condition : c)),
      },
    }),
  };
};
