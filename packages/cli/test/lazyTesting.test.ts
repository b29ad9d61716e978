// The command depends on @capt-endpoint/testing only for explain and demo, which run on its
// in-memory cluster: loading the package (and running reconcile or run) does not load it.
import { join } from 'node:path';
import { REPO } from './helpers';

describe('@capt-endpoint/testing is loaded only by explain and demo', () => {
  it('is not loaded with the command, nor by run; explain loads it on first use', async () => {
    let loads = 0;
    jest.doMock('@capt-endpoint/testing', () => {
      loads++;
      return jest.requireActual('@capt-endpoint/testing');
    });
    await jest.isolateModulesAsync(async () => {
      const { main } = await import('../src');
      expect(loads).toBe(0);
      const quiet = { write: () => true };
      // run with a kubeconfig that does not exist: it gets as far as loading it, and fails there.
      expect(await main(['run', '--kubeconfig', '/no/such/kubeconfig'], { env: {}, stdout: quiet, stderr: quiet })).toBe(1);
      expect(loads).toBe(0);
      const code = await main(['explain', '-f', join(REPO, 'examples', 'manifests')], { env: {}, cwd: REPO, stdout: quiet, stderr: quiet });
      expect(code).toBe(2);
      expect(loads).toBe(1);
    });
    jest.dontMock('@capt-endpoint/testing');
  });
});
