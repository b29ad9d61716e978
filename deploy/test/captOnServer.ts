// A CAPT cluster on a real server, as CAPT's users and CAPT create it, and CAPT's own controller
// beside ours: the requests appthrust/capt's updateStatus makes (the CaptSimulator of
// @capt-endpoint/testing, issued through client-node instead of into the fake's store).
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';

export const CONTROL_PLANE = { group: 'controlplane.cluster.x-k8s.io', version: 'v1beta1', plural: 'captcontrolplanes' } as const;
export const CLUSTER = { group: 'cluster.x-k8s.io', version: 'v1beta1', plural: 'clusters' } as const;
export const APPLY = { group: 'infrastructure.cluster.x-k8s.io', version: 'v1beta1', plural: 'workspacetemplateapplies' } as const;
export const WORKSPACE = { group: 'tf.upbound.io', version: 'v1beta1', plural: 'workspaces' } as const;
export const CAPT_FINALIZER = 'controlplane.cluster.x-k8s.io/captcontrolplane';
/** What CAPT's controller calls itself in managedFields. */
export const CAPT_FIELD_MANAGER = 'manager';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

type Json = Record<string, unknown>;
const field = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Json)[key] : undefined), value);

export interface CaptClusterNames {
  readonly namespace: string;
  /** The Cluster's and the control plane's name. */
  readonly name: string;
  /** CAPT's names: `<name>-eks-controlplane-apply`, the cluster-scoped Workspace (made unique per namespace), `<name>-eks-connection`. */
  readonly apply: string;
  readonly workspace: string;
  readonly secret: string;
}

export const captClusterNames = (namespace: string, name: string): CaptClusterNames => ({
  namespace,
  name,
  apply: `${name}-eks-controlplane-apply`,
  workspace: `${namespace}-${name}-eks-controlplane`,
  secret: `${name}-eks-connection`,
});

const readyCondition = (status: 'True' | 'False', reason: string) => ({ type: 'Ready', status, reason, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });

/**
 * What a user and CAPT create for one cluster, Terraform still applying: the Cluster, the
 * CAPTControlPlane it owns (CAPT's finalizer on it), the WorkspaceTemplateApply that names the
 * Workspace, the Workspace with no outputs and its connection Secret with no endpoint.
 */
export const createCaptCluster = async (kubeConfig: KubeConfig, names: CaptClusterNames): Promise<void> => {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const { namespace, name } = names;
  const cluster = (await api.createNamespacedCustomObject({
    ...CLUSTER,
    namespace,
    body: {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name },
      spec: {
        controlPlaneRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', name },
        infrastructureRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'CAPTCluster', name },
      },
    },
  })) as Json;
  await api.createNamespacedCustomObject({
    ...CONTROL_PLANE,
    namespace,
    body: {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
      kind: 'CAPTControlPlane',
      metadata: {
        name,
        finalizers: [CAPT_FINALIZER],
        ownerReferences: [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name, uid: field(cluster, 'metadata', 'uid'), controller: true, blockOwnerDeletion: true }],
      },
      spec: { version: '1.31', workspaceTemplateRef: { name: 'eks-controlplane-template' }, workspaceTemplateApplyName: names.apply, controlPlaneConfig: { region: 'us-west-2' } },
    },
  });
  await api.createNamespacedCustomObject({
    ...APPLY,
    namespace,
    body: {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'WorkspaceTemplateApply',
      metadata: { name: names.apply },
      spec: { templateRef: { name: 'eks-controlplane-template' }, writeConnectionSecretToRef: { name: names.secret, namespace } },
    },
  });
  await api.patchNamespacedCustomObjectStatus(
    { ...APPLY, namespace, name: names.apply, body: { status: { applied: true, workspaceName: names.workspace, conditions: [readyCondition('False', 'Creating')] } } },
    mergePatch,
  );
  await api.createClusterCustomObject({
    ...WORKSPACE,
    body: {
      apiVersion: 'tf.upbound.io/v1beta1',
      kind: 'Workspace',
      metadata: { name: names.workspace },
      spec: { forProvider: { source: 'Remote', module: 'git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v20.31.0' }, writeConnectionSecretToRef: { name: names.secret, namespace } },
    },
  });
  await api.patchClusterCustomObjectStatus({ ...WORKSPACE, name: names.workspace, body: { status: { conditions: [readyCondition('False', 'Creating')] } } }, mergePatch);
  await kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace,
    body: { metadata: { name: names.secret }, type: 'connection.crossplane.io/v1alpha1', data: { cluster_name: Buffer.from(name).toString('base64') } },
  });
};

/**
 * Terraform has applied: the Workspace becomes Ready and the WorkspaceTemplateApply with it. The
 * endpoint is output `cluster_endpoint` (`outputs`), or, as a sensitive output, only a key of the
 * connection Secret (`secret`).
 */
export const terraformApplied = async (kubeConfig: KubeConfig, names: CaptClusterNames, endpoint: string, via: 'outputs' | 'secret'): Promise<void> => {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  if (via === 'secret') {
    await kubeConfig
      .makeApiClient(CoreV1Api)
      .patchNamespacedSecret({ namespace: names.namespace, name: names.secret, body: { data: { cluster_endpoint: Buffer.from(endpoint).toString('base64') } } }, mergePatch);
  }
  const outputs = via === 'outputs' ? { cluster_endpoint: endpoint, cluster_name: names.name } : { cluster_name: names.name };
  await api.patchClusterCustomObjectStatus({ ...WORKSPACE, name: names.workspace, body: { status: { atProvider: { outputs }, conditions: [readyCondition('True', 'Available')] } } }, mergePatch);
  await api.patchNamespacedCustomObjectStatus({ ...APPLY, namespace: names.namespace, name: names.apply, body: { status: { conditions: [readyCondition('True', 'Available')] } } }, mergePatch);
};

export const readControlPlane = (kubeConfig: KubeConfig, names: CaptClusterNames): Promise<Json | undefined> =>
  kubeConfig
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({ ...CONTROL_PLANE, namespace: names.namespace, name: names.name })
    .then(
      (o) => o as Json,
      (e: unknown) => {
        if ((e as { code?: number }).code === 404) return undefined;
        throw e;
      },
    );

export const readCluster = (kubeConfig: KubeConfig, names: CaptClusterNames): Promise<Json> =>
  kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...CLUSTER, namespace: names.namespace, name: names.name }) as Promise<Json>;

export const endpointOf = (object: Json | undefined): unknown => field(object, 'spec', 'controlPlaneEndpoint');

export const conditionOf = (object: Json | undefined, type: string): Json | undefined => {
  const conditions = field(object, 'status', 'conditions');
  return Array.isArray(conditions) ? (conditions as Json[]).find((c) => c['type'] === type) : undefined;
};

/**
 * CAPT's controller for one control plane, through the API server: each `pass` reads the control
 * plane, its owner Cluster and its WorkspaceTemplateApply, and, once the apply is Ready, writes
 * output `cluster_endpoint` raw as host and 443 as port with a full Update of its copy (a stale
 * copy meets 409), merge-patches the Cluster's endpoint fields its copy lacks, then merge-patches
 * the control plane's status (no resourceVersion) with its copy's conditions and its Ready set.
 * Every write as field manager `manager`. `finishDeletion` removes its finalizer.
 */
export class CaptOnServer {
  private readonly api: CustomObjectsApi;
  writes = 0;
  conflicts = 0;

  constructor(
    kubeConfig: KubeConfig,
    private readonly names: CaptClusterNames,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async pass(): Promise<'Ready' | 'NotReady' | 'Conflict' | 'Gone'> {
    const { namespace, name } = this.names;
    const controlPlane = (await this.api.getNamespacedCustomObject({ ...CONTROL_PLANE, namespace, name }).catch(() => undefined)) as Json | undefined;
    if (controlPlane === undefined || field(controlPlane, 'metadata', 'deletionTimestamp') !== undefined) return 'Gone';
    const cluster = (await this.api.getNamespacedCustomObject({ ...CLUSTER, namespace, name }).catch(() => undefined)) as Json | undefined;
    const apply = (await this.api.getNamespacedCustomObject({ ...APPLY, namespace, name: this.names.apply }).catch(() => undefined)) as Json | undefined;
    const applyReady = ((field(apply, 'status', 'conditions') as Json[] | undefined) ?? []).some((c) => c['type'] === 'Ready' && c['status'] === 'True');
    if (!applyReady) {
      await this.patchStatus(controlPlane, { type: 'Ready', status: 'False', reason: 'Creating', message: 'Control plane is being created' });
      return 'NotReady';
    }
    const workspace = (await this.api.getClusterCustomObject({ ...WORKSPACE, name: this.names.workspace }).catch(() => undefined)) as Json | undefined;
    const output = field(workspace, 'status', 'atProvider', 'outputs', 'cluster_endpoint');
    if (typeof output === 'string' && output !== '') {
      const endpoint = { host: output, port: 443 };
      const updated = { ...controlPlane, spec: { ...(controlPlane['spec'] as Json), controlPlaneEndpoint: endpoint } };
      try {
        await this.api.replaceNamespacedCustomObject({ ...CONTROL_PLANE, namespace, name, body: updated, fieldManager: CAPT_FIELD_MANAGER });
        this.writes++;
      } catch (e) {
        if ((e as { code?: number }).code !== 409) throw e;
        this.conflicts++;
        await this.patchStatus(controlPlane, { type: 'Ready', status: 'False', reason: 'EndpointUpdateFailed', message: 'Failed to update control plane endpoint' });
        return 'Conflict';
      }
      const held = field(cluster, 'spec', 'controlPlaneEndpoint') as Json | undefined;
      const changed = Object.fromEntries(Object.entries(endpoint).filter(([key, value]) => held?.[key] !== value));
      if (cluster !== undefined && Object.keys(changed).length > 0) {
        await this.api.patchNamespacedCustomObject({ ...CLUSTER, namespace, name, body: { spec: { controlPlaneEndpoint: changed } }, fieldManager: CAPT_FIELD_MANAGER }, mergePatch);
        this.writes++;
      }
    }
    await this.patchStatus(controlPlane, { type: 'Ready', status: 'True', reason: 'Ready', message: 'Control plane is ready' }, { ready: true, initialized: true });
    return 'Ready';
  }

  /** CAPT's deletion done: its finalizer removed, so the server deletes the control plane. */
  async finishDeletion(): Promise<void> {
    await this.api.patchNamespacedCustomObject(
      { ...CONTROL_PLANE, namespace: this.names.namespace, name: this.names.name, body: { metadata: { finalizers: null } }, fieldManager: CAPT_FIELD_MANAGER },
      mergePatch,
    );
  }

  /** meta.SetStatusCondition on CAPT's copy, sent whole: a condition written since the copy was read is dropped. */
  private async patchStatus(controlPlane: Json, condition: Json, fields: Json = {}): Promise<void> {
    const held = (field(controlPlane, 'status', 'conditions') as Json[] | undefined) ?? [];
    const at = held.findIndex((c) => c['type'] === condition['type']);
    const previous = held[at];
    const lastTransitionTime = previous !== undefined && previous['status'] === condition['status'] ? previous['lastTransitionTime'] : readyCondition('True', 'x').lastTransitionTime;
    const set = { ...condition, lastTransitionTime };
    const conditions = at === -1 ? [...held, set] : held.map((c, i) => (i === at ? set : c));
    await this.api.patchNamespacedCustomObjectStatus(
      { ...CONTROL_PLANE, namespace: this.names.namespace, name: this.names.name, body: { status: { ...fields, conditions } }, fieldManager: CAPT_FIELD_MANAGER },
      mergePatch,
    );
    this.writes++;
  }
}
