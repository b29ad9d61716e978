/**
 * @capt-endpoint/envtest: a real etcd and kube-apiserver for tests, started from
 * `KUBEBUILDER_ASSETS` (setup-envtest's binaries, or `npm run envtest:assets` in this repository).
 */
export { startEnvtest, EnvtestStartFailed, type Envtest, type EnvtestOptions } from './envtest';
export { findAssets, EnvtestAssetsMissing, type EnvtestAssets } from './assets';
export { envtestCrds, type ClusterApiServing } from './crds';
export { METADATA_AUDIT_POLICY, readAuditLog, auditLogSize, auditResource, tallyAudit, AUDIT_WRITE_VERBS, type AuditEvent } from './audit';
