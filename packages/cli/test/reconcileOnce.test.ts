// The one-shot `reconcile` closes its Kubernetes client on every path: an update, a wait, a
// failed reconcile, an exception while reporting, and it waits for the close to finish.
import * as E from 'fp-ts/lib/Either.js';
import { KubeConfig } from '@kubernetes/client-node';
import { createFakeClient, type FakeClient } from '@capt-endpoint/testing';
import { parseCommandLine, reconcileOnce, type ClosableClient, type Command } from '../src';
import { capture, initialObjects, manifest } from './helpers';

type ReconcileCommand = Extract<Command, { readonly _tag: 'Reconcile' }>;

const command = (): ReconcileCommand => {
  const parsed = parseCommandLine(['reconcile', '-n', 'team-a', 'demo', '-o', 'json']);
  if (E.isLeft(parsed) || parsed.right._tag !== 'Reconcile') throw new Error('the command line does not parse');
  return parsed.right;
};

/** The fake as a closable client that logs each call and the close, in order. */
const closable = (fake: FakeClient, close: () => Promise<void> = () => Promise.resolve()) => {
  const log: string[] = [];
  const client: ClosableClient = {
    get: (ref, options) => (log.push(`get ${ref.kind}`), fake.get(ref, options)),
    patch: (ref, patch, options) => (log.push(`patch ${ref.kind}`), fake.patch(ref, patch, options)),
    patchStatus: (ref, patch, options) => (log.push(`patchStatus ${ref.kind}`), fake.patchStatus(ref, patch, options)),
    close: () => (log.push('close'), close()),
  };
  return { client, log, closes: () => log.filter((entry) => entry === 'close').length };
};

const runOnce = (client: ClosableClient, write: (text: string) => unknown = () => undefined) => {
  const stdout = capture();
  return reconcileOnce(new KubeConfig(), command(), { env: {}, stdout: { write: (text: string) => (write(text), stdout.stream.write(text)) }, stderr: capture().stream }, () => client);
};

/** The example cluster once the Workspace has applied and published the endpoint. */
const applied = (): FakeClient => {
  const fake = createFakeClient(initialObjects());
  manifest('later/workspace-applied.yaml').forEach((object) => fake.store.put(object));
  return fake;
};
const waiting = (): FakeClient => createFakeClient(initialObjects());

describe('reconcile closes its client', () => {
  it.each([
    ['an update (exit 0)', applied, 0],
    ['a wait (exit 2)', waiting, 2],
  ])('after %s, once, after the last request', async (_, cluster, exitCode) => {
    const { client, log, closes } = closable(cluster());
    expect(await runOnce(client)).toBe(exitCode);
    expect(closes()).toBe(1);
    expect(log.at(-1)).toBe('close');
    expect(log.length).toBeGreaterThan(1);
  });

  it('after a failed reconcile (exit 1)', async () => {
    const fake = applied();
    fake.failOn('get', 'Unavailable');
    const { client, log, closes } = closable(fake);
    expect(await runOnce(client)).toBe(1);
    expect(closes()).toBe(1);
    expect(log.at(-1)).toBe('close');
  });

  it('when reporting throws, and the exception still reaches the caller', async () => {
    const { client, closes } = closable(applied());
    const broken = () => {
      throw new Error('stdout is closed');
    };
    await expect(runOnce(client, broken)).rejects.toThrow('stdout is closed');
    expect(closes()).toBe(1);
  });

  it('waits for the close to finish, and a failed close does not change the exit status', async () => {
    let finished = false;
    const slow = closable(applied(), () => new Promise((resolve) => setTimeout(() => resolve((finished = true, undefined)), 20)));
    expect(await runOnce(slow.client)).toBe(0);
    expect(finished).toBe(true);
    const failing = closable(applied(), () => Promise.reject(new Error('already closed')));
    expect(await runOnce(failing.client)).toBe(0);
    expect(failing.closes()).toBe(1);
  });
});
