// The built executable, spawned as a user would run it. `npm test` builds it first; run alone,
// this test builds the bin itself when it is missing.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, startHostileApiServer } from '@capt-endpoint/testing';
import { eventually, initialObjects, jsonLines, manifest, REPO } from './helpers';

const BIN = join(REPO, 'packages', 'cli', 'dist', 'bin.js');

beforeAll(() => {
  if (!existsSync(BIN)) execFileSync('npm', ['run', 'build:bin', '--silent', '-w', '@capt-endpoint/cli'], { cwd: REPO, stdio: 'ignore' });
});

const spawnBin = (args: string[], env: Record<string, string> = {}, cwd = REPO, bin = BIN) => {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out, exited };
};

describe('the capt-endpoint executable', () => {
  it('plays the demo as JSON lines and exits 0, from manifests built into it, anywhere', async () => {
    // A working directory with no examples/manifests: the built executable carries its own.
    const { out, exited } = spawnBin(['demo', '--json'], {}, mkdtempSync(join(tmpdir(), 'capt-bin-')));
    expect(await exited).toBe(0);
    expect(jsonLines(out.stdout).map((s) => s['result'])).toEqual(['Waiting', 'Updated', 'UpToDate', 'Drift', 'CleanedUp']);
  });

  it("runs through the entry npm links (bin/capt-endpoint.js, kept in git so it exists at install time)", async () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'packages', 'cli', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(manifest.bin['capt-endpoint']).toBe('./bin/capt-endpoint.js');
    const { out, exited } = spawnBin(['--version'], {}, REPO, join(REPO, 'packages', 'cli', 'bin', 'capt-endpoint.js'));
    expect(await exited).toBe(0);
    expect(out.stdout).toMatch(/^capt-endpoint \d+\.\d+\.\d+\n$/);
    // npm linked it when the repository was installed, so `npx capt-endpoint` finds it.
    expect(existsSync(join(REPO, 'node_modules', '.bin', 'capt-endpoint'))).toBe(true);
  });

  it('run with no kubeconfig anywhere exits 1 at once with one line (before, it retried forever)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'capt-home-'));
    const { child, out, exited } = spawnBin(['run', '--health-probe-bind-address', '127.0.0.1:0', '--metrics-bind-address', '0'], { HOME: home });
    // Before, it retried forever: end it so that a failure here leaves no process behind.
    const stop = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(stop);
    expect(code).toBe(1);
    expect(out.stderr).toMatch(/^capt-endpoint: kubeconfig \(default\): no kubeconfig was found [^\n]*\n$/);
    expect(out.stdout).toBe('');
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

  it('serves metrics over HTTPS by default, from the bundled executable (its certificate library loads)', async () => {
    const server = await startFakeApiServer({ objects: initialObjects() });
    try {
      const kubeconfig = join(mkdtempSync(join(tmpdir(), 'capt-bin-')), 'kubeconfig');
      writeFileSync(kubeconfig, server.kubeConfigYaml('team-a'));
      const { child, out, exited } = spawnBin(['run', '--kubeconfig', kubeconfig, '--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '0']);
      const serving = () => jsonLines(out.stdout).find((l) => l['msg'] === 'serving metrics');
      await eventually(() => serving() !== undefined || out.stderr !== '');
      expect(out.stderr).toBe('');
      const port = Number(String(serving()?.['address']).split(':').at(-1));
      // No token: 401 from the secure endpoint, over TLS (plain HTTP is not served there).
      const status = await new Promise<number>((resolve, reject) =>
        httpsGet({ host: '127.0.0.1', port, path: '/metrics', rejectUnauthorized: false }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        }).on('error', reject),
      );
      expect(status).toBe(401);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out.stderr).toBe('');
    } finally {
      await server.close();
    }
  });

  /** Resolves to the exit code, or to 'still running' if the process has not exited `ms` after the call. */
  const exitWithin = (exited: Promise<number | null>, ms: number): Promise<number | null | 'still running'> =>
    Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms).unref())]);

  const kubeconfigFor = (yaml: string): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'capt-bin-')), 'kubeconfig');
    writeFileSync(file, yaml);
    return file;
  };

  it('a one-shot reconcile ends within 5 s of SIGTERM while its request waits for headers, with its report and no stack', async () => {
    const server = await startHostileApiServer({ get: 'noHeaders', maxStreamMs: 30_000 });
    try {
      const { child, out, exited } = spawnBin(['reconcile', '--kubeconfig', kubeconfigFor(server.kubeConfigYaml()), '-n', 'team-a', 'demo-cp', '-o', 'json']);
      await eventually(() => server.counts.other > 0);
      child.kill('SIGTERM');
      expect(await exitWithin(exited, 5_000)).not.toBe('still running');
      expect(out.stderr).toBe('');
      expect(JSON.parse(out.stdout)).toMatchObject({ result: 'Error', error: { reason: 'ApiTimeout' } });
    } finally {
      await server.close();
    }
  });

  it('explain ends within 5 s of SIGTERM while it waits for standard input, with one line', async () => {
    const { child, out, exited } = spawnBin(['explain', '-f', '-']);
    // Time to start and wait on standard input (nothing to observe from outside).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    child.kill('SIGTERM');
    expect(await exitWithin(exited, 5_000)).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    child.stdin.destroy();
  });

  it('run ends within 5 s of SIGTERM while its watches wait for headers', async () => {
    const server = await startHostileApiServer({ watch: 'noHeaders', maxStreamMs: 120_000 });
    try {
      const { child, out, exited } = spawnBin(['run', '--kubeconfig', kubeconfigFor(server.kubeConfigYaml())]);
      // Starting and listing can take long on a loaded machine; the 5 s are counted from the signal.
      await eventually(() => server.counts.watches === 4, 30_000);
      child.kill('SIGTERM');
      expect(await exitWithin(exited, 5_000)).toBe(0);
      expect(out.stderr).toBe('');
      expect(jsonLines(out.stdout).at(-1)).toMatchObject({ msg: 'stopped' });
    } finally {
      await server.close();
    }
  });

  it('run | head -2: stops quietly when its reader is gone, no EPIPE, no stack', async () => {
    const server = await startFakeApiServer({ objects: initialObjects() });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'capt-bin-'));
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, server.kubeConfigYaml('team-a'));
      const script = `(${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run --kubeconfig ${JSON.stringify(kubeconfig)} 2>${JSON.stringify(join(dir, 'stderr'))}; echo $? >${JSON.stringify(join(dir, 'code'))}) | head -2`;
      const shell = spawn('sh', ['-c', script], { cwd: REPO, env: { PATH: process.env['PATH'] ?? '' } });
      let shown = '';
      shell.stdout.on('data', (chunk: Buffer) => (shown += chunk.toString()));
      const done = new Promise<number | null>((resolve) => shell.on('close', resolve));
      await eventually(() => shown.split('\n').length > 2);
      // More to log once head has gone: each change is a reconcile and a line.
      manifest('later/workspace-applied.yaml').forEach((object) => server.store.put(object));
      expect(await exitWithin(done, 10_000)).toBe(0);
      expect(readFileSync(join(dir, 'stderr'), 'utf8')).toBe('');
      expect(readFileSync(join(dir, 'code'), 'utf8').trim()).toBe('0');
    } finally {
      await server.close();
    }
  });
});
