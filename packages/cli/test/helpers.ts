// Shared by the CLI tests: captured output streams and the repository's example manifests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer } from '@capt-endpoint/testing';
import type { CliIO } from '../src';
import { main } from '../src';
import { initialObjects } from '../../../examples/objects';

export const REPO = join(__dirname, '..', '..', '..');
export { EKS_HOST, MANIFESTS, manifest } from '../../../examples/objects';
export { initialObjects };

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const capture = (isTTY = false) => {
  let text = '';
  return { stream: { isTTY, write: (chunk: string) => (text += chunk) }, text: () => text };
};

/** Runs the CLI in-process. */
export const run = async (argv: readonly string[], io: Partial<CliIO> & { tty?: boolean } = {}): Promise<Captured> => {
  const stdout = capture(io.tty ?? false);
  const stderr = capture();
  const code = await main(argv, { env: {}, cwd: REPO, ...io, stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
};

/** `capt-endpoint run` against a fake API server holding the examples, told to stop before it starts: what it says at start. */
export const runStopped = async (io: Partial<CliIO> = {}): Promise<Captured> => {
  const server = await startFakeApiServer({ objects: initialObjects() });
  try {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'capt-cli-')), 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeConfigYaml('team-a'));
    const stop = new AbortController();
    stop.abort();
    return await run(['run', '--kubeconfig', kubeconfig, '--leader-elect=false'], { ...io, signal: stop.signal });
  } finally {
    await server.close();
  }
};

export const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Resolves once `predicate` holds, checking after each turn of the event loop (fails the test after `ms`). */
export const eventually = async (predicate: () => boolean, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
