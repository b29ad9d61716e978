#!/usr/bin/env node
// Finds or builds the real server's test assets: a folder holding `kube-apiserver` and `etcd`,
// controller-runtime's KUBEBUILDER_ASSETS convention.
//
//   1. KUBEBUILDER_ASSETS, when it names a folder holding both programs (setup-envtest's binaries:
//      no Go needed);
//   2. otherwise the build of tools/envtest (pins only: k8s.io/kubernetes and etcd's server
//      module) from the Go module proxy, cached outside the work tree under a key made of the
//      pins, the Go version and the build flags, so it is reused while they are unchanged.
//
// Prints the folder on the last line of stdout. Exit 0 with the folder; 3 when there is neither
// KUBEBUILDER_ASSETS nor Go (the caller decides whether that is a skip or a failure); 1 when a
// build failed, with go's own error on stderr; 4 with --no-build when nothing is built yet.
//
//   node scripts/envtest-assets.mjs [--json] [--no-build]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const moduleDir = join(root, 'tools', 'envtest');
const programs = ['kube-apiserver', 'etcd'];

/** What each program is built from, and the version stamp that makes `/version` say v1.37.2. */
const versionPackage = 'k8s.io/component-base/version';
const builds = (kubernetesVersion) => {
  const [, major, minor] = /^v(\d+)\.(\d+)\./.exec(kubernetesVersion) ?? [];
  const stamp = [
    `-X ${versionPackage}.gitVersion=${kubernetesVersion}`,
    `-X ${versionPackage}.gitMajor=${major}`,
    `-X ${versionPackage}.gitMinor=${minor}`,
    `-X ${versionPackage}.gitTreeState=clean`,
  ].join(' ');
  return [
    { name: 'kube-apiserver', pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', ldflags: `-s -w ${stamp}` },
    { name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', ldflags: '-s -w' },
  ];
};

const isAssetsDir = (dir) =>
  programs.every((p) => {
    try {
      return statSync(join(dir, p)).isFile();
    } catch {
      return false;
    }
  });

const pinnedKubernetes = () => {
  const mod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const found = /^\s*k8s\.io\/kubernetes\s+(v\S+)/m.exec(mod);
  if (!found) throw new Error(`tools/envtest/go.mod pins no k8s.io/kubernetes version`);
  return found[1];
};

const goVersion = () => {
  const r = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

const cacheRoot = () =>
  process.env.CAPT_ENVTEST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'capt-endpoint', 'envtest');

const cacheKey = (go, plan) => {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(join(moduleDir, file)));
  hash.update(go);
  hash.update(process.platform + process.arch);
  hash.update(JSON.stringify(plan));
  return hash.digest('hex').slice(0, 16);
};

const run = (args, cwd) =>
  new Promise((done) => {
    const child = spawn('go', args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    const forward = (signal) => child.kill(signal);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      done(code === 0 ? undefined : `go ${args.join(' ')} ended with ${signal ?? `exit status ${code}`}`);
    });
  });

const say = (line) => process.stderr.write(`envtest assets: ${line}\n`);

const main = async () => {
  const json = process.argv.includes('--json');
  const answer = (dir, source, extra = {}) => {
    process.stdout.write(json ? `${JSON.stringify({ dir, source, ...extra })}\n` : `${dir}\n`);
  };

  const given = process.env.KUBEBUILDER_ASSETS;
  if (given) {
    if (isAssetsDir(given)) return answer(resolve(given), 'KUBEBUILDER_ASSETS');
    say(`KUBEBUILDER_ASSETS=${given} does not hold both ${programs.join(' and ')}; building from Go modules instead`);
  }

  const go = goVersion();
  if (go === undefined) {
    say('neither KUBEBUILDER_ASSETS nor Go is available: set KUBEBUILDER_ASSETS to a folder with kube-apiserver and etcd (setup-envtest use -p path), or install Go 1.26');
    process.exitCode = 3;
    return;
  }

  const kubernetesVersion = pinnedKubernetes();
  const plan = builds(kubernetesVersion);
  const dir = join(cacheRoot(), `${kubernetesVersion}-${cacheKey(go, plan)}`);
  if (isAssetsDir(dir)) return answer(dir, 'cache', { kubernetesVersion });
  if (process.argv.includes('--no-build')) {
    say(`not built yet (${dir}): run \`npm run envtest:assets\``);
    process.exitCode = 4;
    return;
  }

  say(`building kube-apiserver ${kubernetesVersion} and etcd with ${go} into ${dir} (cold: several minutes)`);
  const started = Date.now();
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const b of plan) {
    const t = Date.now();
    const failure = await run(['build', '-trimpath', '-ldflags', b.ldflags, '-o', join(staging, b.name), b.pkg], moduleDir);
    if (failure !== undefined) {
      rmSync(staging, { recursive: true, force: true });
      say(failure);
      process.exitCode = 1;
      return;
    }
    say(`built ${b.name} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  // A finished folder appears whole or not at all, so a build cut short is never reused.
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`assets ready in ${seconds} s`);
  answer(dir, 'built', { kubernetesVersion, seconds: Number(seconds) });
};

if (!existsSync(moduleDir)) {
  say(`missing ${moduleDir}`);
  process.exitCode = 1;
} else {
  await main();
}
