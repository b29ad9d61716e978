/**
 * A `ClusterClient` wrapper that remembers what a reconcile did: every read (which object, found
 * or not) and every write (the merge patch). In dry-run mode writes are not sent: the patch is
 * recorded and the caller gets the object as the server would return it, computed with core's
 * `applyMergePatch` from what it read (and from its own earlier dry-run patches).
 *
 * The explanations of `explain` and `reconcile`, the dry run, and the controller's dependency
 * index are all built from these records.
 *
 * Outside dry-run mode it also passes the inner client's steady memo through (ADR 0086): reads
 * go to the inner client unchanged, so the objects a reconcile reads through this wrapper are
 * the very ones the memo vouches for, and a recalled outcome is as true here as without it. A
 * recalled reconcile reads and writes nothing; `recalled` says it happened. A dry run neither
 * recalls nor remembers: its point is the reads and writes a full reconcile makes, and its
 * outcome is computed from objects as unsent patches would leave them.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import {
  describeRef,
  type ApiError,
  type ClusterClient,
  type GetOptions,
  type KubeObject,
  type MergePatch,
  type ObjectRef,
  type PatchOptions,
  type SteadyMemo,
} from '@capt-endpoint/core';
import { apiError } from '@capt-endpoint/core/adapter';
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
  /** The resourceVersion the server gave the object, for a sent write that succeeded. */
  readonly resourceVersion?: string | undefined;
}

export interface RecordingClient extends ClusterClient {
  readonly reads: readonly RecordedRead[];
  readonly writes: readonly RecordedWrite[];
  readonly dryRun: boolean;
  /** True once the inner client's steady memo answered a reconcile: it then read nothing. */
  readonly recalled: boolean;
}

export interface RecordingOptions {
  /** Send no write: record the patch and answer with the object as the server would return it. */
  readonly dryRun?: boolean | undefined;
  /**
   * Let the inner client's steady memo answer (default true). With false it may still remember
   * this reconcile's outcome, but the reconcile runs in full and records every read: for a
   * caller that explains the reads, or does not yet know what this control plane depends on.
   */
  readonly recall?: boolean | undefined;
}

const keyOf = (ref: ObjectRef): string => JSON.stringify([ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name]);

/** What the API server keeps of a patch: `/status` takes only status, the main resource everything else. */
const effectivePatch = (verb: 'patch' | 'patchStatus', patch: MergePatch): MergePatch => {
  const { status, ...rest } = patch;
  return verb === 'patchStatus' ? { ...(patch['metadata'] === undefined ? {} : { metadata: patch['metadata'] }), status } : rest;
};

/** The inner memo, answering only when `recall`, and noting when it did. */
const passing = (memo: SteadyMemo, recall: boolean, recalled: () => void): SteadyMemo => ({
  recall: (ref, options) => {
    if (!recall) return undefined;
    const outcome = memo.recall(ref, options);
    if (outcome !== undefined) recalled();
    return outcome;
  },
  remember: (ref, options, reads, outcome) => memo.remember(ref, options, reads, outcome),
});

export const recordingClient = (inner: ClusterClient, options: RecordingOptions = {}): RecordingClient => {
  const dryRun = options.dryRun ?? false;
  const memo = dryRun ? undefined : inner.steadyMemo;
  let recalled = false;
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
        writes.push(
          E.isLeft(result)
            ? { verb, ref, patch, sent: true, error: result.left }
            : { verb, ref, patch, sent: true, error: undefined, resourceVersion: result.right.metadata.resourceVersion },
        );
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
    get recalled() {
      return recalled;
    },
    get: (ref, options) => async () => {
      const result = await current(ref, options);
      reads.push({ ref, object: E.isRight(result) ? result.right : undefined, error: E.isLeft(result) ? result.left : undefined });
      return result;
    },
    patch: write('patch'),
    patchStatus: write('patchStatus'),
    // What the inner client remembers of decoding its own objects stays true through us.
    decodeMemo: inner.decodeMemo,
    fieldManager: inner.fieldManager,
    steadyMemo:
      memo &&
      passing(memo, options.recall ?? true, () => {
        recalled = true;
      }),
  };
};
