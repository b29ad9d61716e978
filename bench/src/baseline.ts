/**
 * BASELINE, NOT THE LIBRARY: the original Go controller's per-reconcile algorithm (appthrust/capt,
 * internal/controller/controlplane), rebuilt on the same ClusterClient so it goes over the same
 * wire as the library. It exists only to be measured against.
 *
 * On every reconcile it reads the CAPTControlPlane, its Cluster (found by name, as the Go code
 * did), the WorkspaceTemplateApply and the Workspace, and the connection Secret when the outputs
 * lack the endpoint; when it has an endpoint it writes the whole control plane back (the Go code
 * used a full Update; ClusterClient has no PUT, so this sends the whole object as a merge patch
 * carrying its resourceVersion) and patches the Cluster, whether or not anything changed. While
 * there is no endpoint it still patches the Cluster's status (the Go code set
 * `status.controlPlaneReady = false` on every not-ready reconcile).
 *
 * Deliberately kinder to the baseline than the Go code was: it decodes Secret data once (the Go
 * code decoded it twice and failed), and it leaves out the Go controller's extra status Update
 * of the control plane and its re-reads after each write, so its request count is a floor.
 */
import type { ClusterClient, KubeObject, ObjectRef } from '@capt-endpoint/core';
import * as E from 'fp-ts/lib/Either.js';

export interface BaselineOutcome {
  readonly endpoint: { readonly host: string; readonly port: number } | undefined;
  readonly wrote: number;
}

const field = (object: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined), object);

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export class BaselineFailed extends Error {}

const get = async (client: ClusterClient, ref: ObjectRef): Promise<KubeObject | undefined> => {
  const result = await client.get(ref)();
  if (E.isLeft(result)) throw new BaselineFailed(`baseline: get ${ref.kind} ${ref.name} failed: ${result.left.reason}`);
  return result.right;
};

const write = async (verb: 'patch' | 'patchStatus', client: ClusterClient, ref: ObjectRef, body: Record<string, unknown>): Promise<void> => {
  const result = await client[verb](ref, body, { fieldManager: 'go-baseline' })();
  if (E.isLeft(result)) throw new BaselineFailed(`baseline: ${verb} ${ref.kind} ${ref.name} failed: ${result.left.reason}`);
};

/** The Go controller's endpoint lookup: `cluster_endpoint` from the outputs, else from the Secret; host is the raw value, port 443. */
const endpointOf = async (client: ClusterClient, workspace: KubeObject): Promise<string | undefined> => {
  const fromOutputs = text(field(workspace, 'status', 'atProvider', 'outputs', 'cluster_endpoint'));
  if (fromOutputs !== undefined) return fromOutputs;
  const name = text(field(workspace, 'spec', 'writeConnectionSecretToRef', 'name'));
  const namespace = text(field(workspace, 'spec', 'writeConnectionSecretToRef', 'namespace'));
  if (name === undefined || namespace === undefined) return undefined;
  const secret = await get(client, { apiVersion: 'v1', kind: 'Secret', namespace, name });
  const encoded = text(field(secret, 'data', 'cluster_endpoint'));
  return encoded === undefined ? undefined : atob(encoded);
};

export const goControllerReconcile = async (client: ClusterClient, namespace: string, name: string): Promise<BaselineOutcome> => {
  const cpRef: ObjectRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace, name };
  const controlPlane = await get(client, cpRef);
  if (controlPlane === undefined) return { endpoint: undefined, wrote: 0 };
  const clusterRef: ObjectRef = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace, name };
  const cluster = await get(client, clusterRef);
  const applyName = text(field(controlPlane, 'spec', 'workspaceTemplateApplyName'));
  const apply =
    applyName === undefined
      ? undefined
      : await get(client, { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'WorkspaceTemplateApply', namespace, name: applyName });
  const workspaceName = text(field(apply, 'status', 'workspaceName'));
  const workspace =
    workspaceName === undefined ? undefined : await get(client, { apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: workspaceName });
  const host = workspace === undefined ? undefined : await endpointOf(client, workspace);

  let wrote = 0;
  const endpoint = host === undefined ? undefined : { host, port: 443 };
  if (endpoint !== undefined) {
    // The full Update: the whole object, spec replaced, with the resourceVersion it was read at.
    const spec = { ...(controlPlane['spec'] as Record<string, unknown>), controlPlaneEndpoint: endpoint };
    await write('patch', client, cpRef, { ...controlPlane, spec });
    wrote++;
  }
  if (cluster !== undefined) {
    if (endpoint !== undefined) await write('patch', client, clusterRef, { spec: { controlPlaneEndpoint: endpoint } });
    else await write('patchStatus', client, clusterRef, { status: { controlPlaneReady: false } });
    wrote++;
  }
  return { endpoint, wrote };
};
