/**
 * `capt-endpoint demo`: the life of an EKS control plane's endpoint, played on the in-memory fake
 * cluster and told step by step: waiting for Terraform, the endpoint set on both objects, a
 * steady state that costs reads and no writes, a changed endpoint refused as drift, and the
 * Cluster's endpoint cleared when the control plane is deleted.
 *
 * The cluster starts from `<dir>/*.yaml`; the later states of the Workspace come from
 * `<dir>/later/`. By default the files are the repository's examples/manifests, built into the
 * command. Request counts are the fake's own record of calls.
 */
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describeRef, refOf, type KubeObject } from '@capt-endpoint/core';
import { CONTROL_PLANE_API_VERSION } from '@capt-endpoint/core/adapter';
import type { FakeClient } from '@capt-endpoint/testing';
import { seedFakeCluster } from './explain';
import { loadManifests, objectsOfText, type ManifestError, type ReadText, readTextFile } from './manifests';
import { reconcileWithReport, type Report } from './report';
import { renderJsonLine, renderText, type Style } from './render';

export interface DemoStep {
  readonly step: number;
  readonly title: string;
  /** What happened to the cluster before this reconcile. */
  readonly change: string;
  readonly report: Report;
  /** The API requests this reconcile made, counted by the fake. */
  readonly requests: { readonly reads: number; readonly writes: number };
}

export interface DemoError {
  readonly _tag: 'DemoError';
  readonly message: string;
}

const demoError = (message: string): DemoError => ({ _tag: 'DemoError', message });

/** The manifests the story needs, by file. */
export interface DemoManifests {
  readonly initial: readonly KubeObject[];
  readonly applied: readonly KubeObject[];
  readonly changed: readonly KubeObject[];
}

export const LATER_APPLIED = 'later/workspace-applied.yaml';
export const LATER_CHANGED = 'later/workspace-endpoint-changed.yaml';

const demoManifestsOf = (
  loaded: readonly [E.Either<ManifestError, KubeObject[]>, E.Either<ManifestError, KubeObject[]>, E.Either<ManifestError, KubeObject[]>],
  hint: string,
): E.Either<DemoError, DemoManifests> => {
  const [initial, applied, changed] = loaded;
  for (const part of loaded) if (E.isLeft(part)) return E.left(demoError(`${part.left.message}; ${hint}`));
  return E.right({ initial: E.toUnion(initial) as KubeObject[], applied: E.toUnion(applied) as KubeObject[], changed: E.toUnion(changed) as KubeObject[] });
};

/** The demo's manifests from a directory laid out as the repository's examples/manifests. */
export const loadDemoManifests = async (dir: string, read: ReadText = readTextFile): Promise<E.Either<DemoError, DemoManifests>> => {
  const load = async (files: readonly string[]) => loadManifests(files, read);
  const loaded = await Promise.all([load([dir]), load([join(dir, LATER_APPLIED)]), load([join(dir, LATER_CHANGED)])] as const);
  return demoManifestsOf(loaded, 'the demo needs a directory laid out as examples/manifests');
};

/** YAML files by their path in a manifests directory (`cluster.yaml`, `later/workspace-applied.yaml`). */
export type ManifestFiles = Readonly<Record<string, string>>;

/** The demo's manifests from files held in memory, such as those built into the command. */
export const demoManifestsFromFiles = async (files: ManifestFiles): Promise<E.Either<DemoError, DemoManifests>> => {
  const { objectsFromYaml } = await import('@capt-endpoint/testing');
  const parse = (names: readonly string[]): E.Either<ManifestError, KubeObject[]> => {
    const objects: KubeObject[] = [];
    for (const name of names) {
      const text = files[name];
      if (text === undefined) return E.left({ _tag: 'ManifestError', message: `${name}: no such file` });
      const parsed = objectsOfText(name, text, objectsFromYaml);
      if (E.isLeft(parsed)) return parsed;
      objects.push(...parsed.right);
    }
    return E.right(objects);
  };
  const topLevel = Object.keys(files)
    .filter((name) => !name.includes('/') && /\.ya?ml$/.test(name))
    .sort();
  return demoManifestsOf([parse(topLevel), parse([LATER_APPLIED]), parse([LATER_CHANGED])], 'the manifests built into the command are incomplete');
};

const reconcileStep = async (
  fake: FakeClient,
  target: { namespace: string; name: string },
  step: number,
  title: string,
  change: string,
): Promise<DemoStep> => {
  fake.resetCalls();
  const report = await reconcileWithReport(fake, target, {});
  return { step, title, change, report, requests: { reads: fake.count('get'), writes: fake.writes().length } };
};

/**
 * Plays the story and hands each step to `show` as it happens. Left when the manifests do not
 * hold what the story needs.
 */
export const playDemo = async (manifests: DemoManifests, show: (step: DemoStep) => void): Promise<E.Either<DemoError, readonly DemoStep[]>> => {
  // The fake holds the five kinds' schemas, as a real cluster does: a manifest it would refuse stops the demo.
  const seeded = await seedFakeCluster(manifests.initial, true);
  if (E.isLeft(seeded)) return E.left(demoError(seeded.left.message));
  const fake = seeded.right;
  const controlPlane = manifests.initial.find((o) => o.kind === 'CAPTControlPlane');
  if (controlPlane === undefined) return E.left(demoError('the demo manifests hold no CAPTControlPlane'));
  const target = { namespace: controlPlane.metadata.namespace ?? '', name: controlPlane.metadata.name ?? '' };
  const put = (objects: readonly KubeObject[]): string => {
    objects.forEach((object) => fake.put(object));
    return objects.map((object) => describeRef(refOf(object))).join(', ');
  };

  const steps: DemoStep[] = [];
  const record = (step: DemoStep): void => {
    steps.push(step);
    show(step);
  };
  const seededNames = manifests.initial.map((object) => describeRef(refOf(object))).join(', ');
  record(await reconcileStep(fake, target, 1, 'Terraform is still applying: no endpoint yet', `seeded ${seededNames}`));
  const applied = put(manifests.applied);
  record(await reconcileStep(fake, target, 2, 'Terraform is done: the endpoint is set on both objects', `${applied}: outputs.cluster_endpoint appeared`));
  record(await reconcileStep(fake, target, 3, 'Nothing changed: a steady reconcile reads and never writes', 'no change'));
  const changed = put(manifests.changed);
  record(await reconcileStep(fake, target, 4, 'The Workspace now says another endpoint: refused as drift', `${changed}: outputs.cluster_endpoint changed`));
  fake.delete({ apiVersion: CONTROL_PLANE_API_VERSION, kind: 'CAPTControlPlane', namespace: target.namespace, name: target.name });
  record(
    await reconcileStep(fake, target, 5, "The control plane is deleted: the Cluster's endpoint is cleared", `deleted CAPTControlPlane ${target.namespace}/${target.name} (its finalizer holds it)`),
  );
  return E.right(steps);
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One step as text for a terminal. */
export const renderDemoStep = (step: DemoStep, style: Style): string => {
  const report = renderText(step.report, style)
    .trimEnd()
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n');
  const writes = step.requests.writes === 0 ? style.green(plural(0, 'write')) : plural(step.requests.writes, 'write');
  return [
    style.bold(style.cyan(`${step.step}. ${step.title}`)),
    `   ${style.dim(step.change)}`,
    report,
    `   requests: ${plural(step.requests.reads, 'read')}, ${writes}; exit status ${step.report.exitCode}`,
    '',
  ].join('\n');
};

export const DEMO_TITLE = "capt-endpoint demo: the life of an EKS control plane's endpoint, on an in-memory cluster";

/** One step as a JSON line. */
export const renderDemoJson = (step: DemoStep): string =>
  renderJsonLine({ step: step.step, title: step.title, change: step.change, requests: step.requests, ...step.report });
