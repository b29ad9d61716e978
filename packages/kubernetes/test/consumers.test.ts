// The built package (dist/, from `npm test`'s build step) in a real Node process, imported as
// ESM and required as CommonJS, each making one GET against the fake API server.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cpRef, wirePerTest } from './harness';

const run = promisify(execFile);
const packageDir = join(__dirname, '..');
const current = wirePerTest();

beforeAll(async () => {
  // `npm test` builds first; when jest runs alone, build the package here.
  if (!existsSync(join(packageDir, 'dist', 'index.js')) || !existsSync(join(packageDir, 'dist', 'index.cjs')))
    await run('npx', ['tsup'], { cwd: packageDir });
}, 120_000);

it.each(['consumer.mjs', 'consumer.cjs'])('%s loads the built package and reads through it', async (script) => {
  const { server } = current();
  const { stdout } = await run(process.execPath, [join(__dirname, 'consumers', script)], {
    env: { ...process.env, KUBECONFIG_YAML: server.kubeConfigYaml(), REF: JSON.stringify(cpRef) },
  });
  expect(JSON.parse(stdout)).toEqual({ name: cpRef.name });
  expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/clusters/captcontrolplanes/eks-a`]);
});
