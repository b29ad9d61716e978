// The harness itself, on the real programs: what the server says about itself, the CRDs as
// installed, and that no etcd or kube-apiserver outlives a run, however it ends.
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, VersionApi } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EnvtestStartFailed, envtestCrds, findAssets, startEnvtest } from '../src';
import { freshNamespace, sharedKubeConfig } from './realServer';

/** Processes whose command line mentions `dir` (etcd's data dir, kube-apiserver's cert dir). */
const processesUsing = (dir: string): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);

const eventually = async (check: () => boolean, ms = 5_000): Promise<boolean> => {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
};

describe('the shared real server', () => {
  const kubeConfig = sharedKubeConfig();

  it('is kube-apiserver v1.37.2, as stamped at build time', async () => {
    const version = await kubeConfig.makeApiClient(VersionApi).getCode();
    expect(version).toMatchObject({ gitVersion: 'v1.37.2', major: '1', minor: '37' });
  });

  it('serves the five kinds with conversion None, Cluster at both versions', async () => {
    const crds = await kubeConfig.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    const byName = new Map(crds.items.map((c) => [c.metadata?.name, c]));
    for (const name of ['captcontrolplanes.controlplane.cluster.x-k8s.io', 'workspacetemplateapplies.infrastructure.cluster.x-k8s.io', 'clusters.cluster.x-k8s.io', 'workspaces.tf.upbound.io', 'workspaces.tf.m.upbound.io']) {
      expect(byName.get(name)?.spec.conversion?.strategy).toBe('None');
    }
    expect(byName.get('clusters.cluster.x-k8s.io')?.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([
      ['v1beta1', true, false],
      ['v1beta2', true, true],
    ]);
  });

  it('enforces the CRD schemas: a CAPTControlPlane without its required fields is refused', async () => {
    const namespace = await freshNamespace(kubeConfig, 'schema');
    const api = kubeConfig.makeApiClient(CustomObjectsApi);
    const attempt = api.createNamespacedCustomObject({
      group: 'controlplane.cluster.x-k8s.io',
      version: 'v1beta1',
      namespace,
      plural: 'captcontrolplanes',
      body: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', metadata: { name: 'cp' }, spec: {} },
    });
    await expect(attempt).rejects.toMatchObject({ code: 422 });
  });
});

describe('a server of its own', () => {
  const assets = findAssets();

  it('with Cluster served at v1beta2 only: a v1beta1 read is a 404 for the type; stop() ends both programs within 5 s and removes the folder', async () => {
    const env = await startEnvtest({ crds: envtestCrds('v1beta2Only') });
    const stopped = (async () => {
      const namespace = await freshNamespace(env.kubeConfig, 'served');
      const api = env.kubeConfig.makeApiClient(CustomObjectsApi);
      await expect(api.listNamespacedCustomObject({ group: 'cluster.x-k8s.io', version: 'v1beta1', namespace, plural: 'clusters' })).rejects.toMatchObject({ code: 404 });
      await expect(api.listNamespacedCustomObject({ group: 'cluster.x-k8s.io', version: 'v1beta2', namespace, plural: 'clusters' })).resolves.toMatchObject({ items: [] });
    })();
    try {
      await stopped;
    } finally {
      expect(processesUsing(env.dir).length).toBe(2);
      const started = performance.now();
      await env.stop();
      // The harness's promise: both programs gone within 5 s of stop(), nothing left on disk.
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(processesUsing(env.dir)).toEqual([]);
      expect(existsSync(env.dir)).toBe(false);
    }
  });

  it('survives a kube-apiserver restart on the same etcd: objects are still there', async () => {
    const env = await startEnvtest();
    try {
      const core = () => env.kubeConfig.makeApiClient(CoreV1Api);
      await core().createNamespace({ body: { metadata: { name: 'kept' } } });
      await env.restartApiServer();
      await expect(core().readNamespace({ name: 'kept' })).resolves.toMatchObject({ metadata: { name: 'kept' } });
    } finally {
      await env.stop();
    }
  });

  it('a program that dies at start: EnvtestStartFailed names it and quotes its log; nothing is left running', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'capt-envtest-broken-'));
    try {
      symlinkSync(assets.kubeApiServer, join(broken, 'kube-apiserver'));
      writeFileSync(join(broken, 'etcd'), '#!/bin/sh\necho "etcd: cannot open the data dir" >&2\nexit 3\n');
      chmodSync(join(broken, 'etcd'), 0o755);
      const error = await startEnvtest({ binaryAssetsDirectory: broken }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EnvtestStartFailed);
      expect((error as Error).message).toMatch(/^etcd ended while waiting for etcd/);
      expect((error as Error).message).toContain('etcd: cannot open the data dir');
      expect(processesUsing(broken)).toEqual([]);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('etcd killed under a running server: stop() still ends kube-apiserver and cleans up', async () => {
    const env = await startEnvtest();
    const etcdPid = processesUsing(env.dir).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(assets.etcd));
    expect(etcdPid).toBeDefined();
    expect(env.crashed()).toEqual([]);
    process.kill(etcdPid as number, 'SIGKILL');
    expect(await eventually(() => env.crashed().includes('etcd'))).toBe(true);
    await env.stop();
    expect(processesUsing(env.dir)).toEqual([]);
  });

  // The process that started the server ends without calling stop(): killed outright, or
  // interrupted. Its supervisors see their pipe close and end the programs.
  it.each(['SIGKILL', 'SIGINT'] as const)('the starting process ended by %s: no program outlives it', async (signal) => {
    const built = resolve(__dirname, '..', 'dist', 'index.js');
    const script = `
      const { startEnvtest } = await import(${JSON.stringify(built)});
      const env = await startEnvtest();
      process.stdout.write(env.dir + '\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KUBEBUILDER_ASSETS: assets.dir } });
    const dir = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) done(out.trim());
      });
      child.on('exit', (code) => fail(new Error(`the starting process ended early with ${code}`)));
    });
    expect(processesUsing(dir).length).toBe(2);
    child.kill(signal);
    expect(await eventually(() => processesUsing(dir).length === 0)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('after servers of their own came and went', () => {
  it('the shared server is still up', async () => {
    await expect(sharedKubeConfig().makeApiClient(VersionApi).getCode()).resolves.toMatchObject({ gitVersion: 'v1.37.2' });
  });
});
