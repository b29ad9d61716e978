/**
 * The reconcile's calls to its ports (the ClusterClient and the Logger), as TaskEithers that
 * never reject. A call that throws or rejects is caught where it happens and labelled by that
 * step: its verb and the object it was about. A write that meets 409 Conflict comes back as
 * `Stale`, a value private to the reconcile that says "the plan is stale, plan again".
 * Not exported from the package.
 */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type * as t from 'io-ts';
import { DEFAULT_FIELD_MANAGER, describeRef, type ClusterClient, type KubeObject, type MergePatch, type ObjectRead, type ObjectRef } from './clusterClient';
import { apiError, isEndpointError, type ApiError, type EndpointError, type ObjectDecodeError, type RequestFailed } from './errors';
import type { Logger } from './logger';
import { decodeObject, type DecodeMemo } from './objects';

/** A write met 409 Conflict: what we planned from has moved on. */
export interface Stale {
  readonly _tag: 'Stale';
  readonly ref: ObjectRef;
}

export type Failure = EndpointError | Stale;

export const isStale = (failure: Failure): failure is Stale => failure._tag === 'Stale';

/** A step of the reconcile: its failures are errors, or `Stale`. */
export type Step<A> = TE.TaskEither<Failure, A>;

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
  decodeObject(codec, `${ref.kind} ${ref.apiVersion} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`, memo)(object);

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
}

/** Logs as part of the step `verb` on `ref`; a logger that throws fails that step. */
export const logTo =
  (logger: Logger | undefined): Calls['log'] =>
  (level, step, fields, message) =>
    TE.tryCatch(
      () => Promise.resolve(logger?.[level](fields, message)),
      () => threw(step.verb, step.ref, 'the logger'),
    );

export const clusterCalls = (client: ClusterClient, options: CallOptions, recordReads = false): Calls => {
  const { signal, logger } = options;
  const fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  // Only a recording pass keeps what it read; a read that found nothing ends the record.
  let reads: ObjectRead[] | undefined = recordReads ? [] : undefined;
  const get = (ref: ObjectRef, want?: { readonly managedFields?: boolean }): TE.TaskEither<EndpointError, KubeObject | undefined> =>
    pipe(
      TE.tryCatch(() => client.get(ref, { signal, readOnly: true, ...(want?.managedFields === true ? { managedFields: true } : {}) })(), () => threw('get', ref, 'the cluster client')),
      TE.chainEitherK(E.mapLeft((error) => requestFailed('get', ref, asApiError(error)))),
    );
  return {
    get: !recordReads
      ? get
      : (ref, want) =>
          pipe(
            get(ref, want),
            TE.map((object) => {
              if (object === undefined) reads = undefined;
              else reads?.push({ ref, object });
              return object;
            }),
          ),
    reads: () => reads,
    write: (verb, ref, patch) =>
      pipe(
        TE.tryCatch(() => client[verb](ref, patch, { signal, fieldManager })(), () => threw(verb, ref, 'the cluster client')),
        TE.chainEitherKW(
          E.mapLeft((error): Failure => {
            const apiFailure = asApiError(error);
            return apiFailure.kind === 'Conflict' ? { _tag: 'Stale', ref } : requestFailed(verb, ref, apiFailure);
          }),
        ),
      ),
    decode: (codec, ref, object) => decodeAt(codec, ref, object, client.decodeMemo),
    log: logTo(logger),
  };
};
