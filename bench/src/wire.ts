/**
 * The measured process's side of the wire: spawns the loopback server in its own process and
 * drives it over IPC, and builds the two Kubernetes clients under test (plain: one request a
 * call; cached: informers) from the server's kubeconfig.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { createCachedKubernetesClient, createKubernetesClient, type CachedKubernetesClient } from '@capt-endpoint/kubernetes';
import type { ClusterClient } from '@capt-endpoint/core';
import type { StartState } from './fixtures';
import type { RequestCount, ServerCommand, ServerReply } from './server';

export interface ServerHandle {
  readonly kubeConfig: KubeConfig;
  seed(indices: readonly number[], state: StartState): Promise<number>;
  mark(): Promise<void>;
  count(): Promise<RequestCount>;
  storeBytes(): Promise<{ bytes: number; objects: number }>;
  close(): Promise<void>;
}

const serverPath = fileURLToPath(new URL('./server.mjs', import.meta.url));

export const spawnServer = (): Promise<ServerHandle> =>
  new Promise((resolveStart, rejectStart) => {
    // Not the measured process's flags (a heap cap is for the client only); BENCH_SERVER_NODE_ARGS
    // gives the server its own, e.g. `--cpu-prof` to profile it.
    const execArgv = process.env['BENCH_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
    const child = fork(serverPath, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const waiting: Array<{ resolve: (reply: ServerReply) => void; reject: (error: Error) => void }> = [];
    let started = false;
    const ask = (command: ServerCommand): Promise<ServerReply> =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.send(command);
      });
    child.on('exit', (code) => {
      const error = new Error(`loopback server process exited with code ${code}`);
      if (!started) rejectStart(error);
      for (const pending of waiting.splice(0)) pending.reject(error);
    });
    child.on('message', (reply: ServerReply) => {
      if (!started) {
        started = true;
        if (reply.op !== 'ready') return rejectStart(new Error(reply.op === 'failed' ? reply.error : `unexpected ${reply.op}`));
        const kubeConfig = new KubeConfig();
        kubeConfig.loadFromString(reply.kubeConfigYaml);
        return resolveStart({
          kubeConfig,
          seed: async (indices, state) => {
            const got = await ask({ op: 'seed', indices, state });
            return got.op === 'seeded' ? got.objects : 0;
          },
          mark: async () => {
            await ask({ op: 'mark' });
          },
          count: async () => {
            const got = await ask({ op: 'count' });
            if (got.op !== 'counted') throw new Error('loopback server did not count');
            return got.count;
          },
          storeBytes: async () => {
            const got = await ask({ op: 'storeBytes' });
            if (got.op !== 'storeBytes') throw new Error('loopback server did not size its store');
            return { bytes: got.bytes, objects: got.objects };
          },
          close: () =>
            new Promise<void>((resolve) => {
              child.once('exit', () => resolve());
              child.send({ op: 'close' } satisfies ServerCommand);
            }),
        });
      }
      const pending = waiting.shift();
      if (pending === undefined) return;
      if (reply.op === 'failed') pending.reject(new Error(reply.error));
      else pending.resolve(reply);
    });
  });

export type CachedClient = CachedKubernetesClient & {
  /** Failed lists and watches, by kind and error, since the client started (the informers retry by themselves). */
  readonly informerErrors: Readonly<Record<string, number>>;
};

export const plainClient = (kubeConfig: KubeConfig): ClusterClient => createKubernetesClient(kubeConfig);

/** The informer-backed client, once every informer has listed. */
export const cachedClient = async (kubeConfig: KubeConfig): Promise<CachedClient> => {
  const informerErrors: Record<string, number> = {};
  // The defaults a controller would use: the kinds reconcile reads, connection Secrets by field selector.
  const client = createCachedKubernetesClient(kubeConfig, {
    onError: (error, kind) => {
      const key = `${kind.kind}: ${error.kind}${error.code === undefined ? '' : ` ${error.code}`}`;
      informerErrors[key] = (informerErrors[key] ?? 0) + 1;
    },
  });
  await client.synced();
  return Object.assign(client, { informerErrors });
};
