// Every request the manager sends is counted in rest_client_requests_total, as client-go counts
// a Go controller's: reads, lists and watches, writes, Events and Leases. The loopback server
// records each request it receives; the counter must come to the same number, method by method.
import type { FakeApiServer } from '@capt-endpoint/testing';
import { startFakeApiServer } from '@capt-endpoint/testing';
import type { Manager } from '../src';
import { manifest, startManagerOn } from './helpers';

let server: FakeApiServer;
let manager: Manager | undefined;

afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await server.close();
});

/** The counter's samples, summed by method. */
const countedByMethod = (text: string): Record<string, number> => {
  const counted: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^rest_client_requests_total\{method="([A-Z]+)",code="[^"]*"\} (\d+)$/.exec(line);
    if (match) counted[match[1]!] = (counted[match[1]!] ?? 0) + Number(match[2]);
  }
  return counted;
};

const receivedByMethod = (): Record<string, number> => {
  const received: Record<string, number> = {};
  for (const request of server.requests) received[request.method] = (received[request.method] ?? 0) + 1;
  return received;
};

/** Whether the counter, method by method, comes to what the server received. */
const countedAsReceived = async (): Promise<boolean> => {
  const sorted = (counts: Record<string, number>): string => JSON.stringify(Object.entries(counts).sort());
  return sorted(countedByMethod(await manager!.metrics.registry.metrics())) === sorted(receivedByMethod());
};

const until = async (what: string, predicate: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('rest_client_requests_total', () => {
  beforeEach(async () => {
    server = await startFakeApiServer({ objects: ['cluster.yaml', 'controlplane.yaml', 'workspacetemplateapply.yaml', 'later/workspace-applied.yaml', 'connection-secret.yaml'].flatMap(manifest) });
  });

  it('counts every request the manager sends, Events and watches included; no leader gauge without leader election', async () => {
    manager = await startManagerOn(server, () => undefined, { events: true });
    const events = (): number => server.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/events')).length;
    await until('an Event is recorded', () => events() > 0);
    await until('the counter matches what the server received', countedAsReceived);
    const text = await manager.metrics.registry.metrics();
    expect(countedByMethod(text)['POST']).toBe(events());
    expect(server.requests.some((request) => request.query['watch'] === 'true')).toBe(true);
    // controller-runtime registers the gauge, but only a leader elector gives it a series.
    expect(text).not.toMatch(/^leader_election_master_status\{/m);
  });

  it('counts the Lease requests of leader election, and the gauge reads 1 once leading', async () => {
    manager = await startManagerOn(server, () => undefined, {
      leaderElection: { namespace: 'kube-system', name: 'captcontrolplane-endpoint', identity: 'one' },
    });
    const leases = (): number => server.requests.filter((request) => request.path.includes('/leases')).length;
    await until('the Lease is taken', () => manager!.elector?.isLeader() === true);
    await until('the counter matches what the server received', countedAsReceived);
    expect(leases()).toBeGreaterThan(0);
    expect(await manager.metrics.registry.metrics()).toMatch(/^leader_election_master_status\{name="captcontrolplane-endpoint"\} 1$/m);
  });
});
