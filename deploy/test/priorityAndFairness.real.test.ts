// API Priority and Fairness on kube-apiserver 1.37, as deploy/ installs the controller: the
// Lease requests of its ServiceAccount in its namespace are classified by deploy/'s FlowSchema
// at the built-in `leader-election` priority level (kube-controller-manager's); its other
// requests, and Lease requests by another account or in another namespace, stay with the
// suggested `service-accounts` FlowSchema at `workload-low`. The server names the FlowSchema and
// priority level of every answer by uid (X-Kubernetes-PF-FlowSchema-UID and
// X-Kubernetes-PF-PriorityLevel-UID) and counts what it dispatched per FlowSchema on /metrics.
import { ApiException, CoordinationV1Api, CoreV1Api, CustomObjectsApi, FlowcontrolApiserverV1Api } from '@kubernetes/client-node';
import type { Envtest } from '@capt-endpoint/envtest';
import { CONTROL_PLANE } from './captOnServer';
import {
  CONTROLLER_NAMESPACE,
  CONTROLLER_USER,
  FAST_LEADER_ELECTION,
  applyObjects,
  credentialOf,
  credentialOfToken,
  deployRbacObjects,
  readAudit,
  scrapeMetrics,
  serviceAccountToken,
  startAuditedEnvtest,
  startControllerProcess,
  waitUntil,
  type ControllerProcess,
} from './realDeploy';

const OURS = deployRbacObjects().find((object) => object.kind === 'FlowSchema')!.metadata.name;
const LEADER_ELECTION = { flowSchema: OURS, priorityLevel: 'leader-election' };
const SERVICE_ACCOUNTS = { flowSchema: 'service-accounts', priorityLevel: 'workload-low' };

let env: Envtest;
let controller: ControllerProcess | undefined;
const flowControl = () => env.kubeConfig.makeApiClient(FlowcontrolApiserverV1Api);

beforeAll(async () => {
  env = await startAuditedEnvtest();
  await applyObjects(env.kubeConfig, deployRbacObjects());
  // The server's APF controller marks a FlowSchema not dangling once it has taken it in (and
  // found its priority level): from then on it classifies requests with it.
  await waitUntil(`FlowSchema ${OURS} taken in`, async () => {
    const conditions = (await flowControl().readFlowSchema({ name: OURS })).status?.conditions ?? [];
    return conditions.some((condition) => condition.type === 'Dangling' && condition.status === 'False');
  });
});
afterAll(async () => {
  await controller?.stop();
  await env?.stop();
});

/** The FlowSchema and priority level an answer's headers name, by the uids the server holds. */
const classification = async (headers: Record<string, string>): Promise<{ flowSchema: string; priorityLevel: string }> => {
  const [schemas, levels] = await Promise.all([flowControl().listFlowSchema(), flowControl().listPriorityLevelConfiguration()]);
  const nameOf = (items: ReadonlyArray<{ metadata?: { name?: string; uid?: string } }>, uid: string | undefined): string =>
    items.find((item) => item.metadata?.uid !== undefined && item.metadata.uid === uid)?.metadata?.name ?? `no object has uid ${String(uid)}`;
  return {
    flowSchema: nameOf(schemas.items, headers['x-kubernetes-pf-flowschema-uid']),
    priorityLevel: nameOf(levels.items, headers['x-kubernetes-pf-prioritylevel-uid']),
  };
};

/** A request's status and classification; a refusal (an ApiException) is an answer too, classified before authorization. */
const classify = async (request: () => Promise<{ httpStatusCode: number; headers: Record<string, string> }>) => {
  const answer = await request().catch((error: unknown) => {
    if (error instanceof ApiException) return { httpStatusCode: error.code, headers: error.headers };
    throw error;
  });
  return { status: answer.httpStatusCode, ...(await classification(answer.headers)) };
};

/** kube-apiserver's apiserver_flowcontrol_dispatched_requests_total, by `flowSchema priorityLevel` (read as the admin). */
const dispatched = async (): Promise<Map<string, number>> => {
  const { status, body: text } = await scrapeMetrics(new URL(env.server).host, env.kubeConfig.getCurrentUser()?.token);
  if (status !== 200) throw new Error(`kube-apiserver's /metrics answered ${status}`);
  const counts = new Map<string, number>();
  for (const line of text.split('\n').filter((l) => l.startsWith('apiserver_flowcontrol_dispatched_requests_total{'))) {
    const label = (name: string) => new RegExp(`[{,]${name}="([^"]*)"`).exec(line)?.[1] ?? '';
    counts.set(`${label('flow_schema')} ${label('priority_level')}`, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
};

it("classifies the ServiceAccount's Lease requests in its namespace by deploy/'s FlowSchema at leader-election, and nothing else", async () => {
  const ours = env.kubeConfigForToken(await serviceAccountToken(env.kubeConfig), 'controller');
  await env.kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: CONTROLLER_NAMESPACE, body: { metadata: { name: 'neighbour' } } });
  const neighbour = env.kubeConfigForToken(await serviceAccountToken(env.kubeConfig, CONTROLLER_NAMESPACE, 'neighbour'), 'neighbour');
  const leases = ours.makeApiClient(CoordinationV1Api);
  const lease = { namespace: CONTROLLER_NAMESPACE, name: 'apf-check' };

  const answers = {
    'create its Lease': await classify(() => leases.createNamespacedLeaseWithHttpInfo({ namespace: CONTROLLER_NAMESPACE, body: { metadata: { name: lease.name }, spec: { holderIdentity: 'a' } } })),
    'get its Lease': await classify(() => leases.readNamespacedLeaseWithHttpInfo(lease)),
    'patch its Lease': await classify(() => leases.patchNamespacedLeaseWithHttpInfo({ ...lease, body: [{ op: 'replace', path: '/spec/holderIdentity', value: 'b' }] })),
    // deploy/'s Role grants no update: refused, but classified first.
    'update its Lease': await classify(() => leases.replaceNamespacedLeaseWithHttpInfo({ ...lease, body: { metadata: { name: lease.name }, spec: { holderIdentity: 'c' } } })),
    'list its Leases': await classify(() => leases.listNamespacedLeaseWithHttpInfo({ namespace: CONTROLLER_NAMESPACE })),
    'get a Lease in another namespace': await classify(() => leases.readNamespacedLeaseWithHttpInfo({ namespace: 'default', name: lease.name })),
    'list CAPTControlPlanes': await classify(() => ours.makeApiClient(CustomObjectsApi).listCustomObjectForAllNamespacesWithHttpInfo(CONTROL_PLANE)),
    "another account gets the controller's Lease": await classify(() => neighbour.makeApiClient(CoordinationV1Api).readNamespacedLeaseWithHttpInfo(lease)),
  };

  expect(answers).toEqual({
    'create its Lease': { status: 201, ...LEADER_ELECTION },
    'get its Lease': { status: 200, ...LEADER_ELECTION },
    'patch its Lease': { status: 200, ...LEADER_ELECTION },
    'update its Lease': { status: 403, ...LEADER_ELECTION },
    'list its Leases': { status: 403, ...SERVICE_ACCOUNTS },
    'get a Lease in another namespace': { status: 403, ...SERVICE_ACCOUNTS },
    'list CAPTControlPlanes': { status: 200, ...SERVICE_ACCOUNTS },
    "another account gets the controller's Lease": { status: 403, ...SERVICE_ACCOUNTS },
  });
});

it("dispatches every Lease request of the running controller at leader-election, and its other requests at workload-low", async () => {
  const token = await serviceAccountToken(env.kubeConfig);
  const before = await dispatched();
  controller = await startControllerProcess(env, token, 'apf', FAST_LEADER_ELECTION);
  const byController = () => readAudit(env).filter((e) => e.user.username === CONTROLLER_USER && credentialOf(e) === credentialOfToken(token));
  const isLease = (e: { objectRef?: { resource?: string } }) => e.objectRef?.resource === 'leases';
  // It leads (get, create) and renews a few times (patches), then releases the Lease on SIGTERM.
  await waitUntil('the controller renewing its Lease', () => byController().filter((e) => isLease(e) && e.verb === 'patch').length >= 3);
  expect(await controller.stop()).toBe(0);
  const after = await dispatched();
  const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

  const requests = byController();
  const leaseRequests = requests.filter(isLease);
  expect(new Set(leaseRequests.map((e) => e.verb))).toEqual(new Set(['get', 'create', 'patch']));
  expect({ leaderElection: delta(`${OURS} leader-election`), serviceAccounts: delta('service-accounts workload-low') }).toEqual({
    leaderElection: leaseRequests.length,
    serviceAccounts: requests.length - leaseRequests.length,
  });
});
