/**
 * `capt-endpoint explain`: what a reconcile would do with these manifests, and why. The objects
 * go into the in-memory fake cluster (later files replace earlier versions of the same object,
 * as `kubectl apply` would), and each control plane is reconciled as a dry run through the
 * recording client, so not even the fake is written.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describeRef, refOf, type KubeObject } from '@capt-endpoint/core';
import { objectKey } from '@capt-endpoint/controller/offline';
import type { FakeClient } from '@capt-endpoint/testing';
import { reconcileWithReport, type Report } from './report';
import type { CommonSettings } from './settings';

export interface ExplainError {
  readonly _tag: 'ExplainError';
  readonly message: string;
}

const explainError = (message: string): ExplainError => ({ _tag: 'ExplainError', message });

/**
 * Each object once (by `objectKey`: one object, whatever version a file names it at), as the
 * last file gives it: a later file stands for the object's newer state, and seeding it whole
 * keeps what it says (managedFields included) instead of recording an update of the earlier one.
 */
const lastOfEach = (objects: readonly KubeObject[]): KubeObject[] => [...new Map(objects.map((object) => [objectKey(refOf(object)), object])).values()];

/**
 * The fake cluster holding `objects`; an object the fake refuses (with `schemas`, one the
 * schema of its kind rejects, as a real cluster would) is an error naming it. The testing
 * package is loaded here, on first use: `reconcile` and `run` never load it.
 */
export const seedFakeCluster = async (objects: readonly KubeObject[], schemas = false): Promise<E.Either<ExplainError, FakeClient>> => {
  const { captEndpointCrds, createFakeClient } = await import('@capt-endpoint/testing');
  const fake = createFakeClient([], schemas ? { crds: captEndpointCrds } : {});
  for (const object of lastOfEach(objects)) {
    try {
      fake.put(object);
    } catch (error) {
      return E.left(explainError(`${describeRef(refOf(object))}: ${error instanceof Error ? error.message : 'refused'}`));
    }
  }
  return E.right(fake);
};

const controlPlaneRef = (namespace: string | undefined, name: string) => ({ namespace: namespace ?? '', name });

/** Explains the chosen control plane, or each one in the files. */
export const explain = async (
  objects: readonly KubeObject[],
  only: { readonly namespace: string; readonly name: string } | undefined,
  settings: CommonSettings,
): Promise<E.Either<ExplainError, Report[]>> => {
  const seeded = await seedFakeCluster(objects);
  if (E.isLeft(seeded)) return seeded;
  const targets =
    only !== undefined
      ? [controlPlaneRef(only.namespace, only.name)]
      : objects.filter((o) => o.kind === 'CAPTControlPlane').map((o) => controlPlaneRef(o.metadata.namespace, o.metadata.name ?? ''));
  const unique = targets.filter((t, i) => targets.findIndex((u) => u.namespace === t.namespace && u.name === t.name) === i);
  if (unique.length === 0) return E.left(explainError('the files hold no CAPTControlPlane to explain'));
  const reports: Report[] = [];
  for (const target of unique) reports.push(await reconcileWithReport(seeded.right, target, settings, { dryRun: true }));
  return E.right(reports);
};
