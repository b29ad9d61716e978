// The example controller against the loopback API server holding the demo's manifests: two
// replicas, one leads and sets the endpoint, the other writes nothing; stopping the leader
// releases the Lease and the other takes over at once. Every request is one the deployed
// roles (deploy/kubernetes) allow.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { leaseRecordOf, leaseRef, type Manager } from '@capt-endpoint/controller';
import { startFakeApiServer, type FakeApiServer } from '@capt-endpoint/testing';
import { deniedByDeploy } from '../deploy/test/deployRbac';
import { startExampleController } from './leader-elected-controller';

const manifests = (...files: string[]): string => files.map((file) => readFileSync(join(__dirname, 'manifests', file), 'utf8')).join('\n---\n');
const CP = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo' };
const LEASE = leaseRef('capt-endpoint-system', 'capt-endpoint');
const EKS = { host: '0123456789abcdef0123456789abcdef.gr7.us-west-2.eks.amazonaws.com', port: 443 };

let server: FakeApiServer;
const managers: Manager[] = [];
const logs = { a: '', b: '' };

beforeEach(async () => {
  server = await startFakeApiServer({
    objects: manifests('cluster.yaml', 'controlplane.yaml', 'workspacetemplateapply.yaml', 'later/workspace-applied.yaml', 'connection-secret.yaml'),
  });
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
  await server.close();
  expect(deniedByDeploy(server.requests)).toEqual([]);
});

const kubeConfig = (): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeConfigYaml());
  return kc;
};

const start = async (identity: 'a' | 'b'): Promise<Manager> => {
  const manager = await startExampleController(kubeConfig(), { identity, listen: '127.0.0.1:0', log: { write: (text: string) => (logs[identity] += text) } });
  managers.push(manager);
  return manager;
};

const until = async (what: string, predicate: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const holder = (): string | undefined => {
  const lease = server.store.get(LEASE);
  return lease === undefined ? undefined : leaseRecordOf(lease).holderIdentity;
};

/** Requests that wrote anything but the Lease. */
const writes = () => server.requests.filter((request) => request.method !== 'GET' && !request.path.includes('/leases/') && !request.path.endsWith('/leases'));

describe('the example controller', () => {
  it('leads, sets the endpoint, serves ready probes and metrics; a second replica writes nothing', async () => {
    const a = await start('a');
    await until('a leads', () => holder() === 'a');
    await until('the endpoint is set', () => logs.a.includes('"result":"Updated"'));
    expect((server.store.get(CP)?.['spec'] as Record<string, unknown>)['controlPlaneEndpoint']).toEqual(EKS);
    const b = await start('b');
    await until('b is ready', async () => (await fetch(`http://127.0.0.1:${b.healthAddress?.port}/readyz`)).status === 200);
    const before = writes().length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(writes().length).toBe(before);
    expect(b.elector?.isLeader()).toBe(false);
    expect(b.elector?.observedLeader()).toBe('a');
    const scraped = await (await fetch(`http://127.0.0.1:${a.metricsAddress?.port}/metrics`)).text();
    expect(scraped).toMatch(/^leader_election_master_status\{name="captcontrolplane-endpoint"\} 1$/m);
    expect(scraped).toMatch(/^capt_endpoint_endpoint_writes_total\{object="Cluster"\} 1$/m);
    expect(scraped).toMatch(/^rest_client_requests_total\{method="PATCH",code="200"\} \d+$/m);
    const follower = await (await fetch(`http://127.0.0.1:${b.metricsAddress?.port}/metrics`)).text();
    expect(follower).toMatch(/^leader_election_master_status\{name="captcontrolplane-endpoint"\} 0$/m);
    expect(follower).toMatch(/^controller_runtime_reconcile_total\{controller="captcontrolplane-endpoint",result="success"\} 0$/m);
  });

  it('hands over at once when the leader stops: the Lease is released and the follower takes it', async () => {
    const a = await start('a');
    await until('a leads', () => holder() === 'a');
    const b = await start('b');
    await until('b follows', () => b.elector?.observedLeader() === 'a');
    const stopped = Date.now();
    await a.stop();
    managers.splice(managers.indexOf(a), 1);
    expect(holder()).not.toBe('a');
    await until('b leads', () => holder() === 'b');
    // A released Lease is taken at the follower's next attempt: within one jittered retry period (250 ms x 2.2).
    expect(Date.now() - stopped).toBeLessThan(1500);
    expect(leaseRecordOf(server.store.get(LEASE)!).leaseTransitions).toBe(1);
    // The new leader reconciles what its cache holds: the endpoint is already right, so nothing is written.
    await until('b reconciled', () => logs.b.includes('"result":"UpToDate"'));
  });
});
