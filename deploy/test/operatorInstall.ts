// deploy/ on a real kube-apiserver as an operator installs it: the RBAC objects applied as
// written and a token for the controller's ServiceAccount from the TokenRequest API, on a server
// that keeps an audit log. Shared by the real-server tests and `npm run bench`'s real-server
// section (which is bundled as ESM: nothing here may rely on __dirname, so folders are given).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, loadAllYaml, type KubeConfig } from '@kubernetes/client-node';
import { METADATA_AUDIT_POLICY, envtestCrds, readAuditLog, startEnvtest, type AuditEvent, type Envtest } from '@capt-endpoint/envtest';

export const CONTROLLER_NAMESPACE = 'capt-endpoint-system';
export const SERVICE_ACCOUNT = 'capt-endpoint';
export const CONTROLLER_USER = `system:serviceaccount:${CONTROLLER_NAMESPACE}:${SERVICE_ACCOUNT}`;

/** A server of the caller's own with the audit log on; `apiServerArgs` add to it. */
export const startAuditedEnvtest = (apiServerArgs: readonly string[] = []): Promise<Envtest> =>
  startEnvtest({ crds: envtestCrds('servedBoth'), auditPolicy: METADATA_AUDIT_POLICY, apiServerArgs });

/** The audit log's requests from byte `from` on (all by default). */
export const readAudit = (env: Envtest, from = 0): AuditEvent[] => {
  if (env.auditLogPath === undefined) throw new Error('this server keeps no audit log: start it with startAuditedEnvtest');
  return readAuditLog(env.auditLogPath, from);
};

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

/** Every document of every YAML file in `dir` (a kustomization's folder, the kustomization left out), with the file it came from. */
export const manifestsIn = (dir: string): Array<{ readonly file: string; readonly object: Manifest }> =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .flatMap((file) => (loadAllYaml(readFileSync(join(dir, file), 'utf8')) as Manifest[]).map((object) => ({ file, object })));

const APPLY_ORDER = ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'FlowSchema'];

/** The objects of `dir` (deploy/kubernetes) but the Deployment (no kubelet runs here): RBAC and the FlowSchema, in the order they can be created. */
export const rbacObjectsIn = (dir: string): Manifest[] =>
  manifestsIn(dir)
    .map(({ object }) => object)
    .filter((object) => APPLY_ORDER.includes(object.kind))
    .sort((a, b) => APPLY_ORDER.indexOf(a.kind) - APPLY_ORDER.indexOf(b.kind));

/** Creates `objects` on the server, in order, as `kubectl apply` would for new objects. */
export const applyObjects = async (kubeConfig: KubeConfig, objects: readonly Manifest[]): Promise<void> => {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const object of objects) await client.create(object);
};

/** A token for a ServiceAccount from the TokenRequest API, as the kubelet mounts one into a Pod. */
export const serviceAccountToken = async (kubeConfig: KubeConfig, namespace = CONTROLLER_NAMESPACE, name = SERVICE_ACCOUNT): Promise<string> => {
  const answer = await kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = answer.status?.token;
  if (token === undefined) throw new Error('the TokenRequest answered no token');
  return token;
};
