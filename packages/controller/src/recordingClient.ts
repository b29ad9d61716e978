/**
 * A `ClusterClient` wrapper that remembers what a reconcile did: every read (which object, found
 * or not) and every write (the merge patch). In dry-run mode writes are not sent: the patch is
 * recorded and the caller gets the object as the server would return it, computed with core's
 * `applyMergePatch` from what it read (and from its own earlier dry-run patches).
 *
 * The explanations of `explain` and `reconcile`, the dry run, and the controller's dependency
 * index are all built from these records.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import { apiError, describeRef, type ApiError, type ClusterClient, type KubeObject, type MergePatch, type ObjectRef, type PatchOptions, type GetOptions } from '@capt-endpoint/core';
import { applyMergePatch, copyJsonValue } from '@capt-endpoint/core/json';

export interface RecordedRead {
  readonly ref: ObjectRef;
  /** The object as read, or undefined when it does not exist. Held in memory only: it may be a Secret. */
  readonly object: KubeObject | undefined;
  readonly error: ApiError | undefined;
}

export interface RecordedWrite {
  readonly verb: 'patch' | 'patchStatus';
  readonly ref: ObjectRef;
  readonly patch: MergePatch;
  /** False in dry-run mode: the patch was not sent. */
  readonly sent: boolean;
  readonly error: ApiError | undefined;
}

export interface RecordingClient extends ClusterClient {
  readonly reads: readonly RecordedRead[];
  readonly writes: readonly RecordedWrite[];
  readonly dryRun: boolean;
}

const keyOf = (ref: ObjectRef): string => JSON.stringify([ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name]);

/** What the API server keeps of a patch: `/status` takes only status, the main resource everything else. */
const effectivePatch = (verb: 'patch' | 'patchStatus', patch: MergePatch): MergePatch => {
  const { status, ...rest } = patch;
  return verb === 'patchStatus' ? { ...(patch['metadata'] === undefined ? {} : { metadata: patch['metadata'] }), status } : rest;
};

export const recordingClient = (inner: ClusterClient, options: { readonly dryRun?: boolean } = {}): RecordingClient => {
  const dryRun = options.dryRun ?? false;
  const reads: RecordedRead[] = [];
  const writes: RecordedWrite[] = [];
  /** Objects as our unsent patches left them. */
  const pending = new Map<string, KubeObject>();

  const current = async (ref: ObjectRef, options?: GetOptions): Promise<E.Either<ApiError, KubeObject | undefined>> => {
    const held = pending.get(keyOf(ref));
    return held !== undefined ? E.right(copyJsonValue(held)) : inner.get(ref, options)();
  };

  const write =
    (verb: 'patch' | 'patchStatus') =>
    (ref: ObjectRef, patch: MergePatch, options?: PatchOptions): TaskEither<ApiError, KubeObject> =>
    async () => {
      if (!dryRun) {
        const result = await inner[verb](ref, patch, options)();
        writes.push({ verb, ref, patch, sent: true, error: E.isLeft(result) ? result.left : undefined });
        return result;
      }
      const before = await current(ref, options);
      const result: E.Either<ApiError, KubeObject> = E.isLeft(before)
        ? before
        : before.right === undefined
          ? E.left(apiError('NotFound', `${describeRef(ref)} not found`, { code: 404, statusReason: 'NotFound' }))
          : E.right(applyMergePatch(before.right, effectivePatch(verb, patch)) as KubeObject);
      if (E.isRight(result)) pending.set(keyOf(ref), result.right);
      writes.push({ verb, ref, patch, sent: false, error: E.isLeft(result) ? result.left : undefined });
      return result;
    };

  return {
    dryRun,
    reads,
    writes,
    get: (ref, options) => async () => {
      const result = await current(ref, options);
      reads.push({ ref, object: E.isRight(result) ? result.right : undefined, error: E.isLeft(result) ? result.left : undefined });
      return result;
    },
    patch: write('patch'),
    patchStatus: write('patchStatus'),
    // What the inner client remembers of decoding its own objects stays true through us.
    decodeMemo: inner.decodeMemo,
  };
};
