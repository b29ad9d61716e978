// Leader election on real Leases, with two replicas of `capt-endpoint run` as deploy/ runs them
// (each with a token of its own for deploy/'s ServiceAccount, so the audit log tells their
// requests apart): only the leader writes; `kill -9` of the leader hands over within the lease
// duration plus the retry period; SIGTERM releases the Lease and the other replica leads within
// 3 s; a kube-apiserver restart on the same etcd is survived by both, with no write made twice.
import { CoreV1Api, CoordinationV1Api } from '@kubernetes/client-node';
import { DEFAULT_JITTER_FACTOR } from '@capt-endpoint/controller';
import type { Envtest } from '@capt-endpoint/envtest';
import { captClusterNames, createCaptCluster, endpointOf, readCluster, readControlPlane, terraformApplied, type CaptClusterNames } from './captOnServer';
import {
  CONTROLLER_NAMESPACE,
  CONTROLLER_USER,
  WRITE_VERBS,
  applyObjects,
  credentialOf,
  credentialOfToken,
  deployRbacObjects,
  readAudit,
  resourceOf,
  serviceAccountToken,
  startAuditedEnvtest,
  startControllerProcess,
  waitUntil,
  type AuditEvent,
  type ControllerProcess,
} from './realDeploy';

const NAMESPACE = 'team-a';
const LEASE_MS = 4_000;
const RETRY_MS = 500;
const FAST = [`--leader-elect-lease-duration=${LEASE_MS / 1000}s`, '--leader-elect-renew-deadline=3s', `--leader-elect-retry-period=${RETRY_MS}ms`];
// Long enough to ride out a kube-apiserver restart on a loaded machine without losing the Lease.
const PATIENT = ['--leader-elect-lease-duration=30s', '--leader-elect-renew-deadline=20s', '--leader-elect-retry-period=1s'];
const ENDPOINT = { host: '34.118.10.20', port: 443 };

let env: Envtest;
const started: ControllerProcess[] = [];

interface Replica {
  readonly process: ControllerProcess;
  readonly credential: string;
  readonly identity: () => string | undefined;
}

const replica = async (name: string, args: readonly string[]): Promise<Replica> => {
  const token = await serviceAccountToken(env.kubeConfig);
  const running = await startControllerProcess(env, token, name, args);
  started.push(running);
  const identity = () => running.lines().find((line) => line['msg'] === 'waiting to lead')?.['identity'] as string | undefined;
  await waitUntil(`${name} campaigns`, identity);
  return { process: running, credential: credentialOfToken(token), identity };
};

const holder = async (lease: string): Promise<string | undefined> => {
  const read = await env.kubeConfig
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ namespace: CONTROLLER_NAMESPACE, name: lease })
    .catch((e: unknown) => {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    });
  return read?.spec?.holderIdentity || undefined;
};

/** The controller's writes other than its Lease, by credential. */
const writesBy = (credential: string, events: readonly AuditEvent[] = readAudit(env)): AuditEvent[] =>
  events.filter(
    (e) => e.user.username === CONTROLLER_USER && credentialOf(e) === credential && WRITE_VERBS.has(e.verb) && e.objectRef?.resource !== 'leases' && (e.responseStatus?.code ?? 0) < 300,
  );

/** The writes that set or cleared an endpoint of one cluster's objects (any writer of ours). */
const endpointWritesOf = (names: CaptClusterNames): string[] =>
  readAudit(env)
    .filter((e) => e.user.username === CONTROLLER_USER && e.verb === 'patch' && e.objectRef?.namespace === names.namespace && e.objectRef.name === names.name && e.objectRef.subresource === undefined)
    .filter((e) => (e.responseStatus?.code ?? 0) < 300)
    .map((e) => `${credentialOf(e) ?? ''} ${resourceOf(e)}`);

const endpointSet = async (names: CaptClusterNames): Promise<boolean> =>
  JSON.stringify(endpointOf(await readControlPlane(env.kubeConfig, names))) === JSON.stringify(ENDPOINT) &&
  JSON.stringify(endpointOf(await readCluster(env.kubeConfig, names))) === JSON.stringify(ENDPOINT);

const newCluster = async (name: string): Promise<CaptClusterNames> => {
  const names = captClusterNames(NAMESPACE, name);
  await createCaptCluster(env.kubeConfig, names);
  await terraformApplied(env.kubeConfig, names, ENDPOINT.host, 'outputs');
  return names;
};

beforeAll(async () => {
  env = await startAuditedEnvtest();
  await applyObjects(env.kubeConfig, deployRbacObjects());
  await env.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
});

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop('SIGKILL')));
  await env?.stop();
});

const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) process.stderr.write(`\nleader election on real Leases: ${figures.join('; ')}\n`);
});

describe('two replicas on a real Lease', () => {
  it('only the leader writes; kill -9 hands over within lease duration + retry period; SIGTERM releases and hands over within 3 s', async () => {
    const lease = 'handover';
    const args = [...FAST, `--leader-election-id=${lease}`];
    const a = await replica('replica-a', args);
    await waitUntil('replica-a leads', async () => (await holder(lease)) === a.identity());
    const b = await replica('replica-b', args);
    await waitUntil('replica-b is ready (its cache synced) as a follower', async () => (await b.process.probe('/readyz')) === 200);

    const first = await newCluster('first');
    await waitUntil('the first endpoint set', () => endpointSet(first));
    expect(writesBy(a.credential).length).toBeGreaterThan(0);
    expect(writesBy(b.credential).map((e) => `${e.verb} ${resourceOf(e)}`)).toEqual([]);

    // kill -9: no release; the follower waits out the lease.
    a.process.child.kill('SIGKILL');
    const killedAt = performance.now();
    await waitUntil('replica-b leads', async () => (await holder(lease)) === b.identity(), 20_000);
    const killHandover = performance.now() - killedAt;
    figures.push(`kill -9 handover ${(killHandover / 1000).toFixed(1)} s (lease ${LEASE_MS / 1000} s, retry ${RETRY_MS / 1000} s)`);
    // The follower retries every retry period, jittered as client-go's (up to 1.2 x more), and
    // takes the Lease at the first try after it expired; the test polls the Lease every 100 ms.
    expect(killHandover).toBeLessThanOrEqual(LEASE_MS + RETRY_MS * (1 + DEFAULT_JITTER_FACTOR) + 200);

    const second = await newCluster('second');
    await waitUntil('the second endpoint set by the new leader', () => endpointSet(second));
    expect(endpointWritesOf(second).every((write) => write.startsWith(b.credential))).toBe(true);

    // SIGTERM: the leader releases the Lease; a third replica, following, takes it at once.
    const c = await replica('replica-c', args);
    await waitUntil('replica-c is ready as a follower', async () => (await c.process.probe('/readyz')) === 200);
    const termAt = performance.now();
    const exited = b.process.stop('SIGTERM');
    await waitUntil('replica-c leads', async () => (await holder(lease)) === c.identity(), 10_000);
    const termHandover = performance.now() - termAt;
    figures.push(`SIGTERM handover ${(termHandover / 1000).toFixed(1)} s`);
    expect(termHandover).toBeLessThanOrEqual(3_000);
    expect(await exited).toBe(0);
    expect(b.process.lines().some((line) => line['msg'] === 'released the Lease')).toBe(true);

    // Every write of the run came from the replica that held the Lease then: a's before the kill, b's after.
    const third = await newCluster('third');
    await waitUntil('the third endpoint set by replica-c', () => endpointSet(third));
    expect(endpointWritesOf(first).every((write) => write.startsWith(a.credential))).toBe(true);
    expect(endpointWritesOf(third).every((write) => write.startsWith(c.credential))).toBe(true);
    await c.process.stop();
  });

  it('a kube-apiserver restart on the same etcd: both replicas ride it out, watches resume, no write is made twice', async () => {
    const lease = 'restart';
    const args = [...PATIENT, `--leader-election-id=${lease}`];
    const leader = await replica('restart-a', args);
    await waitUntil('restart-a leads', async () => (await holder(lease)) === leader.identity());
    const follower = await replica('restart-b', args);
    await waitUntil('restart-b is ready', async () => (await follower.process.probe('/readyz')) === 200);
    const before = await newCluster('before-restart');
    await waitUntil('the endpoint set before the restart', () => endpointSet(before));
    const writesBefore = endpointWritesOf(before);
    expect(writesBefore).toHaveLength(2); // the control plane and the Cluster, once each

    const restartStarted = performance.now();
    await env.restartApiServer();
    figures.push(`kube-apiserver restart ${((performance.now() - restartStarted) / 1000).toFixed(1)} s`);

    // Both still running, the same leader; a cluster created after the restart is served, so the watches resumed.
    const after = await newCluster('after-restart');
    await waitUntil('the endpoint set after the restart', () => endpointSet(after), 60_000);
    expect(leader.process.child.exitCode).toBeNull();
    expect(follower.process.child.exitCode).toBeNull();
    expect(await holder(lease)).toBe(leader.identity());
    expect(endpointWritesOf(before)).toEqual(writesBefore);
    expect(endpointWritesOf(after)).toHaveLength(2);
    expect(writesBy(follower.credential)).toEqual([]);
  });
});
