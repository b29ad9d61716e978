/**
 * The five kinds' CustomResourceDefinitions ready for a kube-apiserver that runs without Cluster
 * API's conversion webhook: the schemas of @capt-endpoint/testing's fixtures, with conversion
 * `None`.
 *
 * - `servedBoth` (the default) serves Cluster at v1beta1 and v1beta2 as Cluster API 1.11 to 1.15
 *   do, but under `None` the server only relabels: an unset endpoint stays in the spelling it was
 *   written in (`{host: "", port: 0}` written at v1beta1 reads the same at v1beta2), and fields
 *   that moved between versions are not carried over. Use it for what does not depend on
 *   conversion.
 * - `v1beta2Only` serves Cluster at v1beta2 alone, as Cluster API 1.16 will: nothing to convert,
 *   so what the server answers is exactly what Cluster API would.
 */
import {
  captControlPlaneCrd,
  clusterCrdWith,
  namespacedWorkspaceCrd,
  workspaceCrd,
  workspaceTemplateApplyCrd,
  type CustomResourceDefinition,
} from '@capt-endpoint/testing';

export type ClusterApiServing = 'servedBoth' | 'v1beta2Only';

const withConversionNone = (crd: CustomResourceDefinition): CustomResourceDefinition => ({
  ...crd,
  spec: { ...crd.spec, conversion: { strategy: 'None' } },
});

/** The CRDs of CAPTControlPlane, WorkspaceTemplateApply, Cluster and both Workspace kinds. */
export const envtestCrds = (clusterApi: ClusterApiServing = 'servedBoth'): CustomResourceDefinition[] =>
  [
    captControlPlaneCrd,
    workspaceTemplateApplyCrd,
    clusterCrdWith(clusterApi === 'servedBoth' ? { v1beta1: true, v1beta2: true } : { v1beta1: false, v1beta2: true }),
    workspaceCrd,
    namespacedWorkspaceCrd,
  ].map(withConversionNone);
