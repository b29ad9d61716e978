// Starts one real etcd and kube-apiserver for every real-server test file, with the five kinds'
// CRDs (Cluster served at both versions, conversion None), and hands the admin kubeconfig to the
// test workers through the environment. Each test works in a namespace of its own.
import { envtestCrds, startEnvtest, type Envtest } from '../src';

declare global {
  var __captEnvtest: Envtest | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = performance.now();
  const env = await startEnvtest({ crds: envtestCrds('servedBoth') });
  globalThis.__captEnvtest = env;
  process.env['CAPT_ENVTEST_KUBECONFIG'] = env.kubeconfigPath;
  process.stderr.write(`\nreal server: kube-apiserver at ${env.server}, ready with CRDs in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
