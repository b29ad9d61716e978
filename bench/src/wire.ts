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
import { namespaceCount, namespaceOf, type StartState } from './fixtures';
import type { RequestCount } from './loopback';
import type { ServerCommand, ServerReply } from './server';

export interface ServerHandle {
  readonly kubeConfig: KubeConfig;
  /** Where another process can drive the same server (`connectServer`). */
  readonly address: ServerAddress;
  seed(indices: readonly number[], state: StartState): Promise<number>;
  mark(): Promise<void>;
  count(): Promise<RequestCount>;
  storeBytes(): Promise<{ bytes: number; objects: number }>;
  endpointsSet(): Promise<{ controlPlanes: number; set: number }>;
  /** Remembers the seeded objects, for `restore`. */
  snapshot(): Promise<void>;
  /** Objects back to the snapshot, watches ended, request log emptied. */
  restore(): Promise<void>;
  /** Ends the server process; for a connected handle, only lets go of it. */
  close(): Promise<void>;
  /** The server's process by name, whose CPU a cold start reads (not known for a connected handle). */
  processes?(): Readonly<Record<string, number | undefined>>;
}

/** What a process needs to use a server another one started. */
export interface ServerAddress {
  readonly kubeConfigYaml: string;
  readonly controlUrl: string;
}

/** The loopback server's process, as the cold start names it. */
export const LOOPBACK_SERVER = 'server';

const serverPath = fileURLToPath(new URL('./server.mjs', import.meta.url));

type Ask = (command: ServerCommand) => Promise<ServerReply>;

const replyOf = async <Op extends ServerReply['op']>(reply: Promise<ServerReply>, op: Op): Promise<Extract<ServerReply, { op: Op }>> => {
  const got = await reply;
  if (got.op !== op) throw new Error(`loopback server answered ${got.op === 'failed' ? got.error : got.op}, not ${op}`);
  return got as Extract<ServerReply, { op: Op }>;
};

const handleOver = (ask: Ask, address: ServerAddress, close: () => Promise<void>, pid?: number): ServerHandle => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(address.kubeConfigYaml);
  return {
    kubeConfig,
    address,
    seed: async (indices, state) => (await replyOf(ask({ op: 'seed', indices, state }), 'seeded')).objects,
    mark: async () => {
      await replyOf(ask({ op: 'mark' }), 'marked');
    },
    count: async () => (await replyOf(ask({ op: 'count' }), 'counted')).count,
    storeBytes: async () => {
      const { bytes, objects } = await replyOf(ask({ op: 'storeBytes' }), 'storeBytes');
      return { bytes, objects };
    },
    endpointsSet: async () => {
      const { controlPlanes, set } = await replyOf(ask({ op: 'endpointsSet' }), 'endpointsSet');
      return { controlPlanes, set };
    },
    snapshot: async () => {
      await replyOf(ask({ op: 'snapshot' }), 'snapshotted');
    },
    restore: async () => {
      await replyOf(ask({ op: 'restore' }), 'restored');
    },
    close,
    ...(pid === undefined ? {} : { processes: () => ({ [LOOPBACK_SERVER]: pid }) }),
  };
};

/** Starts the loopback server in a process of its own and drives it over IPC. */
export const spawnServer = (): Promise<ServerHandle> =>
  new Promise((resolveStart, rejectStart) => {
    // Not the measured process's flags (a heap cap is for the client only); BENCH_SERVER_NODE_ARGS
    // gives the server its own, e.g. `--cpu-prof` to profile it.
    const execArgv = process.env['BENCH_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
    const child = fork(serverPath, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const waiting: Array<{ resolve: (reply: ServerReply) => void; reject: (error: Error) => void }> = [];
    let started = false;
    const ask: Ask = (command) =>
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
        const close = () =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.send({ op: 'close' } satisfies ServerCommand);
          });
        return resolveStart(handleOver(ask, { kubeConfigYaml: reply.kubeConfigYaml, controlUrl: reply.controlUrl }, close, child.pid));
      }
      const pending = waiting.shift();
      if (pending === undefined) return;
      if (reply.op === 'failed') pending.reject(new Error(reply.error));
      else pending.resolve(reply);
    });
  });

/** Drives a server another process started, over its HTTP control port. */
export const connectServer = (address: ServerAddress): ServerHandle => {
  const ask: Ask = async (command) => {
    const response = await fetch(address.controlUrl, { method: 'POST', body: JSON.stringify(command) });
    return (await response.json()) as ServerReply;
  };
  return handleOver(ask, address, () => Promise.resolve(undefined));
};

export type CachedClient = CachedKubernetesClient & {
  /** Failed lists and watches, by kind and error, since the client started (the informers retry by themselves). */
  readonly informerErrors: Readonly<Record<string, number>>;
};

export const plainClient = (kubeConfig: KubeConfig): ClusterClient => createKubernetesClient(kubeConfig);

/** The informer-backed client, once every informer has listed. */
export const cachedClient = async (kubeConfig: KubeConfig): Promise<CachedClient> => {
  const informerErrors: Record<string, number> = {};
  // The kinds reconcile reads, and connection Secrets cached in the fixtures' namespaces, as
  // `run --secret-cache-namespace` does: the Go baseline's cache holds every Secret. Without the
  // opt-in, each reconcile through a Secret adds one GET of it (docs/kubernetes.md).
  const client = createCachedKubernetesClient(kubeConfig, {
    secrets: { namespaces: Array.from({ length: namespaceCount }, (_, i) => namespaceOf(i)) },
    onError: (error, kind) => {
      const key = `${kind.kind}: ${error.kind}${error.code === undefined ? '' : ` ${error.code}`}`;
      informerErrors[key] = (informerErrors[key] ?? 0) + 1;
    },
  });
  await client.synced();
  return Object.assign(client, { informerErrors });
};
