// The built executable, spawned as a user would run it. `npm test` builds it first; run alone,
// this test builds the bin itself when it is missing.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer } from '@capt-endpoint/testing';
import { eventually, initialObjects, jsonLines, manifest, REPO } from './helpers';

const BIN = join(REPO, 'packages', 'cli', 'dist', 'bin.js');

beforeAll(() => {
  if (!existsSync(BIN)) execFileSync('npm', ['run', 'build:bin', '--silent', '-w', '@capt-endpoint/cli'], { cwd: REPO, stdio: 'ignore' });
});

const spawnBin = (args: string[], env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { PATH: process.env['PATH'] ?? '', ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out, exited };
};

describe('the capt-endpoint executable', () => {
  it('plays the demo as JSON lines and exits 0', async () => {
    const { out, exited } = spawnBin(['demo', '--json']);
    expect(await exited).toBe(0);
    expect(jsonLines(out.stdout).map((s) => s['result'])).toEqual(['Waiting', 'Updated', 'UpToDate', 'Drift', 'CleanedUp']);
  });

  it('exits 64 with one line and no stack on an unknown flag', async () => {
    const { out, exited } = spawnBin(['explain', '--frobnicate']);
    expect(await exited).toBe(64);
    expect(out.stderr).toBe("capt-endpoint: explain: Unknown option '--frobnicate' (see capt-endpoint explain --help)\n");
  });

  it('runs the controller until SIGTERM, then exits 0 after a clean stop', async () => {
    const server = await startFakeApiServer({ objects: initialObjects() });
    try {
      const kubeconfig = join(mkdtempSync(join(tmpdir(), 'capt-bin-')), 'kubeconfig');
      writeFileSync(kubeconfig, server.kubeConfigYaml('team-a'));
      const { child, out, exited } = spawnBin(['run', '--kubeconfig', kubeconfig]);
      await eventually(() => jsonLines(out.stdout).some((l) => l['result'] === 'Waiting'));
      manifest('later/workspace-applied.yaml').forEach((object) => server.store.put(object));
      await eventually(() => jsonLines(out.stdout).some((l) => l['result'] === 'Updated'));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out.stderr).toBe('');
      expect(jsonLines(out.stdout).at(-1)).toMatchObject({ level: 'info', msg: 'stopped' });
    } finally {
      await server.close();
    }
  });
});
