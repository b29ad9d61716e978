/**
 * The reconcile's calls to its ports (the ClusterClient and the Logger), as TaskEithers that
 * never reject. A call that throws or rejects is caught where it happens and labelled by that
 * step: its verb and the object it was about. A write that meets 409 Conflict comes back as
 * `Stale`, a value private to the reconcile that says "the plan is stale, plan again".
 * Not exported from the package.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type * as t from 'io-ts';
import type { ClusterClient, ObjectRead } from './clusterClient';
import { DEFAULT_FIELD_MANAGER, describeRef, type KubeObject, type MergePatch, type ObjectRef } from './objectRef';
import { apiError, isEndpointError, type ApiError, type EndpointError, type ObjectDecodeError, type RequestFailed } from './errors';
import type { Logger } from './logger';
import { decodeShape, type DecodeMemo } from './objects';

/** A write met 409 Conflict: what we planned from has moved on. */
export interface Stale {
  readonly _tag: 'Stale';
  readonly ref: ObjectRef;
}

export type Failure = EndpointError | Stale;

export const isStale = (failure: Failure): failure is Stale => failure._tag === 'Stale';

/** A step of the reconcile: its failures are errors, or `Stale`. */
export type Step<A> = TE.TaskEither<Failure, A>;

/** A step's result: at once, or later when the step had to wait for the client. */
export type Now<L, A> = E.Either<L, A> | Promise<E.Either<L, A>>;

/**
 * `next` on the value of `step`, a Left passing through: at once when the step answered at
 * once, after it when it had to wait. The reconcile's steps are mostly synchronous (objects in
 * hand, nothing to write, no logger); only what waits for the client makes a promise.
 */
export const andThen = <L, A, B>(step: Now<L, A>, next: (a: A) => Now<L, B>): Now<L, B> => {
  if (step instanceof Promise) return step.then((done) => (E.isLeft(done) ? done : next(done.right)));
  return E.isLeft(step) ? step : next(step.right);
};

export type Verb = RequestFailed['verb'];

export const requestFailed = (verb: Verb, ref: ObjectRef, error: ApiError): RequestFailed => ({
  _tag: 'RequestFailed',
  verb,
  object: describeRef(ref),
  error,
  reason: error.reason,
  retryable: error.retryable,
  message: `${verb} ${describeRef(ref)} failed: ${error.message}`,
});

/**
 * A step that threw. The exception itself is dropped: it may carry a response body with Secret
 * data.
 */
export const threw = (verb: Verb, ref: ObjectRef, what: string): RequestFailed =>
  requestFailed(verb, ref, apiError('Other', `${what} threw instead of returning an error`));

/** A client that breaks its contract with a Left that is not an ApiError still yields a typed error. */
const asApiError = (error: unknown): ApiError =>
  isEndpointError(error) && error._tag === 'ApiError'
    ? error
    : apiError('Other', 'the cluster client failed with a value that is not an ApiError');

/** Decodes an object read for `ref` (through the client's memo, when it has one); the failure names the object. */
export const decodeAt = <C extends t.Mixed>(codec: C, ref: ObjectRef, object: unknown, memo?: DecodeMemo) =>
  decodeShape(codec, object, () => `${ref.kind} ${ref.apiVersion} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`, memo);

export interface CallOptions {
  readonly fieldManager?: string | undefined;
  readonly logger?: Logger | undefined;
  readonly signal?: AbortSignal | undefined;
}

export type LogLevel = keyof Logger;

export interface Calls {
  /** Reads read-only: the reconcile never changes what it reads. `managedFields` asks for the field owners too. */
  readonly get: (ref: ObjectRef, want?: { readonly managedFields?: boolean }) => TE.TaskEither<EndpointError, KubeObject | undefined>;
  readonly write: (verb: 'patch' | 'patchStatus', ref: ObjectRef, patch: MergePatch) => Step<KubeObject>;
  /** Decodes what the client handed out. */
  readonly decode: <C extends t.Mixed>(codec: C, ref: ObjectRef, object: unknown) => E.Either<ObjectDecodeError, t.TypeOf<C>>;
  /**
   * Every object `get` handed back, in order, when the calls were made to record them (for the
   * client's steady memo); `undefined` when one read found nothing or recording is off.
   */
  readonly reads: () => readonly ObjectRead[] | undefined;
  /** Logs as part of the step `verb` on `ref`; a logger that throws fails that step. */
  readonly log: (level: LogLevel, step: { readonly verb: Verb; readonly ref: ObjectRef }, fields: Record<string, unknown>, message: string) => Step<void>;
  /** False when there is no logger: every `log` step then succeeds doing nothing, and may be left out. */
  readonly logging: boolean;
}

/** Logs as part of the step `verb` on `ref`; a logger that throws fails that step. */
export const logTo =
  (logger: Logger | undefined): Calls['log'] =>
  (level, step, fields, message) =>
  async () => {
    try {
      await Promise.resolve(logger?.[level](fields, message));
      return E.right(undefined);
    } catch {
      return E.left(threw(step.verb, step.ref, 'the logger'));
    }
  };

/**
 * The client's answer, or `onThrow` when calling it throws or its promise rejects: what
 * `TE.tryCatch(call, onThrow)` gives, without the combinator's layers.
 */
const called = async <A>(call: () => Promise<A>, onThrow: () => RequestFailed): Promise<E.Either<RequestFailed, A>> => {
  try {
    return await call().then(E.right);
  } catch {
    return E.left(onThrow());
  }
};

export const clusterCalls = (client: ClusterClient, options: CallOptions, recordReads = false): Calls => {
  const { signal, logger } = options;
  const fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  // Only a recording pass keeps what it read; a read that found nothing ends the record.
  let reads: ObjectRead[] | undefined = recordReads ? [] : undefined;
  // Written as plain async functions with early returns rather than TaskEither combinators:
  // they run on every reconcile, and each combinator step costs more than the step itself.
  const get =
    (ref: ObjectRef, want?: { readonly managedFields?: boolean }): TE.TaskEither<EndpointError, KubeObject | undefined> =>
    async () => {
      const answer = await called(() => client.get(ref, { signal, readOnly: true, ...(want?.managedFields === true ? { managedFields: true } : {}) })(), () => threw('get', ref, 'the cluster client'));
      if (E.isLeft(answer)) return answer;
      const result = answer.right;
      return E.isLeft(result) ? E.left(requestFailed('get', ref, asApiError(result.left))) : result;
    };
  return {
    get: !recordReads
      ? get
      : (ref, want) => async () => {
          const result = await get(ref, want)();
          if (E.isRight(result)) {
            if (result.right === undefined) reads = undefined;
            else reads?.push({ ref, object: result.right });
          }
          return result;
        },
    reads: () => reads,
    write: (verb, ref, patch) => async () => {
      const answer = await called(() => client[verb](ref, patch, { signal, fieldManager })(), () => threw(verb, ref, 'the cluster client'));
      if (E.isLeft(answer)) return answer;
      const result = answer.right;
      if (E.isRight(result)) return result;
      const apiFailure = asApiError(result.left);
      return E.left(apiFailure.kind === 'Conflict' ? { _tag: 'Stale', ref } : requestFailed(verb, ref, apiFailure));
    },
    decode: (codec, ref, object) => decodeAt(codec, ref, object, client.decodeMemo),
    log: logTo(logger),
    logging: logger !== undefined,
  };
};
