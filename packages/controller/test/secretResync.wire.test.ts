// Least privilege for Secrets, through the manager and the real client-node over loopback: no
// list or watch of Secrets by default, a Secret-sourced control plane costs one GET of its
// Secret per resync, and a change to the Secret (which nothing watches) is picked up at the next
// resync. With the opt-in Secret cache, the resync is answered from memory.
import { startFakeApiServer, type FakeApiServer, type RecordedRequest } from '@capt-endpoint/testing';
import { deniedByDeploy } from '../../../deploy/test/deployRbac';
import type { Manager, ManagerOptions } from '../src';
import { EKS_HOST, initialObjects, startManagerOn } from './helpers';

const SECRET = { apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'demo-eks-connection' };
const CLUSTER = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', namespace: 'team-a', name: 'demo' };
const SECRET_PATH = '/api/v1/namespaces/team-a/secrets/demo-eks-connection';
const RESYNC_MS = 250;

let server: FakeApiServer;
let manager: Manager | undefined;
let logs: string;

beforeEach(async () => {
  logs = '';
  server = await startFakeApiServer({ objects: initialObjects() });
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await server.close();
});

const until = async (what: string, predicate: () => boolean, ms = 15_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}\n${logs}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const start = async (options: Partial<ManagerOptions> = {}): Promise<void> => {
  manager = await startManagerOn(server, (text) => (logs += text), { secretResyncMs: RESYNC_MS, ...options });
};

/** The control plane's reconciles, in order, as logged. */
const reconciles = (): Array<Record<string, unknown>> =>
  logs
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['controlPlane'] === 'team-a/demo' && line['result'] !== undefined);

const secretRequests = (): RecordedRequest[] => server.requests.filter((r) => r.path.startsWith('/api/v1/') && r.path.includes('/secrets'));
const described = (r: RecordedRequest): string => `${r.method} ${r.path}${r.query['watch'] === 'true' ? ' (watch)' : ''}`;

describe('Secrets read by the manager', () => {
  it('are never listed or watched: one GET per reconcile, a resync every period, and a changed Secret picked up at the next one', async () => {
    await start();
    await until('three reconciles', () => reconciles().length >= 3);
    expect(reconciles().slice(0, 3).map((r) => r['result'])).toEqual(['Waiting', 'Waiting', 'Waiting']);
    // Nothing watches the Secret: its new key is heard of only at the next resync.
    server.store.patch(SECRET, { data: { cluster_endpoint: Buffer.from(`https://${EKS_HOST}`).toString('base64') } });
    await until('the endpoint from the Secret', () => reconciles().some((r) => r['result'] === 'Updated'));
    expect(server.store.get(CLUSTER)?.['spec']).toMatchObject({ controlPlaneEndpoint: { host: EKS_HOST, port: 443 } });
    const updatedAt = reconciles().findIndex((r) => r['result'] === 'Updated');
    await until('three steady resyncs', () => reconciles().length >= updatedAt + 4);
    await manager?.stop();
    manager = undefined;
    // Steady state: each resync is one reconcile, one GET of the Secret, and no write.
    const steady = reconciles().slice(updatedAt + 1);
    expect(steady.every((r) => r['result'] === 'UpToDate' && r['writes'] === 0)).toBe(true);
    const gets = secretRequests().map(described);
    expect(new Set(gets)).toEqual(new Set([`GET ${SECRET_PATH}`]));
    expect(gets).toHaveLength(reconciles().length);
    expect(deniedByDeploy(server.requests)).toEqual([]);
  });

  it('with the opt-in Secret cache: listed and watched in the named namespace only, and resyncs read nothing', async () => {
    await start({ cache: { secrets: { namespaces: ['team-a'] } } });
    await until('three reconciles', () => reconciles().length >= 3);
    await manager?.stop();
    manager = undefined;
    expect(new Set(secretRequests().map(described))).toEqual(new Set(['GET /api/v1/namespaces/team-a/secrets', 'GET /api/v1/namespaces/team-a/secrets (watch)']));
    for (const request of secretRequests()) expect(request.query['fieldSelector']).toBe('type=connection.crossplane.io/v1alpha1');
  });
});
