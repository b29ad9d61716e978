/**
 * A reconcile explained: from `reconcileEndpoint`'s result and what the recording client saw,
 * the `Report` every command prints: the outcome, the exit status it maps to, the checks on the
 * way (each object found or not, where the value came from), each object's endpoint before and
 * after, and the writes (sent, or only planned in a dry run).
 *
 * Secret safety: a report names Secrets and keys, never their values.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  DEFAULT_CONDITION_TYPE,
  reconcileEndpoint,
  type ClusterClient,
  type ReconcileOptions,
  describeRef,
  formatHostPort,
  isEndpointSet,
  type ApiEndpoint,
  type Contest,
  type Drift,
  type Repair,
  type EndpointError,
  type EndpointSource,
  type KubeObject,
  type MergePatch,
  type ObjectRef,
  type ReconcileOutcome,
  type ReconcileResult,
  type WaitingOn,
  type Condition,
} from '@capt-endpoint/core';
import { CONTROL_PLANE_API_VERSION, quoteValue, type StoredEndpoint } from '@capt-endpoint/core/adapter';
import { applyMergePatch } from '@capt-endpoint/core/json';
import { recordingClient, type RecordedRead, type RecordingClient } from '@capt-endpoint/controller/offline';

export type CheckStatus = 'pass' | 'wait' | 'fail' | 'info';

export interface Check {
  readonly status: CheckStatus;
  readonly text: string;
}

/** The endpoint of the control plane or the Cluster before and after (`null`: unset). */
export interface EndpointChange {
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly before: ApiEndpoint | null;
  readonly after: ApiEndpoint | null;
}

/** A merge patch of the reconcile, in order; `sent` is false in a dry run, `error` says why one failed. */
export interface ReportedWrite {
  readonly verb: 'patch' | 'patchStatus';
  readonly object: string;
  readonly patch: MergePatch;
  readonly sent: boolean;
  readonly error?: string | undefined;
}

export type ReportResult = ReconcileResult | 'Error';

/**
 * What `explain` and `reconcile` report for one control plane: the text output's lines, and
 * with `-o json` (one object per line) or `-o yaml` (documents, through client-node's
 * `dumpYaml`) the object itself. Values read from a connection Secret are never shown.
 */
export interface Report {
  /** `namespace/name` of the CAPTControlPlane. */
  readonly controlPlane: string;
  /** `Updated`, `UpToDate`, `Waiting`, `Drift`, `Repaired`, `Contested`, `CleanedUp`, `ControlPlaneGone` or `Error`. */
  readonly result: ReportResult;
  /** 0 set or up to date, 2 waiting, 1 anything that needs a person. */
  readonly exitCode: 0 | 1 | 2;
  /** True for `explain` and `reconcile --dry-run`: `writes` were not sent. */
  readonly dryRun: boolean;
  /** core's one-line summary. */
  readonly message: string;
  /** The endpoint the control plane holds, or would hold. */
  readonly endpoint?: ApiEndpoint | undefined;
  /** Where it was read: a Workspace output or a connection Secret's key. */
  readonly source?: EndpointSource | undefined;
  /** The missing link while waiting (`WorkspaceTemplateApply`, `Workspace`, `EndpointOutput`, `ConnectionSecret`, ...). */
  readonly waitingOn?: WaitingOn | undefined;
  readonly drift?: Drift | undefined;
  readonly repair?: Repair | undefined;
  readonly contest?: Contest | undefined;
  /** The `EndpointReady` condition as written, or as it would be. */
  readonly condition?: Condition | undefined;
  /** Milliseconds until a controller should look again. */
  readonly requeueAfter?: number | undefined;
  /** For `Error`: the error's tag, reason, whether a retry may help, and its message (docs/errors.md). */
  readonly error?: { readonly tag: string; readonly reason: string; readonly retryable: boolean; readonly message: string } | undefined;
  /** The lines of the text output: `pass` (✓), `wait` (…, the reason it stops), `fail` (✗), `info` (·). */
  readonly checks: readonly Check[];
  /** The control plane's and the Cluster's endpoint before and after. */
  readonly endpoints: readonly EndpointChange[];
  /** The merge patches, in order. */
  readonly writes: readonly ReportedWrite[];
}

export const exitCodeOf = (result: ReportResult): 0 | 1 | 2 =>
  result === 'Updated' || result === 'Repaired' || result === 'UpToDate' || result === 'CleanedUp' ? 0 : result === 'Waiting' ? 2 : 1;

/** The worst of several reports: an error beats waiting, waiting beats done. */
export const combinedExitCode = (codes: readonly number[]): number =>
  codes.includes(1) ? 1 : codes.includes(2) ? 2 : 0;

const endpointOf = (object: KubeObject | undefined): ApiEndpoint | null => {
  const stored = (object?.['spec'] as { controlPlaneEndpoint?: StoredEndpoint } | undefined)?.controlPlaneEndpoint;
  return isEndpointSet(stored) ? { host: stored.host, port: stored.port } : null;
};

const sameRef = (a: ObjectRef, b: ObjectRef): boolean =>
  a.apiVersion === b.apiVersion && a.kind === b.kind && (a.namespace ?? '') === (b.namespace ?? '') && a.name === b.name;

const roles: Record<string, { readonly found: string; readonly missing: (what: string) => Check }> = {
  Cluster: { found: 'the owner, from ownerReferences', missing: (what) => ({ status: 'info', text: `${what}, the owner in ownerReferences, does not exist: only the control plane is updated` }) },
  WorkspaceTemplateApply: { found: 'from spec.workspaceTemplateApplyName', missing: (what) => ({ status: 'wait', text: `${what} does not exist yet` }) },
  Workspace: { found: 'from the WorkspaceTemplateApply\'s status.workspaceName', missing: (what) => ({ status: 'wait', text: `${what} does not exist yet` }) },
  Secret: { found: 'the connection Secret: the outputs lack the endpoint', missing: (what) => ({ status: 'wait', text: `connection ${what} does not exist yet` }) },
};

const readCheck = (read: RecordedRead): Check | undefined => {
  const what = describeRef(read.ref);
  // The reconcile goes on at another version (a Cluster) or reports the failure itself.
  if (read.error?.kind === 'NotServed') return { status: 'info', text: `${what}: the API server does not serve ${read.ref.apiVersion}` };
  if (read.error !== undefined) return { status: 'fail', text: `could not read ${what}: ${read.error.message}` };
  const role = roles[read.ref.kind];
  if (role === undefined) return read.object === undefined ? { status: 'fail', text: `${what} does not exist` } : undefined;
  return read.object === undefined ? role.missing(what) : { status: 'pass', text: `${what}, ${role.found}` };
};


/** Where the value came from. Output values are shown (they are not secret); Secret values never. */
const sourceCheck = (source: EndpointSource, endpoint: ApiEndpoint | undefined, reads: readonly RecordedRead[]): Check => {
  const parsed = endpoint === undefined ? '' : ` → host ${endpoint.host}, port ${endpoint.port}`;
  if (source.from === 'secret') {
    return { status: 'pass', text: `key "${source.key}" of Secret ${source.secret.namespace}/${source.secret.name} (value not shown)${parsed}` };
  }
  const workspace = reads.find((read) => read.ref.kind === 'Workspace')?.object;
  const outputs = (workspace?.['status'] as { atProvider?: { outputs?: Record<string, unknown> } } | undefined)?.atProvider?.outputs ?? {};
  const names = source.key.includes('+') ? source.key.split('+') : [source.key];
  const shown = names.map((name) => `"${name}" = ${quoteValue(outputs[name])}`).join(', ');
  return { status: 'pass', text: `output ${shown}${parsed}` };
};

const errorSummary = (error: EndpointError): NonNullable<Report['error']> => ({
  tag: error._tag,
  reason: error.reason,
  retryable: error.retryable,
  message: error.message,
});

/** core's summaries say what was written; in a dry run nothing was. */
const asPlanned = (message: string, dryRun: boolean): string =>
  dryRun ? message.replace(/\(wrote ([^)]*)\)$/, '(would write $1)').replace(/^removed /, 'would remove ') : message;

const verdict = (outcome: ReconcileOutcome, dryRun: boolean): Check => {
  const endpoint = outcome.endpoint === undefined ? 'none' : formatHostPort(outcome.endpoint);
  switch (outcome._tag) {
    case 'Updated':
      return { status: 'pass', text: `${dryRun ? 'would write' : 'wrote'} the endpoint ${endpoint} where it was missing` };
    case 'UpToDate':
      return { status: 'pass', text: `the objects already hold ${endpoint}: nothing to write` };
    case 'Waiting':
      return { status: 'wait', text: outcome.condition?.message ?? outcome.message };
    case 'Repaired':
      return { status: 'pass', text: outcome.condition?.message ?? outcome.message };
    case 'Drift':
    case 'Contested':
      return { status: 'fail', text: outcome.condition?.message ?? outcome.message };
    case 'CleanedUp':
      return { status: 'pass', text: asPlanned(outcome.message.replace(/^CleanedUp: /, ''), dryRun) };
    case 'ControlPlaneGone':
      return { status: 'fail', text: outcome.message };
  }
};

/** Each object's endpoint before the reconcile and after its writes (sent or planned). */
const endpointChanges = (recording: RecordingClient): EndpointChange[] =>
  recording.reads
    .filter((read) => (read.ref.kind === 'CAPTControlPlane' || read.ref.kind === 'Cluster') && read.object !== undefined)
    .filter((read, index, all) => all.findIndex((other) => sameRef(other.ref, read.ref)) === index)
    .map((read) => {
      const after = recording.writes
        .filter((write) => write.verb === 'patch' && write.error === undefined && sameRef(write.ref, read.ref))
        .reduce((object, write) => applyMergePatch(object, write.patch) as KubeObject, read.object as KubeObject);
      return { object: describeRef(read.ref), before: endpointOf(read.object), after: endpointOf(after) };
    });

/** The report of one reconcile of `controlPlane`, from its result and the recording client it used. */
export const buildReport = (
  controlPlane: ObjectRef,
  result: E.Either<EndpointError, ReconcileOutcome>,
  recording: RecordingClient,
  options: { readonly updateCluster?: boolean | undefined; readonly conditionType?: string | undefined } = {},
): Report => {
  const reads = recording.reads;
  const checks: Check[] = reads.map(readCheck).filter((check): check is Check => check !== undefined);
  const held = reads.find((read) => read.ref.kind === 'CAPTControlPlane')?.object;
  const ownerNamed = held?.metadata.ownerReferences?.some((owner) => owner.kind === 'Cluster') ?? false;
  if (held !== undefined && options.updateCluster === false) checks.unshift({ status: 'info', text: '--no-update-cluster: the Cluster is left alone' });
  else if (held !== undefined && !ownerNamed) checks.unshift({ status: 'info', text: 'no owner Cluster in ownerReferences: only the control plane is updated' });

  const writes: ReportedWrite[] = recording.writes.map((write) => ({
    verb: write.verb,
    object: describeRef(write.ref),
    patch: write.patch,
    sent: write.sent,
    ...(write.error === undefined ? {} : { error: write.error.message }),
  }));
  const base = { controlPlane: `${controlPlane.namespace ?? ''}/${controlPlane.name}` };
  const effects = { dryRun: recording.dryRun, endpoints: endpointChanges(recording), writes };
  if (E.isLeft(result)) {
    const error = result.left;
    const source = error._tag === 'InvalidEndpointValue' ? error.source : undefined;
    const condition = held === undefined ? undefined : conditionAfter(recording, controlPlane, options.conditionType ?? DEFAULT_CONDITION_TYPE);
    return {
      ...base,
      result: 'Error',
      exitCode: 1,
      message: error.message,
      source,
      condition,
      error: errorSummary(error),
      checks: [...checks, { status: 'fail', text: error.message }],
      ...effects,
    };
  }
  const outcome = result.right;
  // Under drift the Workspace's value is not the endpoint kept: show what the Workspace says.
  const valueCheck = outcome.source === undefined ? [] : [sourceCheck(outcome.source, outcome.drift?.workspace ?? outcome.endpoint, reads)];
  return {
    ...base,
    result: outcome._tag,
    exitCode: exitCodeOf(outcome._tag),
    message: asPlanned(outcome.message, recording.dryRun),
    endpoint: outcome.endpoint,
    source: outcome.source,
    waitingOn: outcome.waitingOn,
    drift: outcome.drift,
    repair: outcome.repair,
    contest: outcome.contest,
    condition: outcome.condition,
    requeueAfter: outcome.requeueAfter,
    checks: [...checks, ...valueCheck, verdict(outcome, recording.dryRun)],
    ...effects,
  };
};

/** The condition a failed reconcile recorded (value errors end in a False condition first). */
const conditionAfter = (recording: RecordingClient, controlPlane: ObjectRef, type: string): Condition | undefined => {
  const write = [...recording.writes].reverse().find((w) => w.verb === 'patchStatus' && w.error === undefined && sameRef(w.ref, controlPlane));
  const conditions = (write?.patch['status'] as { conditions?: Condition[] } | undefined)?.conditions;
  return conditions?.find((c) => c.type === type);
};

/** One reconcile of `target` through a recording wrapper of `client`, and its report. */
export const reconcileWithReport = async (
  client: ClusterClient,
  target: { readonly namespace: string; readonly name: string },
  options: ReconcileOptions,
  recordingOptions: { readonly dryRun?: boolean } = {},
): Promise<Report> => {
  // The report explains every read: a steady memo's answer would leave it none to explain.
  const recording = recordingClient(client, { ...recordingOptions, recall: false });
  const result = await reconcileEndpoint(recording, target, options)();
  const ref: ObjectRef = { apiVersion: CONTROL_PLANE_API_VERSION, kind: 'CAPTControlPlane', namespace: target.namespace, name: target.name };
  return buildReport(ref, result, recording, options);
};
