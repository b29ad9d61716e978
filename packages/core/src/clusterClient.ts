/**
 * The port between the pure core and a Kubernetes API: a small client in the shape of
 * controller-runtime's (get, patch, patch status). The core defines it; adapters supply it
 * (`@capt-endpoint/kubernetes` for real clusters, `@capt-endpoint/testing` in memory).
 *
 * Rules every implementation follows:
 * - `get` of an object that does not exist is `Right(undefined)`, not an error. It returns an
 *   object the caller may change, unless the caller passed `readOnly: true` (then the object
 *   may be shared and frozen).
 * - `patch` and `patchStatus` send a JSON merge patch (RFC 7386) and return the object as the
 *   server stored it, with its new resourceVersion and generation.
 * - `patch` writes the main resource (a `status` in the patch is ignored by the server);
 *   `patchStatus` writes only the `/status` subresource.
 * - A patch that carries `metadata.resourceVersion` fails with a `Conflict` ApiError when the
 *   object has moved on (optimistic concurrency).
 * - Failures are `ApiError` values; an adapter never lets a raw exception or a response body
 *   escape (bodies may hold Secret data).
 */
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { ApiError } from './errors';
import type { DecodeMemo } from './objects';
import type { KubeObject, MergePatch, ObjectRef } from './objectRef';
import type { ReconcileOutcome } from './outcome';

/** What every request of the port may carry: a signal that abandons it. */
export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface GetOptions extends RequestOptions {
  /**
   * The caller will not change the object it gets. A client may then hand out an object it
   * shares with others, deep-frozen so that a change throws instead of corrupting it, rather
   * than a copy of its own: the cached client does (ADR 0070), saving a copy per read. Clients
   * that make a fresh object anyway ignore it. `reconcileEndpoint` reads this way; it never
   * changes what it reads.
   */
  readonly readOnly?: boolean | undefined;
  /**
   * The caller needs `metadata.managedFields` (to name who wrote a field). A client whose reads
   * drop them, as the cached client does to save memory, reads this object from the API
   * instead. `reconcileEndpoint` asks for it only when an object holds an endpoint other than
   * the one it would write, which is rare.
   */
  readonly managedFields?: boolean | undefined;
}

export interface PatchOptions extends RequestOptions {
  /** Sent as the request's fieldManager so server-side field ownership names the writer. */
  readonly fieldManager?: string | undefined;
}

export interface ClusterClient {
  get(ref: ObjectRef, options?: GetOptions): TaskEither<ApiError, KubeObject | undefined>;
  patch(ref: ObjectRef, patch: MergePatch, options?: PatchOptions): TaskEither<ApiError, KubeObject>;
  patchStatus(ref: ObjectRef, patch: MergePatch, options?: PatchOptions): TaskEither<ApiError, KubeObject>;
  /**
   * A client that hands out shared frozen objects (`readOnly` reads) may remember what decoding
   * them gave; `reconcileEndpoint` decodes what it reads through it. The client owns it.
   */
  readonly decodeMemo?: DecodeMemo | undefined;
  /**
   * A client that hands out the same frozen object for as long as an object stays at one version
   * may remember steady outcomes: `reconcileEndpoint` of a control plane by name then asks it
   * first, and a control plane whose objects are all at the versions last seen UpToDate costs
   * no planning at all. The client owns it.
   */
  readonly steadyMemo?: SteadyMemo | undefined;
  /**
   * The field manager this client writes as when a call names none. `reconcileEndpoint` writes,
   * and tells its own writes from others', under it unless its `fieldManager` option names another.
   */
  readonly fieldManager?: string | undefined;
}

/** One object a reconcile read, as the client handed it out. */
export interface ObjectRead {
  readonly ref: ObjectRef;
  readonly object: KubeObject;
}

/**
 * What a caching client remembers of steady reconciles. `options` is the options object the
 * reconcile ran with; a memo answers only for options equal to those it remembered under.
 */
export interface SteadyMemo {
  /**
   * The outcome remembered for the control plane `ref`, when every object it was computed from
   * is still the very object the client hands out now; otherwise undefined.
   */
  readonly recall: (ref: ObjectRef, options: object) => ReconcileOutcome | undefined;
  /**
   * Offers an UpToDate outcome that wrote nothing, with every object read to reach it. The memo
   * keeps it only when it can vouch that each object is the one it hands out for that reference.
   */
  readonly remember: (ref: ObjectRef, options: object, reads: readonly ObjectRead[], outcome: ReconcileOutcome) => void;
}

export type ChangeType = 'added' | 'modified' | 'deleted';

/** One object changed in a watched cluster: which one and how. Never carries the object itself. */
export interface ObjectChange {
  readonly type: ChangeType;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
}
