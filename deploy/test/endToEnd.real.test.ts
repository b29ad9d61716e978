// CAPTEP-0013's end-to-end test, on a real kube-apiserver with the real CRDs, deployed as an
// operator deploys it: deploy/kubernetes's RBAC objects applied as written, `capt-endpoint run`
// as its own process with a token the TokenRequest API issued for deploy/'s ServiceAccount, and
// CAPT's controller writing beside it through the same server. A cluster is created as CAPT's
// users create it; Terraform finishes later; the endpoint lands on both objects with
// EndpointReady True; deleting the control plane clears the Cluster's endpoint. The server's
// audit log then shows that the controller was never refused.
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Envtest } from '@capt-endpoint/envtest';
import {
  CONTROL_PLANE,
  CaptOnServer,
  captClusterNames,
  conditionOf,
  createCaptCluster,
  endpointOf,
  readCluster,
  readControlPlane,
  terraformApplied,
} from './captOnServer';
import {
  CONTROLLER_USER,
  FAST_LEADER_ELECTION,
  applyObjects,
  deployRbacObjects,
  readAudit,
  resourceOf,
  serviceAccountToken,
  sleep,
  startAuditedEnvtest,
  startControllerProcess,
  waitUntil,
  type ControllerProcess,
} from './realDeploy';

const NAMESPACE = 'team-a';
let env: Envtest;
let controller: ControllerProcess;

beforeAll(async () => {
  env = await startAuditedEnvtest();
  await applyObjects(env.kubeConfig, deployRbacObjects());
  await env.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
  controller = await startControllerProcess(env, await serviceAccountToken(env.kubeConfig), 'replica-a', FAST_LEADER_ELECTION);
  await waitUntil('the controller leads', () => controller.lines().some((line) => line['msg'] === 'leading'));
});

afterAll(async () => {
  await controller?.stop();
  await env?.stop();
});

/** CAPT's controller passing every 250 ms (its watch and its 30 s requeue, compressed), until stopped. */
const captBeside = (capt: CaptOnServer) => {
  let running = true;
  const loop = (async () => {
    while (running) {
      await capt.pass().catch(() => undefined);
      await sleep(250);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
};

// The output case uses a bare address (as GKE modules give it): CAPT writes the raw output as
// host and 443 as port, which is what capt-endpoint reads from it, so the two agree. With an EKS
// URL as output, CAPT writes the URL as host and the two contest the field (EndpointContested, the
// cli's besideCapt test). The Secret case uses the EKS URL: CAPT reads outputs only.
describe.each([
  ['outputs', '34.118.10.20', { host: '34.118.10.20', port: 443 }],
  ['secret', 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com', { host: '0123456789abcdef0123456789abcdef.gr7.us-west-2.eks.amazonaws.com', port: 443 }],
] as const)('from the Workspace %s, beside CAPT', (via, value, endpoint) => {
  it('sets the endpoint on both objects with EndpointReady True once Terraform has applied, and clears the Cluster on deletion', async () => {
    const admin = env.kubeConfig;
    const names = captClusterNames(NAMESPACE, `demo-${via}`);
    await createCaptCluster(admin, names);
    const capt = new CaptOnServer(admin, names);
    const stopCapt = captBeside(capt);
    try {
      // Terraform is still applying: the controller waits and says so.
      const waiting = await waitUntil('EndpointReady False while Terraform applies', async () => {
        const condition = conditionOf(await readControlPlane(admin, names), 'EndpointReady');
        return condition?.['status'] === 'False' ? condition : undefined;
      });
      expect(endpointOf(await readControlPlane(admin, names))).toBeUndefined();
      expect(waiting['reason']).toMatch(/^WaitingFor/);

      await terraformApplied(admin, names, value, via);
      await waitUntil('the endpoint on both objects, EndpointReady True', async () => {
        const controlPlane = await readControlPlane(admin, names);
        const cluster = await readCluster(admin, names);
        return (
          JSON.stringify(endpointOf(controlPlane)) === JSON.stringify(endpoint) &&
          JSON.stringify(endpointOf(cluster)) === JSON.stringify(endpoint) &&
          conditionOf(controlPlane, 'EndpointReady')?.['status'] === 'True'
        );
      });
      // CAPT passes on; nothing moves.
      await sleep(1_500);
      const settled = await readControlPlane(admin, names);
      expect(endpointOf(settled)).toEqual(endpoint);
      expect(conditionOf(settled, 'EndpointReady')).toMatchObject({ status: 'True' });
      expect(conditionOf(settled, 'Ready')).toMatchObject({ status: 'True', reason: 'Ready' });

      // Deleted: CAPT's finalizer holds the control plane while capt-endpoint clears the Cluster's endpoint.
      await admin.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ ...CONTROL_PLANE, namespace: NAMESPACE, name: names.name });
      await waitUntil('the Cluster endpoint cleared', async () => {
        const spec = endpointOf(await readCluster(admin, names)) as { host?: string } | undefined;
        return spec === undefined || spec.host === '' || spec.host === undefined;
      });
      await capt.finishDeletion();
      await waitUntil('the control plane gone', async () => (await readControlPlane(admin, names)) === undefined);
    } finally {
      await stopCapt();
    }
    expect(capt.writes).toBeGreaterThan(0);
  });
});

describe('what the server saw', () => {
  it('the controller made its requests as deploy/\'s ServiceAccount and was never refused (0 forbidden)', () => {
    const ours = readAudit(env).filter((event) => event.user.username === CONTROLLER_USER);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((event) => event.responseStatus?.code === 403).map((event) => `${event.verb} ${resourceOf(event)}`)).toEqual([]);
    // Its condition, at least, it always writes itself (the endpoints' writers race with CAPT's where the two agree).
    expect(ours.some((event) => event.verb === 'patch' && resourceOf(event) === 'controlplane.cluster.x-k8s.io/captcontrolplanes/status')).toBe(true);
  });
});
