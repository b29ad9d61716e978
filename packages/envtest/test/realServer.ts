// Shared by the real-server tests: the admin kubeconfig of the server globalSetup started, and a
// fresh namespace for each test (namespaces are never reused: with no namespace controller
// running, a deleted namespace stays Terminating).
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';

export const sharedKubeConfig = (): KubeConfig => {
  const path = process.env['CAPT_ENVTEST_KUBECONFIG'];
  if (path === undefined) throw new Error('CAPT_ENVTEST_KUBECONFIG is not set: run the real-server tests with `npm run test:real`');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  return kubeConfig;
};

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export const freshNamespace = async (kubeConfig: KubeConfig, prefix = 'test'): Promise<string> => {
  const name = uniqueName(prefix);
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
};
