// Requests counted by the server: kube-apiserver's audit log, not our own model, tallies what
// `capt-endpoint run` (deploy/'s RBAC, a TokenRequest token, leader election on) asks for, per
// verb and resource: a cold start over control planes whose Workspaces are already applied, then
// a steady window several watch timeouts long. Goals: the first set writes 3 objects per control
// plane (plus its Event); the steady window writes nothing but the Lease and reads nothing but
// watches. `npm run bench` measures the same at 1,000 to 10,000 control planes for
// docs/benchmarks.md ("Requests counted by the server"); this test holds the goals on every run.
import { CoreV1Api } from '@kubernetes/client-node';
import type { Envtest } from '@capt-endpoint/envtest';
import { captClusterNames, createCaptCluster, endpointOf, readCluster, terraformApplied } from './captOnServer';
import {
  CONTROLLER_USER,
  WRITE_VERBS,
  applyObjects,
  deployRbacObjects,
  readAudit,
  resourceOf,
  serviceAccountToken,
  sleep,
  startAuditedEnvtest,
  startControllerProcess,
  tally,
  waitUntil,
  type AuditEvent,
  type ControllerProcess,
} from './realDeploy';

const CONTROL_PLANES = 20;
const NAMESPACE = 'fleet';
// CAPT requeues every 30 s: one of its periods. (The informers renew their watches every 300 s.)
const STEADY_WINDOW_MS = 30_000;

let env: Envtest;
let controller: ControllerProcess | undefined;

beforeAll(async () => {
  env = await startAuditedEnvtest();
  await applyObjects(env.kubeConfig, deployRbacObjects());
  await env.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
});
afterAll(async () => {
  await controller?.stop();
  await env?.stop();
});

const ours = (events: readonly AuditEvent[]) => events.filter((e) => e.user.username === CONTROLLER_USER);
const isLease = (e: AuditEvent) => e.objectRef?.resource === 'leases';
const perControlPlane = (count: number) => (count / CONTROL_PLANES).toFixed(2);

it(`cold start over ${CONTROL_PLANES} applied control planes: 3 writes each (and an Event); then a steady ${STEADY_WINDOW_MS / 1000} s: no write but the Lease, no read but watches`, async () => {
  const names = Array.from({ length: CONTROL_PLANES }, (_, i) => captClusterNames(NAMESPACE, `cp-${i}`));
  for (const cluster of names) {
    await createCaptCluster(env.kubeConfig, cluster);
    await terraformApplied(env.kubeConfig, cluster, `10.0.${Math.floor(names.indexOf(cluster) / 250)}.${(names.indexOf(cluster) % 250) + 1}`, 'outputs');
  }
  const startedAt = performance.now();
  controller = await startControllerProcess(env, await serviceAccountToken(env.kubeConfig), 'counted', [
    '--leader-elect-lease-duration=15s',
    '--leader-elect-renew-deadline=10s',
    '--leader-elect-retry-period=2s',
  ]);
  const unset = async () => (await Promise.all(names.map(async (n) => endpointOf(await readCluster(env.kubeConfig, n)) === undefined))).some(Boolean);
  await waitUntil('every endpoint set', async () => !(await unset()), 60_000);
  // Let the last status writes and Events land before the window closes.
  await sleep(2_000);
  const coldSeconds = (performance.now() - startedAt) / 1000;
  const cold = ours(readAudit(env));
  const coldWrites = cold.filter((e) => WRITE_VERBS.has(e.verb));
  const objectWrites = coldWrites.filter((e) => !isLease(e) && e.objectRef?.resource !== 'events');

  const steadyFrom = new Set(readAudit(env).map((e) => e.auditID));
  await sleep(STEADY_WINDOW_MS);
  const steady = ours(readAudit(env)).filter((e) => !steadyFrom.has(e.auditID));
  const steadyWrites = steady.filter((e) => WRITE_VERBS.has(e.verb));

  process.stderr.write(
    [
      '',
      `requests counted by the server, ${CONTROL_PLANES} control planes:`,
      `cold start (${coldSeconds.toFixed(1)} s to every endpoint set + 2 s): ${cold.length} requests, ${coldWrites.length} writes (${objectWrites.length} to the objects, ${perControlPlane(objectWrites.length)} per control plane)`,
      JSON.stringify(tally(cold)),
      `steady window (${STEADY_WINDOW_MS / 1000} s): ${steady.length} requests, ${steadyWrites.length} writes (${steadyWrites.filter((e) => !isLease(e)).length} outside the Lease)`,
      JSON.stringify(tally(steady)),
      '',
    ].join('\n'),
  );

  expect(cold.filter((e) => e.responseStatus?.code === 403)).toEqual([]);
  // The first set: the control plane, the Cluster and the control plane's status, once each.
  expect(tally(objectWrites)).toEqual({
    'patch cluster.x-k8s.io/clusters': CONTROL_PLANES,
    'patch controlplane.cluster.x-k8s.io/captcontrolplanes': CONTROL_PLANES,
    'patch controlplane.cluster.x-k8s.io/captcontrolplanes/status': CONTROL_PLANES,
  });
  // Steady: the Lease's renewals are the only writes; besides the Lease, nothing but watches.
  expect(steadyWrites.filter((e) => !isLease(e)).map((e) => `${e.verb} ${resourceOf(e)}`)).toEqual([]);
  expect(steady.filter((e) => !isLease(e) && e.verb !== 'watch').map((e) => `${e.verb} ${resourceOf(e)}`)).toEqual([]);
});
