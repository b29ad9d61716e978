// Help, usage errors, explain and demo never load @kubernetes/client-node or prom-client: the
// built command runs in a child process with a loader hook that writes down every import of
// either; reconcile and run, which need them, show that the hook sees them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './helpers';

const BIN = join(REPO, 'packages', 'cli', 'dist', 'bin.js');
const HOOKS = join(__dirname, 'fixtures', 'registerLoadHooks.mjs');

let dir: string;
beforeAll(() => {
  if (!existsSync(BIN)) execFileSync('npm', ['run', 'build:bin', '--silent', '-w', '@capt-endpoint/cli'], { cwd: REPO, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'capt-loads-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command with the hook; its exit status and the modules it loaded. */
const loadsOf = (args: readonly string[]): { status: number | null; loaded: string[] } => {
  const file = join(dir, `loads-${args.join('-').replace(/[^a-z0-9-]/gi, '_')}`);
  writeFileSync(file, '');
  const { status } = spawnSync(process.execPath, ['--import', HOOKS, BIN, ...args], {
    cwd: REPO,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, CAPT_LOADS_FILE: file },
    stdio: 'ignore',
    timeout: 60_000,
  });
  return { status, loaded: [...new Set(readFileSync(file, 'utf8').split('\n').filter((line) => line !== ''))].sort() };
};

describe('what the command loads', () => {
  it.each([
    [['--help'], 0],
    [['explain', '--help'], 0],
    [['run', '--no-such-flag'], 64],
    [['explain'], 64],
    [['explain', '-f', 'examples/manifests'], 2],
    [['explain', '-f', 'examples/manifests', '-o', 'yaml'], 2],
    [['demo', '--json'], 0],
  ])('%j loads neither client-node nor prom-client', (args, status) => {
    expect(loadsOf(args)).toEqual({ status, loaded: [] });
  });

  it('reconcile loads client-node, and run loads prom-client too: the hook sees what is loaded', () => {
    const missing = join(dir, 'no-such-kubeconfig');
    expect(loadsOf(['reconcile', '-n', 'team-a', 'demo', '--kubeconfig', missing])).toEqual({ status: 1, loaded: ['@kubernetes/client-node'] });
    expect(loadsOf(['run', '--kubeconfig', missing])).toEqual({ status: 1, loaded: ['@kubernetes/client-node', 'prom-client'] });
  });
});
