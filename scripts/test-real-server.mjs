#!/usr/bin/env node
// The real-server tests (*.real.test.ts): finds or builds kube-apiserver and etcd
// (scripts/envtest-assets.mjs), runs those tests under jest with one server for all, then checks
// that no etcd or kube-apiserver started by the run is still alive.
//
// With neither KUBEBUILDER_ASSETS nor Go, it says once that they were skipped and how to enable
// them, and passes; under CI (CI set) that is a failure instead. Extra arguments go to jest.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`real server: ${line}\n`);

const assets = spawnSync(process.execPath, [join(root, 'scripts', 'envtest-assets.mjs'), '--json'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (assets.status === 3) {
  if (process.env.CI) {
    say('the real-server tests cannot run here (no KUBEBUILDER_ASSETS and no Go), and CI does not skip them');
    process.exit(1);
  }
  say('SKIPPED the real-server tests: set KUBEBUILDER_ASSETS (setup-envtest) or install Go 1.26 to run them');
  process.exit(0);
}
if (assets.status !== 0) {
  say('the assets could not be built (go\'s error is above)');
  process.exit(1);
}
const found = JSON.parse(assets.stdout.trim().split('\n').pop());
say(`kube-apiserver and etcd from ${found.dir} (${found.source}${found.seconds ? `, built in ${found.seconds} s` : ''})`);

// Every program this run starts inherits this mark in its environment (the harness's
// supervisors pass the environment on), so the check below finds exactly this run's programs,
// whatever else runs on the machine.
const runMark = `CAPT_ENVTEST_RUN=${process.pid}-${Date.now()}`;

/** This run's programs still alive: processes whose environment carries the run's mark. */
const programsOfThisRun = () => {
  const alive = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(join('/proc', pid, 'environ'), 'utf8').split('\0').includes(runMark)) continue;
      const exe = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').split('\0')[0];
      if (exe.startsWith(`${found.dir}/`)) alive.push({ pid: Number(pid), exe });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return alive;
};

const jest = spawn(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CAPT_REAL_SERVER: '1', KUBEBUILDER_ASSETS: found.dir, CAPT_ENVTEST_RUN: runMark.slice(runMark.indexOf('=') + 1) },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => jest.kill(signal));
jest.on('close', async (code, signal) => {
  let leftover = [];
  if (process.platform === 'linux') {
    // Supervisors end their program within the grace period after their pipe closes.
    for (let i = 0; i < 50; i++) {
      leftover = programsOfThisRun();
      if (leftover.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (leftover.length > 0) {
    say(`${leftover.length} program(s) outlived the run: ${leftover.map((p) => `${p.exe} (pid ${p.pid})`).join(', ')}`);
    for (const p of leftover) process.kill(p.pid, 'SIGKILL');
    process.exit(1);
  }
  say('no etcd or kube-apiserver outlived the run');
  process.exit(code ?? (signal ? 1 : 0));
});
