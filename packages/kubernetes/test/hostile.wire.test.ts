// The cached and the plain client against API servers gone wrong (the hostile loopback server
// of @capt-endpoint/testing), through the real client-node: every failure is a typed error or
// a retry with backoff told once per step, nothing grows without bound, and stop() ends at once.
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiError } from '@capt-endpoint/core';
import { startHostileApiServer, type HostileApiServer, type HostileServerOptions } from '@capt-endpoint/testing';
import { createCachedKubernetesClient, createKubernetesClient, type CachedKubernetesClient, type CachedKubernetesClientOptions, type Retry } from '../src';
import { cpRef } from './harness';

let server: HostileApiServer | undefined;
let cache: CachedKubernetesClient | undefined;
let told: Array<{ readonly error: ApiError; readonly retry: Retry }>;

const kubeConfigOf = (yaml: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
};

/** A cached client of the control planes only, against a hostile server. */
const startAgainst = async (behaviour: HostileServerOptions, options: CachedKubernetesClientOptions = {}): Promise<CachedKubernetesClient> => {
  server = await startHostileApiServer({ maxStreamMs: 10_000, ...behaviour });
  cache = createCachedKubernetesClient(kubeConfigOf(server.kubeConfigYaml()), {
    kinds: [{ apiVersion: cpRef.apiVersion, kind: cpRef.kind }],
    backoff: { initialMs: 50, maxMs: 400 },
    onError: (error, _kind, retry) => told.push({ error, retry }),
    ...options,
  });
  return cache;
};

beforeEach(() => {
  told = [];
});
afterEach(async () => {
  await cache?.stop();
  cache = undefined;
  await server?.close();
  server = undefined;
});

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const waitFor = async (what: string, condition: () => boolean, ms = 5_000): Promise<void> => {
  for (const end = Date.now() + ms; !condition() && Date.now() < end; ) await pause(10);
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};
/** Resolves to what `promise` gives, or rejects after `ms`. */
const within = <A>(ms: number, promise: Promise<A>): Promise<A> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms).unref())]);

describe('a watch line that never ends', () => {
  it('ends the watch with a TooLarge error naming maxWatchLineBytes, and watches again after a backoff step', async () => {
    await startAgainst({ watch: 'endlessLine', maxStreamBytes: 32 * 1024 * 1024 }, { maxWatchLineBytes: 1024 * 1024 });
    await waitFor('two failed watches', () => told.length >= 2);
    expect(told[0]!.error).toMatchObject({ kind: 'TooLarge', reason: 'ApiTooLarge' });
    expect(told[0]!.error.message).toContain('1048576 bytes (maxWatchLineBytes)');
    expect(told.map((t) => t.retry.attempt).slice(0, 2)).toEqual([1, 2]);
  });
});

describe('watches that fail at once', () => {
  it.each([
    ['answers every watch with 410 Gone', 'gone'],
    ['sends a 410 ERROR event on every watch', 'goneEvent'],
    ['closes every watch after one event', 'oneEventThenClose'],
  ] as const)('a server that %s gets a list and a watch per backoff step, each step told once with a growing delay', async (_, watch) => {
    await startAgainst({ watch });
    await pause(1_500);
    const { lists, watches } = server!.counts;
    // 50, 100, 200, 400, 400... ms (less jitter) over 1.5 s: a handful, not hundreds.
    expect(watches).toBeGreaterThanOrEqual(3);
    expect(watches).toBeLessThanOrEqual(20);
    expect(lists).toBeLessThanOrEqual(watches + 1);
    expect(told.length).toBeGreaterThanOrEqual(watches - 1);
    expect(told.length).toBeLessThanOrEqual(watches);
    expect(server!.connections.peak).toBeLessThanOrEqual(3);
    const attempts = told.map((t) => t.retry.attempt);
    expect(attempts.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(told[3]!.retry.delayMs).toBeGreaterThan(told[0]!.retry.delayMs);
    if (watch !== 'oneEventThenClose') expect(told.every((t) => t.error.code === 410)).toBe(true);
    else expect(told[0]!.error.message).toMatch(/^the watch of captcontrolplanes ended after \d+ ms$/);
  });
});

describe('a watch whose headers never come', () => {
  it('stop() ends it at once, without waiting for any timeout', async () => {
    const client = await startAgainst({ watch: 'noHeaders' });
    await client.synced();
    await waitFor('the watch request', () => server!.counts.watches === 1);
    await within(2_000, client.stop());
    await waitFor('the connection to close', () => server!.connections.open === 0);
    expect(told).toEqual([]);
  });
});

describe('a response body larger than maxResponseBytes', () => {
  it('fails the list with a TooLarge error naming the limit, not "unreachable", read no further', async () => {
    await startAgainst({ list: 'huge', maxStreamBytes: 256 * 1024 * 1024 }, { maxResponseBytes: 1024 * 1024 });
    await waitFor('a failed list', () => told.length >= 1);
    expect(told[0]!.error).toMatchObject({ kind: 'TooLarge', code: undefined });
    expect(told[0]!.error.message).toBe("the API server's response is larger than the limit of 1048576 bytes (maxResponseBytes)");
  });

  it('a plain client’s read fails the same way', async () => {
    server = await startHostileApiServer({ list: 'huge', maxStreamBytes: 8 * 1024 * 1024 });
    const client = createKubernetesClient(kubeConfigOf(server.kubeConfigYaml()), { maxResponseBytes: 64 * 1024 });
    const got = await client.get(cpRef)();
    await client.close();
    expect(E.isLeft(got) && got.left).toMatchObject({ kind: 'TooLarge', message: "the API server's response is larger than the limit of 65536 bytes (maxResponseBytes)" });
  });

  it('refuses a limit that is not a positive integer', () => {
    const kc = kubeConfigOf('apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createKubernetesClient(kc, { maxResponseBytes: bad })).toThrow(RangeError);
      expect(() => createCachedKubernetesClient(kc, { maxListPages: bad })).toThrow(RangeError);
      expect(() => createCachedKubernetesClient(kc, { maxWatchLineBytes: bad })).toThrow(RangeError);
    }
  });
});

describe('a request body JSON.stringify cannot write', () => {
  it('is an ApiError, not a rejection', async () => {
    server = await startHostileApiServer();
    const client = createKubernetesClient(kubeConfigOf(server.kubeConfigYaml()));
    let deep: unknown = 'leaf';
    for (let level = 0; level < 100_000; level++) deep = { a: deep };
    const patched = await client.patch(cpRef, { spec: { deep } })();
    await client.close();
    expect(E.isLeft(patched) && patched.left).toMatchObject({ kind: 'Other', message: 'the request body could not be serialised (RangeError)' });
    expect(server.counts.other).toBe(0);
  });
});

describe('a list whose continue token never runs out', () => {
  it('stops after maxListPages pages with a TooLarge error naming the limit, and tries again after a backoff step', async () => {
    await startAgainst({ list: 'endlessContinue' }, { maxListPages: 20 });
    await waitFor('two failed lists', () => told.length >= 2);
    expect(told[0]!.error).toMatchObject({ kind: 'TooLarge' });
    expect(told[0]!.error.message).toBe('the list of captcontrolplanes did not end within the limit of 20 pages (maxListPages)');
    expect(server!.counts.lists).toBeLessThanOrEqual(60);
    expect(cache!.hasSynced()).toBe(false);
  });
});

describe('an exec credential plugin that hangs', () => {
  /** A kubeconfig whose user runs `plugin.js`, which records its pid and then hangs (for at most 30 s). */
  const hangingPlugin = (serverUrl: string): { kubeConfig: KubeConfig; pids: () => number[] } => {
    const dir = mkdtempSync(join(tmpdir(), 'capt-exec-'));
    const script = join(dir, 'plugin.js');
    const pidFile = join(dir, 'pids');
    writeFileSync(script, `require('node:fs').appendFileSync(${JSON.stringify(pidFile)}, process.pid + '\\n');\nsetTimeout(() => {}, 30000);\n`);
    chmodSync(script, 0o755);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: serverUrl, skipTLSVerify: true }],
      users: [{ name: 'u', exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [script], interactiveMode: 'Never' } }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return { kubeConfig, pids: () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : []) };
  };
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('is killed when its request times out', async () => {
    server = await startHostileApiServer();
    const { kubeConfig, pids } = hangingPlugin(server.url);
    const client = createKubernetesClient(kubeConfig, { timeoutMs: 1_500 });
    const got = await client.get(cpRef)();
    expect(E.isLeft(got) && got.left).toMatchObject({ kind: 'Timeout', message: 'the request timed out after 1500 ms' });
    await waitFor('the plugin to start', () => pids().length === 1);
    await waitFor('the plugin to be killed', () => !alive(pids()[0]!));
  });

  it('is killed when the cached client stops', async () => {
    server = await startHostileApiServer();
    const { kubeConfig, pids } = hangingPlugin(server.url);
    cache = createCachedKubernetesClient(kubeConfig, { kinds: [{ apiVersion: cpRef.apiVersion, kind: cpRef.kind }] });
    await waitFor('the plugin to start', () => pids().length === 1);
    await within(2_000, cache.stop());
    await waitFor('the plugin to be killed', () => !alive(pids()[0]!));
  });
});

describe('a response body cut short', () => {
  it('is a typed error, not a hang or a half-read object', async () => {
    const { createServer } = await import('node:http');
    const cut = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"apiVersion":"v1",');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    await new Promise<void>((resolve) => cut.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = cut.address() as { port: number };
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: 'u' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const client = createKubernetesClient(kc, { timeoutMs: 5_000 });
      const result = await within(3_000, client.get(cpRef)());
      expect(E.isLeft(result) && result.left.kind).toBe('Unavailable');
      await client.close();
    } finally {
      cut.closeAllConnections();
      await new Promise((resolve) => cut.close(resolve));
    }
  });
});
