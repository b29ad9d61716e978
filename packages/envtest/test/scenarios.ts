// One scenario table, two backends: each scenario seeds the same objects, takes the same steps
// (reconciles, another writer's patches, deletions) and records what a user of the library
// sees after each step: the outcome, what was written, both endpoints and the EndpointReady
// condition. The fake runs it in memory; the real server through @capt-endpoint/kubernetes.
import * as E from 'fp-ts/lib/Either.js';
import {
  reconcileEndpoint,
  type ClusterClient,
  type KubeObject,
  type MergePatch,
  type ObjectRef,
  type ReconcileOptions,
  type ReconcileTarget,
} from '@capt-endpoint/core';
import { EKS_HOST, EKS_URL, b64, cluster, controlPlane, workspace, workspaceApply } from '../../core/test/fixtures';

export const NAMESPACE = 'team-a';

export type Step =
  /**
   * `held: 'stale'` reconciles with the control plane as read before another writer changed it
   * (its resourceVersion out of date), as a controller's cache may hold it.
   */
  | { readonly do: 'reconcile'; readonly options?: ReconcileOptions; readonly held?: 'stale' }
  /** Another writer's merge patch (CAPT's controller is field manager `manager`). */
  | { readonly do: 'write'; readonly ref: ObjectRef; readonly patch: MergePatch; readonly status?: boolean; readonly fieldManager: string }
  | { readonly do: 'delete'; readonly ref: ObjectRef };

export interface Scenario {
  readonly name: string;
  /** The suite on the fake it was taken from. */
  readonly from: 'reconcile' | 'deletion' | 'crds' | 'capt' | 'wire';
  /** Which Cluster API versions the server serves; both by default. */
  readonly clusterApi?: 'servedBoth' | 'v1beta2Only';
  readonly objects: readonly KubeObject[];
  readonly steps: readonly Step[];
}

/** What one step left behind, as a user of the library sees it. */
export interface Observation {
  readonly step: string;
  readonly outcome: string;
  /** The other writer a drift, repair or contest names: its field manager and operation. */
  readonly writer: string | undefined;
  readonly updated: readonly string[] | undefined;
  readonly writes: readonly string[];
  readonly controlPlaneEndpoint: unknown;
  readonly clusterEndpoint: unknown;
  readonly condition: { readonly status: unknown; readonly reason: unknown; readonly observedGeneration: unknown } | undefined;
}

/** Every backend seeds under this field manager, so a seeded value has the same writer on both. */
export const SEED_MANAGER = 'seed';

/**
 * What a backend offers the runner. Refs and objects come in the scenario's namespace
 * (`team-a`); a backend may keep them elsewhere (a namespace of its own on a shared server) as
 * long as it answers for them.
 */
export interface Backend {
  /** Stores the objects as they are (status included) and returns the client to reconcile through. */
  readonly seed: (objects: readonly KubeObject[]) => Promise<ClusterClient>;
  /** The namespace the control plane is reconciled in. */
  readonly namespace: string;
  readonly write: (step: Extract<Step, { do: 'write' }>) => Promise<void>;
  readonly delete: (ref: ObjectRef) => Promise<void>;
  readonly read: (ref: ObjectRef) => Promise<KubeObject | undefined>;
}

export const CP: ObjectRef = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: NAMESPACE, name: 'demo-cp' };
export const CLUSTER: ObjectRef = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: NAMESPACE, name: 'demo' };
const SECRET = 'demo-eks-connection';
const EKS = { host: EKS_HOST, port: 443 };
const NOW = () => new Date('2026-11-26T12:00:00Z');

const secretWith = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: SECRET, namespace: NAMESPACE },
  type: 'connection.crossplane.io/v1alpha1',
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

const reconcile = (options: ReconcileOptions = {}): Step => ({ do: 'reconcile', options });
const withFinalizer = (object: KubeObject): KubeObject => ({ ...object, metadata: { ...object.metadata, finalizers: ['controlplane.cluster.x-k8s.io/captcontrolplane'] } });

export const scenarios: readonly Scenario[] = [
  {
    name: 'first set from the outputs, then a steady state that writes nothing',
    from: 'reconcile',
    objects: [controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })],
    steps: [reconcile(), reconcile()],
  },
  {
    name: 'first set from the connection Secret (cluster-scoped Workspace)',
    from: 'reconcile',
    objects: [
      controlPlane(),
      cluster(),
      workspaceApply('demo-eks'),
      workspace({ secretRef: { name: SECRET, namespace: NAMESPACE } }),
      secretWith({ cluster_endpoint: `${EKS_URL}:443` }),
    ],
    steps: [reconcile(), reconcile()],
  },
  {
    name: 'first set from the connection Secret (namespaced Workspace)',
    from: 'reconcile',
    objects: [
      controlPlane(),
      cluster(),
      workspaceApply('demo-eks'),
      workspace({ namespaced: true, secretRef: { name: SECRET } }),
      secretWith({ cluster_endpoint: EKS_URL }),
    ],
    steps: [reconcile({ workspaceApiVersion: 'tf.m.upbound.io/v1beta1' })],
  },
  {
    name: 'waiting for Terraform: no Workspace named yet, then no endpoint yet, then the outputs',
    from: 'reconcile',
    objects: [controlPlane(), cluster(), workspaceApply(), workspace()],
    steps: [
      reconcile(),
      { do: 'write', ref: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'WorkspaceTemplateApply', namespace: NAMESPACE, name: 'demo-eks-apply' }, patch: { status: { workspaceName: 'demo-eks' } }, status: true, fieldManager: 'manager' },
      reconcile(),
      { do: 'write', ref: { apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace', name: 'demo-eks' }, patch: { status: { atProvider: { outputs: { cluster_endpoint: EKS_URL } } } }, status: true, fieldManager: 'provider-terraform' },
      reconcile(),
    ],
  },
  {
    name: 'a Secret the Workspace names is not there yet',
    from: 'reconcile',
    objects: [controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ secretRef: { name: SECRET, namespace: NAMESPACE } })],
    steps: [reconcile()],
  },
  {
    name: 'a connection Secret in another namespace is refused without a request',
    from: 'reconcile',
    objects: [controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ secretRef: { name: SECRET, namespace: 'kube-system' } })],
    steps: [reconcile()],
  },
  {
    name: 'an endpoint already set elsewhere is drift: reported, not moved',
    from: 'reconcile',
    objects: [controlPlane({ endpoint: { host: 'old.example.com', port: 6443 } }), cluster({ host: 'old.example.com', port: 6443 }), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })],
    steps: [reconcile(), reconcile()],
  },
  {
    name: "CAPT's URL-as-host write is repaired on both objects",
    from: 'capt',
    objects: [controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })],
    steps: [
      reconcile(),
      { do: 'write', ref: CP, patch: { spec: { controlPlaneEndpoint: { host: EKS_URL, port: 443 } } }, fieldManager: 'manager' },
      { do: 'write', ref: CLUSTER, patch: { spec: { controlPlaneEndpoint: { host: EKS_URL, port: 443 } } }, fieldManager: 'manager' },
      reconcile(),
      reconcile(),
    ],
  },
  {
    name: 'the owner Cluster is missing: the control plane alone is set',
    from: 'reconcile',
    objects: [controlPlane(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })],
    steps: [reconcile()],
  },
  {
    name: 'a Cluster written at v1beta2 is reached through a v1beta1 owner reference',
    from: 'crds',
    objects: [controlPlane(), cluster(undefined, 'cluster.x-k8s.io/v1beta2'), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })],
    steps: [reconcile(), reconcile()],
  },
  {
    name: 'a control plane deleted on its own: the Cluster is cleared once',
    from: 'deletion',
    objects: [withFinalizer(controlPlane({ endpoint: EKS })), cluster(EKS), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })],
    steps: [{ do: 'delete', ref: CP }, reconcile(), reconcile()],
  },
  {
    name: 'an endpoint another manager wrote first is drift naming that manager',
    from: 'capt',
    objects: [controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })],
    steps: [
      { do: 'write', ref: CP, patch: { spec: { controlPlaneEndpoint: { host: 'old.example.com', port: 6443 } } }, fieldManager: 'manager' },
      reconcile(),
    ],
  },
  {
    name: 'a held control plane gone stale: the conflict is read again and retried',
    from: 'wire',
    objects: [controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })],
    steps: [{ do: 'reconcile', held: 'stale' }, reconcile()],
  },
  {
    name: 'Cluster API 1.16: the owner reference names v1beta1, which is no longer served',
    from: 'crds',
    clusterApi: 'v1beta2Only',
    objects: [controlPlane(), cluster(undefined, 'cluster.x-k8s.io/v1beta2'), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: EKS_URL } })],
    steps: [reconcile(), reconcile()],
  },
  {
    name: 'no control plane at all',
    from: 'reconcile',
    objects: [cluster()],
    steps: [reconcile()],
  },
  {
    name: 'an output that is not an endpoint is a value error in the condition, and nothing is written to the spec',
    from: 'wire',
    objects: [controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: 'https://user:pw@example.com/path' } })],
    steps: [reconcile()],
  },
];

const conditionOf = (object: KubeObject | undefined): Observation['condition'] => {
  const conditions = (object?.['status'] as { conditions?: Array<Record<string, unknown>> } | undefined)?.conditions ?? [];
  const c = conditions.find((x) => x['type'] === 'EndpointReady');
  return c === undefined ? undefined : { status: c['status'], reason: c['reason'], observedGeneration: c['observedGeneration'] };
};

const endpointOf = (object: KubeObject | undefined): unknown => (object?.['spec'] as Record<string, unknown> | undefined)?.['controlPlaneEndpoint'];

/** A client that records the writes made through it, for both backends alike. */
const recording = (client: ClusterClient, writes: string[]): ClusterClient => ({
  get: (ref, options) => client.get(ref, options),
  patch: (ref, patch, options) => {
    writes.push(`patch ${ref.kind}`);
    return client.patch(ref, patch, options);
  },
  patchStatus: (ref, patch, options) => {
    writes.push(`patchStatus ${ref.kind}`);
    return client.patchStatus(ref, patch, options);
  },
});

/** Runs a scenario on a backend and returns one observation per step. */
export const runScenario = async (scenario: Scenario, backend: Backend): Promise<Observation[]> => {
  const client = await backend.seed(scenario.objects);
  const observations: Observation[] = [];
  for (const [index, step] of scenario.steps.entries()) {
    const writes: string[] = [];
    let outcome = '-';
    let updated: readonly string[] | undefined;
    let writer: string | undefined;
    if (step.do === 'reconcile') {
      let target: ReconcileTarget = { namespace: backend.namespace, name: CP.name };
      if (step.held === 'stale') {
        const held = await backend.read(CP);
        if (held === undefined) throw new Error('a stale hold needs a control plane');
        await backend.write({ do: 'write', ref: CP, patch: { metadata: { labels: { touched: 'by-another-writer' } } }, fieldManager: 'someone-else' });
        target = { controlPlane: held };
      }
      const result = await reconcileEndpoint(recording(client, writes), target, { now: NOW, ...step.options })();
      if (E.isLeft(result)) {
        const error = result.left as { _tag: string; kind?: string };
        outcome = `Left ${error._tag}${error.kind ? ` ${error.kind}` : ''}`;
      } else {
        outcome = result.right._tag;
        updated = result.right.updated;
        const named = result.right.repair?.writer ?? result.right.drift?.writer ?? result.right.contest?.writer;
        writer = named === undefined ? undefined : `${named.manager} ${named.operation}`;
      }
    } else if (step.do === 'write') {
      await backend.write(step);
    } else {
      await backend.delete(step.ref);
    }
    const cp = await backend.read(CP);
    const clusterRef = scenario.clusterApi === 'v1beta2Only' ? { ...CLUSTER, apiVersion: 'cluster.x-k8s.io/v1beta2' } : CLUSTER;
    observations.push({
      step: `${index + 1} ${step.do}`,
      outcome,
      writer,
      updated,
      writes,
      controlPlaneEndpoint: endpointOf(cp),
      clusterEndpoint: endpointOf(await backend.read(clusterRef)),
      condition: conditionOf(cp),
    });
  }
  return observations;
};
