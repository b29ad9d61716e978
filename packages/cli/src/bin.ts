#!/usr/bin/env node
/**
 * The `capt-endpoint` executable: `main` with the process's streams and environment. SIGINT and
 * SIGTERM abort the signal `run` watches (a second one exits at once).
 */
import { fileURLToPath } from 'node:url';
import { main } from './main';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
}

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  readStdin,
  // In the repository the bin sits in packages/cli/dist: the demo's manifests are three levels up.
  demoManifests: fileURLToPath(new URL('../../../examples/manifests', import.meta.url)),
}).then(
  // Exit once stdout is flushed: an idle keep-alive connection must not hold the process open.
  (code) => process.stdout.write('', () => process.exit(code)),
  () => process.exit(1),
);
