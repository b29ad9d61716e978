// `capt-endpoint run` beside CAPT's own controller, over the wire: the simulator of CAPT's
// updateStatus answers each change of the control plane at once and passes again on a short
// timer, as CAPT's requeue would; the controller repairs at most twice, then holds back with
// EndpointContested naming CAPT, and stays quiet while CAPT keeps writing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@capt-endpoint/core';
import { CaptSimulator, captEndpointCrds, startFakeApiServer, type FakeApiServer } from '@capt-endpoint/testing';
import { main } from '../src';
import { eventually, initialObjects, jsonLines, manifest } from './helpers';

const CP_REF = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo' };
const EKS_URL = 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com';

/** The example's objects with the Workspace applied and the WorkspaceTemplateApply Ready, as CAPT needs to act. */
const objects = (): KubeObject[] => {
  const applied = manifest('later/workspace-applied.yaml');
  const named = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;
  return [...initialObjects().filter((o) => !applied.some((a) => named(a) === named(o))), ...applied].map((object) =>
    object.kind === 'WorkspaceTemplateApply'
      ? { ...object, status: { ...(object['status'] as object), conditions: [{ type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2026-12-02T09:00:00Z' }] } }
      : object,
  );
};

let server: FakeApiServer;
let kubeconfig: string;
let stopCapt = (): void => undefined;
let stopRun = new AbortController();
let running: Promise<number> | undefined;

beforeEach(async () => {
  server = await startFakeApiServer({ objects: objects(), crds: captEndpointCrds });
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'capt-beside-')), 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeConfigYaml('team-a'));
});
afterEach(async () => {
  stopCapt();
  stopRun.abort();
  await running;
  await server.close();
});

/** CAPT's controller: a pass on every change of the control plane (at most `limit`), and one every `everyMs`. */
const startCapt = (everyMs: number, limit = 400) => {
  const capt = new CaptSimulator(server.store, { controlPlane: { namespace: 'team-a', name: 'demo' } });
  let passes = 0;
  let pending: NodeJS.Timeout | undefined;
  const pass = () => {
    pending = undefined;
    if (passes++ < limit) capt.pass();
  };
  const unwatch = server.store.watch((event) => {
    if (event.object.kind === 'CAPTControlPlane' && pending === undefined) pending = setTimeout(pass, 1);
  });
  const timer = setInterval(pass, everyMs);
  stopCapt = () => {
    unwatch();
    clearInterval(timer);
    clearTimeout(pending);
  };
  return { passes: () => passes };
};

/** Our patches that set an object's endpoint, as the server received them. */
const ourEndpointWrites = (kind: string) =>
  server.requests.filter(
    (r) => r.method === 'PATCH' && r.fieldManager === 'capt-endpoint' && r.path.includes(`/${kind}/`) && !r.path.endsWith('/status') && JSON.stringify(r.body).includes('controlPlaneEndpoint'),
  ).length;

const condition = () =>
  ((server.store.get(CP_REF)?.['status'] as { conditions?: Array<Record<string, unknown>> } | undefined)?.conditions ?? []).find((c) => c['type'] === 'EndpointReady');

describe('capt-endpoint run beside CAPT', () => {
  it('repairs at most twice, then holds back with EndpointContested naming "manager", and stays quiet while CAPT writes on', async () => {
    const capt = startCapt(100);
    let logs = '';
    stopRun = new AbortController();
    running = main(['run', '--kubeconfig', kubeconfig, '--concurrency', '2'], {
      env: {},
      signal: stopRun.signal,
      stdout: { write: (text: string) => (logs += text) },
      stderr: { write: () => undefined },
    });
    await eventually(() => condition()?.['reason'] === 'EndpointContested', 20_000);
    expect(String(condition()?.['message'])).toContain('field manager "manager"');
    // Each object reaches its own contest (a patch that met a 409 from CAPT's write counts too).
    await eventually(() => capt.passes() >= 10, 10_000);
    const settled = { cp: ourEndpointWrites('captcontrolplanes'), cluster: ourEndpointWrites('clusters'), passes: capt.passes() };
    expect(settled.cp).toBeLessThanOrEqual(3);
    expect(settled.cluster).toBeLessThanOrEqual(3);

    // CAPT passes on; the endpoint stays as CAPT writes it and we write it no more.
    await eventually(() => capt.passes() >= settled.passes + 10, 10_000);
    expect(ourEndpointWrites('captcontrolplanes')).toBe(settled.cp);
    expect(ourEndpointWrites('clusters')).toBe(settled.cluster);
    expect((server.store.get(CP_REF)?.['spec'] as Record<string, unknown>)['controlPlaneEndpoint']).toEqual({ host: EKS_URL, port: 443 });
    expect(condition()?.['reason']).toBe('EndpointContested');
    expect(String(condition()?.['message'])).toContain('the endpoint of CAPTControlPlane and Cluster is contested');
    expect(jsonLines(logs).some((l) => l['result'] === 'Contested')).toBe(true);

    stopRun.abort();
    expect(await running).toBe(0);
  });
});
