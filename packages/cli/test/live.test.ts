// `reconcile` and `run` against a loopback API server (the testing package's), through the real
// @kubernetes/client-node and a kubeconfig file written to a temp dir.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '@capt-endpoint/testing';
import { main } from '../src';
import { EKS_HOST, eventually, initialObjects, jsonLines, manifest, run } from './helpers';

const CP_REF = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo' };
const CLUSTER_REF = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: 'team-a', name: 'demo' };

let server: FakeApiServer;
let kubeconfig: string;

beforeEach(async () => {
  server = await startFakeApiServer({ objects: initialObjects() });
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'capt-cli-')), 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeConfigYaml('team-a'));
});
afterEach(async () => {
  await server.close();
});

const endpointOf = (ref: typeof CP_REF) => (server.store.get(ref)?.['spec'] as { controlPlaneEndpoint?: unknown } | undefined)?.controlPlaneEndpoint;

describe('capt-endpoint reconcile against an API server', () => {
  it('waits (exit 2), then sets the endpoint (exit 0), then finds it up to date', async () => {
    const argv = ['reconcile', '--kubeconfig', kubeconfig, '-n', 'team-a', 'demo', '-o', 'json'];
    const waiting = await run(argv);
    expect(waiting.stderr).toBe('');
    expect(waiting.code).toBe(2);
    expect(jsonLines(waiting.stdout)[0]).toMatchObject({ result: 'Waiting', dryRun: false, waitingOn: 'EndpointOutput' });

    manifest('later/workspace-applied.yaml').forEach((object) => server.store.put(object));
    const set = await run(argv);
    expect(set.code).toBe(0);
    expect(jsonLines(set.stdout)[0]).toMatchObject({ result: 'Updated', endpoint: { host: EKS_HOST, port: 443 } });
    expect(endpointOf(CP_REF)).toEqual({ host: EKS_HOST, port: 443 });
    expect(endpointOf(CLUSTER_REF)).toEqual({ host: EKS_HOST, port: 443 });

    const steady = await run(argv);
    expect(steady.code).toBe(0);
    expect(jsonLines(steady.stdout)[0]).toMatchObject({ result: 'UpToDate', writes: [] });
  });

  it('--dry-run reads the cluster, shows the patches and sends none', async () => {
    manifest('later/workspace-applied.yaml').forEach((object) => server.store.put(object));
    const before = server.requests.length;
    const { code, stdout } = await run(['reconcile', '--kubeconfig', kubeconfig, '-n', 'team-a', 'demo', '--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toContain('would set the endpoint to');
    expect(stdout).toContain('would send:');
    expect(stdout).toContain(`patch Cluster team-a/demo: {"metadata":{"resourceVersion"`);
    expect(server.requests.slice(before).map((r) => r.method)).not.toContain('PATCH');
    expect(endpointOf(CP_REF)).toBeUndefined();
  });

  it('uses the context and $KUBECONFIG given to it, and says in one line what is wrong with them', async () => {
    const fromEnv = await run(['reconcile', '-n', 'team-a', 'demo'], { env: { KUBECONFIG: kubeconfig } });
    expect(fromEnv.code).toBe(2);
    const noContext = await run(['reconcile', '--kubeconfig', kubeconfig, '--context', 'prod', '-n', 'team-a', 'demo']);
    expect(noContext.code).toBe(1);
    expect(noContext.stderr).toMatch(/has no context "prod"\n$/);
    const missing = await run(['reconcile', '--kubeconfig', '/no/such/kubeconfig', '-n', 'team-a', 'demo']);
    expect(missing.stderr).toBe('capt-endpoint: kubeconfig /no/such/kubeconfig: no such file\n');
  });

  it('reports a control plane that does not exist, and an unreachable server, with exit 1', async () => {
    const gone = await run(['reconcile', '--kubeconfig', kubeconfig, '-n', 'team-a', 'nope', '-o', 'json']);
    expect(gone.code).toBe(1);
    expect(jsonLines(gone.stdout)[0]).toMatchObject({ result: 'ControlPlaneGone' });
    await server.close();
    const down = await run(['reconcile', '--kubeconfig', kubeconfig, '-n', 'team-a', 'demo', '-o', 'json']);
    expect(down.code).toBe(1);
    expect(jsonLines(down.stdout)[0]).toMatchObject({ result: 'Error', error: { retryable: true } });
    server = await startFakeApiServer();
  });
});

describe('capt-endpoint run against an API server', () => {
  it('picks up a Workspace that gains its output later, then shuts down cleanly on the signal', async () => {
    let logs = '';
    let errors = '';
    const stop = new AbortController();
    const running = main(['run', '--kubeconfig', kubeconfig, '--concurrency', '2'], {
      env: {},
      signal: stop.signal,
      stdout: { write: (text: string) => (logs += text) },
      stderr: { write: (text: string) => (errors += text) },
    });
    const lines = () => jsonLines(logs);
    await eventually(() => lines().some((l) => l['result'] === 'Waiting'));

    manifest('later/workspace-applied.yaml').forEach((object) => server.store.put(object));
    await eventually(() => lines().some((l) => l['result'] === 'Updated'));
    expect(endpointOf(CP_REF)).toEqual({ host: EKS_HOST, port: 443 });
    expect(endpointOf(CLUSTER_REF)).toEqual({ host: EKS_HOST, port: 443 });

    stop.abort();
    expect(await running).toBe(0);
    expect(errors).toBe('');
    // In flight finished first, then the Lease was released, then the process stopped.
    const order = ['stopping: finishing in-flight reconciles', 'controller stopped', 'released the Lease', 'stopped'];
    expect(lines().map((l) => String(l['msg'])).filter((msg) => order.includes(msg))).toEqual(order);
    const lease = server.store.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'team-a', name: 'capt-endpoint' });
    expect(lease?.['spec']).toMatchObject({ holderIdentity: '', leaseTransitions: 0 });
    // The server sees the watch connections close a moment after the client aborts them.
    await eventually(() => server.openWatches === 0, 5000);
  });
});

describe('capt-endpoint run and Secrets', () => {
  const secretTraffic = () =>
    server.requests.filter((r) => r.path.includes('/secrets')).map((r) => `${r.method} ${r.path}${r.query['watch'] === 'true' ? ' (watch)' : ''}`);

  it.each([
    [[], ['GET /api/v1/namespaces/team-a/secrets/demo-eks-connection']],
    [['--secret-cache-namespace', 'team-a'], ['GET /api/v1/namespaces/team-a/secrets', 'GET /api/v1/namespaces/team-a/secrets (watch)']],
  ])('with %j reads Secrets only as %j: no cluster-wide list or watch', async (flags, expected) => {
    let logs = '';
    const stop = new AbortController();
    const running = main(['run', '--kubeconfig', kubeconfig, '--leader-elect=false', ...flags], {
      env: {},
      signal: stop.signal,
      stdout: { write: (text: string) => (logs += text) },
      stderr: { write: () => undefined },
    });
    await eventually(() => jsonLines(logs).some((l) => l['result'] === 'Waiting'));
    stop.abort();
    expect(await running).toBe(0);
    expect([...new Set(secretTraffic())].sort()).toEqual(expected);
  });
});
