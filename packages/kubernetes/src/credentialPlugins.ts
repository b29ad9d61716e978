/**
 * Exec credential plugins (a kubeconfig user's `exec` command, e.g. `aws eks get-token`) end
 * with the request that started them. client-node's `ExecAuth` spawns the plugin and waits for
 * it with no time limit: a plugin that hangs would outlive the request that gave up on it, one
 * orphan per request. Each spawn is given the signal of the request that is authenticating
 * (found through an AsyncLocalStorage, since client-node passes no context), so the plugin is
 * killed when the request times out or is aborted, as client-go kills it when its context ends.
 * Plugins still running when the process exits are killed too. A user without an `exec` plugin
 * never enters the AsyncLocalStorage: once one is entered, Node 20 runs hooks on every promise
 * of the process, which tripled what a promise costs and slowed every reconcile.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { KubeConfig } from '@kubernetes/client-node';

const requestSignal = new AsyncLocalStorage<AbortSignal>();
const running = new Set<ChildProcess>();
const BOUND = Symbol('capt-endpoint.boundToRequests');

type Spawn = (command: string, args: readonly string[] | undefined, options: SpawnOptions) => ChildProcess;
interface ExecAuthenticator {
  execFn?: Spawn;
  [BOUND]?: true;
}

let exitHookInstalled = false;
const killAll = (): void => {
  for (const child of running) child.kill('SIGKILL');
};

const track = (child: ChildProcess): void => {
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => undefined);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killAll);
  }
};

/** How many plugins this process has running now. */
export const runningCredentialPlugins = (): number => running.size;

/**
 * Runs `authenticate` with `signal()` as the signal any plugin it spawns ends with (for a user
 * with an exec plugin; else just runs it, and no signal is made).
 */
export const withRequestSignal = <A>(kc: KubeConfig, signal: () => AbortSignal, authenticate: () => Promise<A>): Promise<A> =>
  kc.getCurrentUser()?.exec === undefined ? authenticate() : requestSignal.run(signal(), authenticate);

/**
 * Binds the plugins of `kc`'s exec authenticator to the requests that start them (once per
 * authenticator: 2.x has one per KubeConfig, 1.x one for the process).
 */
export const bindCredentialPlugins = (kc: KubeConfig): void => {
  const own = (kc as unknown as { authenticators?: unknown }).authenticators;
  const shared = (kc.constructor as unknown as { authenticators?: unknown }).authenticators;
  const listed = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);
  const authenticators = [...listed(own), ...listed(shared)] as ExecAuthenticator[];
  for (const authenticator of authenticators) {
    const spawn = authenticator.execFn;
    if (typeof spawn !== 'function' || authenticator[BOUND]) continue;
    authenticator[BOUND] = true;
    authenticator.execFn = (command, args, options) => {
      const signal = requestSignal.getStore();
      const child = spawn(command, args, signal === undefined ? options : { ...options, signal, killSignal: 'SIGKILL' });
      track(child);
      return child;
    };
  }
};
