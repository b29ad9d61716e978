/**
 * How an operator embeds the library: its own reconcile already holds the CAPTControlPlane (and
 * usually the owner Cluster) from its cache, hands them to `reconcileEndpoint` so they are not
 * fetched again, and maps the outcome to a controller-runtime-like result: requeue after a
 * delay, requeue with backoff (an error), or wait for the next change.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  reconcileEndpoint,
  renderError,
  type ClusterClient,
  type EndpointError,
  type KubeObject,
  type Logger,
  type ReconcileOptions,
  type ReconcileOutcome,
} from '@capt-endpoint/core';

/** controller-runtime's `(ctrl.Result, error)`, as one value. */
export interface Result {
  /** Reconcile again after this many milliseconds (`ctrl.Result{RequeueAfter}`). */
  readonly requeueAfterMs?: number | undefined;
  /** Returned as the error: the manager requeues with its rate limiter's backoff. */
  readonly error?: EndpointError | undefined;
}

/** The objects the operator's reconcile already holds. */
export interface Held {
  readonly controlPlane: KubeObject;
  /** The owner Cluster; `null` when the control plane has none. */
  readonly cluster: KubeObject | null;
}

/** Maps what `reconcileEndpoint` said to what the operator returns to its manager. */
export const toResult = (result: E.Either<EndpointError, ReconcileOutcome>, log?: Logger): Result =>
  E.match<EndpointError, ReconcileOutcome, Result>(
    (error) => {
      // Retryable (API trouble, conflicts): return the error, the manager backs off and retries.
      if (error.retryable) return { error };
      // Not retryable (a bad value, a forbidden Secret namespace): the condition already says
      // why; retrying cannot help until someone changes an object, which triggers a reconcile.
      log?.warn({ reason: error.reason }, renderError(error));
      return {};
    },
    (outcome) => (outcome.requeueAfter === undefined ? {} : { requeueAfterMs: outcome.requeueAfter }),
  )(result);

/** The endpoint part of an operator's reconcile. */
export const reconcileControlPlaneEndpoint = async (
  client: ClusterClient,
  held: Held,
  options: ReconcileOptions = {},
): Promise<Result> => {
  const result = await reconcileEndpoint(client, { controlPlane: held.controlPlane, cluster: held.cluster }, options)();
  return toResult(result, options.logger);
};
