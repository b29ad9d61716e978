/**
 * CAPT's own controller, as far as the endpoint and the conditions go, against an
 * `ObjectStore`: what appthrust/capt's `updateStatus` (internal/controller/controlplane/status.go)
 * does on each reconcile, so a test can run it between reconciles of the library and see the two
 * live side by side.
 *
 * One pass reads its copies first (`read`), as CAPT reads at the start of its reconcile, and
 * writes from them later (`write`); between the two, the library may write, and CAPT's copy is
 * then stale. When the WorkspaceTemplateApply is Ready, CAPT:
 * - reads output `cluster_endpoint` of the cluster-scoped Workspace the apply names, and sets
 *   `spec.controlPlaneEndpoint` to the raw value as host (a URL, `https://` included) and 443
 *   as port;
 * - writes the control plane with a full Update of its copy (its resourceVersion included, so a
 *   stale copy gets 409 Conflict, which CAPT turns into a failed status);
 * - merge-patches the owner Cluster's endpoint with the fields its copy of the Cluster lacks;
 * - merge-patches the control plane's status without a resourceVersion, its `conditions` the
 *   array of its copy with its `Ready` condition set: a condition written since its read is
 *   dropped.
 * Every write is made as field manager `manager` (a kubebuilder binary's default).
 */
import * as E from 'fp-ts/lib/Either.js';
import { refOf, type ApiError, type KubeObject, type ObjectRef } from '@capt-endpoint/core';
import { kubeTime } from '@capt-endpoint/core/json';
import { copy, isRecord, jsonEqual } from './json';
import type { ObjectStore } from './store';

/** What CAPT's controller calls itself in managedFields. */
export const CAPT_FIELD_MANAGER = 'manager';

export interface CaptSimulatorOptions {
  /** The CAPTControlPlane CAPT reconciles. */
  readonly controlPlane: { readonly namespace: string; readonly name: string };
  /** The field manager of CAPT's writes (default `manager`). */
  readonly fieldManager?: string;
  /** The Workspace output CAPT reads (default `cluster_endpoint`). */
  readonly outputKey?: string;
  /** The clock for the conditions' lastTransitionTime (default: the system clock). */
  readonly now?: () => Date;
}

/**
 * What a pass did: `Ready` set the endpoint (and `Conflict` met a 409 on the way, and set a
 * failed status instead), `NotReady` waited for the WorkspaceTemplateApply, `Gone` found no
 * control plane. `writes` counts the write requests the server accepted.
 */
export interface CaptPass {
  readonly _tag: 'Ready' | 'Conflict' | 'NotReady' | 'Gone';
  readonly writes: number;
  /** The endpoint CAPT wrote, or would have: the raw output as host, port 443. */
  readonly endpoint: { readonly host: string; readonly port: number } | undefined;
}

interface Copies {
  readonly controlPlane: KubeObject;
  readonly cluster: KubeObject | undefined;
  readonly apply: KubeObject | undefined;
}

const CONTROL_PLANE = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane' } as const;
const APPLY = { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'WorkspaceTemplateApply' } as const;
const WORKSPACE = { apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace' } as const;

const field = (value: unknown, ...path: string[]): unknown => path.reduce<unknown>((at, key) => (isRecord(at) ? at[key] : undefined), value);

const conditionsOf = (object: KubeObject | undefined): Array<Record<string, unknown>> => {
  const conditions = field(object, 'status', 'conditions');
  return Array.isArray(conditions) ? conditions.filter(isRecord) : [];
};

const isReady = (apply: KubeObject | undefined): boolean => conditionsOf(apply).some((c) => c['type'] === 'Ready' && c['status'] === 'True');

/** The owner Cluster as CAPT finds it: through the control plane's ownerReference. */
const ownerRefOf = (controlPlane: KubeObject): ObjectRef | undefined => {
  const owners = field(controlPlane, 'metadata', 'ownerReferences');
  const owner: unknown = Array.isArray(owners) ? owners.find((o: unknown) => isRecord(o) && o['kind'] === 'Cluster') : undefined;
  if (!isRecord(owner) || typeof owner['apiVersion'] !== 'string' || typeof owner['name'] !== 'string') return undefined;
  return { apiVersion: owner['apiVersion'], kind: 'Cluster', namespace: controlPlane.metadata.namespace, name: owner['name'] };
};

/** meta.SetStatusCondition: replaces the condition of that type, keeping the others in order. */
const setCondition = (conditions: Array<Record<string, unknown>>, condition: Record<string, unknown>): Array<Record<string, unknown>> => {
  const at = conditions.findIndex((c) => c['type'] === condition['type']);
  const previous = conditions[at];
  const kept = previous !== undefined && previous['status'] === condition['status'] ? { ...condition, lastTransitionTime: previous['lastTransitionTime'] } : condition;
  return at === -1 ? [...conditions, kept] : conditions.map((c, i) => (i === at ? kept : c));
};

/**
 * CAPT's controller beside the library: `read` takes its copies, `write` writes from them, `pass`
 * does both at once (a pass with no write of ours between). When the WorkspaceTemplateApply is
 * Ready, a write sets output `cluster_endpoint` as is (`{host: "https://…", port: 443}`) with a
 * full Update of its copy of the control plane (a stale copy meets a 409 and records
 * `Ready=False EndpointUpdateFailed`), a merge patch of the endpoint fields its copy of the
 * Cluster lacks, and a status merge patch without resourceVersion whose `conditions` is its
 * copy's with `Ready` set (a condition written since its read is lost). All as field manager
 * `manager`. Not simulated: the kubeconfig Secret, the WorkspaceTemplateApply update, the
 * Cluster's status and CAPT's requeue timer (the test's loop is the timer).
 * @example
 * ```ts
 * import { createFakeClient, CaptSimulator } from '@capt-endpoint/testing';
 *
 * declare const fake: ReturnType<typeof createFakeClient>;
 * const capt = new CaptSimulator(fake.store, { controlPlane: { namespace: 'team-a', name: 'demo-cp' } });
 * capt.read();
 * // … the library reconciles here; CAPT's copy is now stale …
 * capt.write(); // { _tag: 'Conflict', writes: 1, endpoint: { host: 'https://…', port: 443 } }
 * ```
 */
export class CaptSimulator {
  private readonly manager: string;
  private readonly outputKey: string;
  private readonly now: () => Date;
  private copies: Copies | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: CaptSimulatorOptions,
  ) {
    this.manager = options.fieldManager ?? CAPT_FIELD_MANAGER;
    this.outputKey = options.outputKey ?? 'cluster_endpoint';
    this.now = options.now ?? (() => new Date());
  }

  /** Takes CAPT's copies of the control plane, its owner Cluster and its WorkspaceTemplateApply. */
  read(): void {
    const controlPlane = this.store.get({ ...CONTROL_PLANE, ...this.options.controlPlane });
    if (controlPlane === undefined) {
      this.copies = undefined;
      return;
    }
    const owner = ownerRefOf(controlPlane);
    const applyName = field(controlPlane, 'spec', 'workspaceTemplateApplyName');
    this.copies = {
      controlPlane,
      cluster: owner === undefined ? undefined : this.store.get(owner),
      apply: typeof applyName === 'string' ? this.store.get({ ...APPLY, namespace: this.options.controlPlane.namespace, name: applyName }) : undefined,
    };
  }

  /** Writes what CAPT's `updateStatus` writes, from the copies `read` took (reading first if it has none). */
  write(): CaptPass {
    if (this.copies === undefined) this.read();
    const copies = this.copies;
    this.copies = undefined;
    if (copies === undefined) return { _tag: 'Gone', writes: 0, endpoint: undefined };
    if (!isReady(copies.apply)) {
      const writes = this.patchStatus(copies.controlPlane, { type: 'Ready', status: 'False', reason: 'Creating', message: 'Control plane is being created' });
      return { _tag: 'NotReady', writes, endpoint: undefined };
    }
    const endpoint = this.endpointOf(copies.apply);
    let writes = 0;
    if (endpoint !== undefined) {
      const updated = this.update(copies.controlPlane, endpoint);
      if (E.isLeft(updated)) {
        const message = `Failed to update control plane endpoint: ${updated.left.message}`;
        writes += this.patchStatus(copies.controlPlane, { type: 'Ready', status: 'False', reason: 'EndpointUpdateFailed', message }, { failureReason: 'EndpointUpdateFailed', failureMessage: message });
        return { _tag: 'Conflict', writes, endpoint };
      }
      writes += 1;
      writes += this.patchClusterEndpoint(copies.cluster, endpoint);
    }
    writes += this.patchStatus(copies.controlPlane, { type: 'Ready', status: 'True', reason: 'Ready', message: 'Control plane is ready' }, { ready: true, initialized: true });
    return { _tag: 'Ready', writes, endpoint };
  }

  /** `read` then `write`. */
  pass(): CaptPass {
    this.read();
    return this.write();
  }

  /** GetEndpointFromWorkspace: the raw output as host, port 443. */
  private endpointOf(apply: KubeObject | undefined): CaptPass['endpoint'] {
    const name = field(apply, 'status', 'workspaceName');
    const workspace = typeof name === 'string' && name !== '' ? this.store.get({ ...WORKSPACE, name }) : undefined;
    const value = field(workspace, 'status', 'atProvider', 'outputs', this.outputKey);
    return typeof value === 'string' && value !== '' ? { host: value, port: 443 } : undefined;
  }

  /** A full Update of CAPT's copy with the endpoint set. */
  private update(controlPlane: KubeObject, endpoint: NonNullable<CaptPass['endpoint']>): E.Either<ApiError, KubeObject> {
    const current = this.store.get(refOf(controlPlane));
    const next = copy(controlPlane);
    next['spec'] = { ...(isRecord(next['spec']) ? next['spec'] : {}), controlPlaneEndpoint: endpoint };
    // An Update of the main resource leaves status as it is on the server.
    if (current !== undefined) next['status'] = current['status'];
    return this.store.put(next, { fieldManager: this.manager });
  }

  /** client.MergeFrom(copy): only the endpoint fields CAPT's copy of the Cluster lacks, no resourceVersion. */
  private patchClusterEndpoint(cluster: KubeObject | undefined, endpoint: NonNullable<CaptPass['endpoint']>): number {
    if (cluster === undefined) return 0;
    const held = field(cluster, 'spec', 'controlPlaneEndpoint');
    const changed = Object.fromEntries(Object.entries(endpoint).filter(([key, value]) => !jsonEqual(field(held, key), value)));
    if (Object.keys(changed).length === 0) return 0;
    return this.counted(this.store.patch(refOf(cluster), { spec: { controlPlaneEndpoint: changed } }, { fieldManager: this.manager }));
  }

  /** A status merge patch without a resourceVersion; `conditions` is CAPT's copy with its condition set. */
  private patchStatus(controlPlane: KubeObject, condition: Record<string, unknown>, fields: Record<string, unknown> = {}): number {
    const conditions = setCondition(conditionsOf(controlPlane), { ...condition, lastTransitionTime: kubeTime(this.now()) });
    const patch = { status: { ...fields, conditions } };
    return this.counted(this.store.patch(refOf(controlPlane), patch, { fieldManager: this.manager, subresource: 'status' }));
  }

  private counted(written: E.Either<ApiError, KubeObject>): number {
    return E.isRight(written) ? 1 : 0;
  }
}
