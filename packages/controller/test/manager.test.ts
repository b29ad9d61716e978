// startManager's refusals, made before anything starts.
import { KubeConfig } from '@kubernetes/client-node';
import * as E from 'fp-ts/lib/Either.js';
import { jsonLogger, startManager } from '../src';

describe('the manager without a kubeconfig', () => {
  it("refuses to start on client-node's stand-in for none (http://localhost:8080): nothing retries forever", async () => {
    const kubeConfig = new KubeConfig();
    // What loadFromDefault() loads when it finds no KUBECONFIG, no ~/.kube/config and no service account.
    kubeConfig.loadFromClusterAndUser({ name: 'cluster', server: 'http://localhost:8080', skipTLSVerify: false }, { name: 'user' });
    const started = await startManager({ kubeConfig, logger: jsonLogger({ write: () => undefined }), leaderElection: false, healthAddress: { host: '127.0.0.1', port: 0 } });
    if (E.isRight(started)) {
      await started.right.stop();
      throw new Error('expected the manager to refuse the kubeconfig');
    }
    expect(started.left).toEqual({ _tag: 'KubeConfigUnusable', message: expect.stringMatching(/^no kubeconfig was found/) });
  });
});
