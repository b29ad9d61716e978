/**
 * Which Kubernetes Event, if any, describes a reconcile's result: the endpoint was set or
 * repaired, it drifted or is contested, a value was invalid, or it was cleared on deletion.
 * Everything else (waiting, up to date, a failed request) is not worth an Event: conditions and
 * logs cover it.
 *
 * Messages come from core's outcome and error messages, which never contain Secret values.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { EndpointError, ObjectRef, ReconcileOutcome } from '@capt-endpoint/core';
import { isValueError } from '@capt-endpoint/core/adapter';
import type { EventInput } from './eventRecorder';

/**
 * The Event a reconcile's result deserves, or undefined: Normal `EndpointSet` for an update that
 * wrote an endpoint, Warning `EndpointRepaired` for a repair that wrote one, Warning
 * `EndpointDrift` with both endpoints, Warning `EndpointContested`, Normal `EndpointCleared` for a clean-up that cleared the Cluster, a
 * Warning with the error's reason for a value error (`InvalidEndpointValue`,
 * `SecretNamespaceNotAllowed`, ...); none for waiting, up to date, a status-only write or a
 * failed request (the condition and the log say those).
 */
export const endpointEventFor = (
  regarding: ObjectRef & { readonly uid?: string | undefined },
  result: E.Either<EndpointError, ReconcileOutcome>,
): EventInput | undefined => {
  if (E.isLeft(result)) {
    return isValueError(result.left) ? { regarding, type: 'Warning', reason: result.left.reason, message: result.left.message } : undefined;
  }
  const outcome = result.right;
  const wroteSpec = outcome.updated.includes('CAPTControlPlane') || outcome.updated.includes('Cluster');
  switch (outcome._tag) {
    case 'Updated':
      return wroteSpec ? { regarding, type: 'Normal', reason: 'EndpointSet', message: outcome.message } : undefined;
    case 'Repaired':
      return wroteSpec ? { regarding, type: 'Warning', reason: 'EndpointRepaired', message: outcome.condition?.message ?? outcome.message } : undefined;
    case 'Drift':
      return { regarding, type: 'Warning', reason: 'EndpointDrift', message: outcome.condition?.message ?? outcome.message };
    case 'Contested':
      return { regarding, type: 'Warning', reason: 'EndpointContested', message: outcome.condition?.message ?? outcome.message };
    case 'CleanedUp':
      return wroteSpec ? { regarding, type: 'Normal', reason: 'EndpointCleared', message: outcome.message } : undefined;
    default:
      return undefined;
  }
};
