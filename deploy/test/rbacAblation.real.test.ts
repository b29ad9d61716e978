// deploy/'s RBAC is least privilege, proven by taking it apart: with every rule the controller
// does its whole job (the end-to-end test shows 0 forbidden answers); with any single rule of
// deploy/'s roles removed, the server refuses it (a 403 in the audit log, on a resource the rule
// named) and the controller says so: a typed ApiForbidden error in its log, an EndpointReady
// condition, or a /readyz that is not ready. The whole job includes serving /metrics to a
// scraper bound to the metrics reader role (the reviews' rules). A rule added later that nothing needs leaves no
// 403, and its check fails.
import { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import type { Envtest } from '@capt-endpoint/envtest';
import { captClusterNames, conditionOf, createCaptCluster, endpointOf, readCluster, readControlPlane, terraformApplied } from './captOnServer';
import { boundRoles, type Manifest, type Rule } from './deployRbac';
import {
  CONTROLLER_USER,
  FAST_LEADER_ELECTION,
  applyObjects,
  credentialOf,
  credentialOfToken,
  deployRbacObjects,
  readAudit,
  resourceOf,
  scrapeMetrics,
  scraperToken,
  serviceAccountToken,
  startAuditedEnvtest,
  startControllerProcess,
  waitUntil,
  type ControllerProcess,
} from './realDeploy';

const EKS_URL = 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com';
const EKS_ENDPOINT = { host: '0123456789abcdef0123456789abcdef.gr7.us-west-2.eks.amazonaws.com', port: 443 };

// The controller's roles: those bound to its ServiceAccount (the scrapers' metrics reader is
// bound to nobody by deploy/; metricsAuth.real.test.ts shows what it grants).
const controllerRoles = new Set([...boundRoles('ClusterRole'), ...boundRoles('Role')].map((role) => `${role.namespace ?? ''}/${role.name}`));
const roles = deployRbacObjects().filter(
  (object) => (object.kind === 'ClusterRole' || object.kind === 'Role') && controllerRoles.has(`${object.metadata.namespace ?? ''}/${object.metadata.name}`),
);
const rulesOf = (role: Manifest): Rule[] => (role['rules'] as Rule[] | undefined) ?? [];
const describeRule = (rule: Rule): string => `${rule.verbs.join(',')} ${(rule.apiGroups ?? []).map((g) => g || 'core').join(',')}/${(rule.resources ?? []).join(',')}`;
const ablations = roles.flatMap((role) => rulesOf(role).map((rule, index) => ({ role, index, rule, name: `${role.kind} ${role.metadata.name} without rule ${index + 1} (${describeRule(rule)})` })));

let env: Envtest;
let run = 0;
let scraper: string;

beforeAll(async () => {
  env = await startAuditedEnvtest();
  await applyObjects(env.kubeConfig, deployRbacObjects());
  scraper = await scraperToken(env.kubeConfig, 'prometheus', true);
});
const findings: string[] = [];
afterAll(async () => {
  if (findings.length > 0) process.stderr.write(`\ndeploy/ RBAC by ablation:\n${findings.join('\n')}\n`);
  await env?.stop();
});

const replaceRole = (role: Manifest): Promise<unknown> => KubernetesObjectApi.makeApiClient(env.kubeConfig).replace(role as never);

/**
 * One run of the controller under the roles as they are now: a cluster whose endpoint is in its
 * connection Secret, Terraform done. With `until: 'done'` it resolves when the endpoint is set
 * with EndpointReady True; with `until: 'refused'`, when the server has refused the controller
 * and the controller has said so. Either way, after `ms` at the latest. A run under a rule that
 * only best-effort work needs (Events) gets the endpoint set before its refusal is logged, so a
 * refused run never stops at the endpoint.
 */
const attempt = async (ms: number, until: 'done' | 'refused') => {
  const token = await serviceAccountToken(env.kubeConfig);
  const credential = credentialOfToken(token);
  const namespace = `ablation-${++run}`;
  await env.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const controller: ControllerProcess = await startControllerProcess(env, token, `ablation-${run}`, FAST_LEADER_ELECTION);
  const names = captClusterNames(namespace, 'demo');
  await createCaptCluster(env.kubeConfig, names);
  await terraformApplied(env.kubeConfig, names, EKS_URL, 'secret');
  const forbidden = () => readAudit(env).filter((e) => e.user.username === CONTROLLER_USER && credentialOf(e) === credential && e.responseStatus?.code === 403);
  const observe = async () => {
    const controlPlane = await readControlPlane(env.kubeConfig, names);
    const cluster = await readCluster(env.kubeConfig, names);
    const condition = conditionOf(controlPlane, 'EndpointReady');
    const scrape = (await scrapeMetrics(controller.metrics, scraper)).status;
    return {
      done:
        JSON.stringify(endpointOf(controlPlane)) === JSON.stringify(EKS_ENDPOINT) &&
        JSON.stringify(endpointOf(cluster)) === JSON.stringify(EKS_ENDPOINT) &&
        condition?.['status'] === 'True' &&
        scrape === 200,
      scrape,
      forbidden: forbidden().map((e) => `${e.verb} ${resourceOf(e)}`),
      typedError: controller.lines().filter((line) => line['reason'] === 'ApiForbidden').map((line) => String(line['msg'])),
      condition: /Forbidden/.test(String(condition?.['reason'])) ? `${String(condition?.['reason'])}: ${String(condition?.['message'])}` : undefined,
      readyz: await controller.probe('/readyz'),
    };
  };
  try {
    let last = await observe();
    await waitUntil(
      'the endpoint set, or a 403 surfaced',
      async () => {
        last = await observe();
        const surfaced = last.typedError.length > 0 || last.condition !== undefined || last.readyz !== 200;
        return until === 'done' ? last.done : last.forbidden.length > 0 && surfaced;
      },
      ms,
    ).catch(() => undefined);
    return last;
  } finally {
    await controller.stop();
  }
};

describe('deploy/ RBAC by ablation', () => {
  it('with every rule: the endpoint is set and nothing is refused', async () => {
    const seen = await attempt(60_000, 'done');
    expect(seen.forbidden).toEqual([]);
    expect(seen.done).toBe(true);
  });

  it.each(ablations.map((a) => [a.name, a] as const))('%s: refused with a 403 on that rule, and surfaced', async (_name, { role, index, rule }) => {
    await replaceRole({ ...role, rules: rulesOf(role).filter((_, i) => i !== index) });
    try {
      const seen = await attempt(40_000, 'refused');
      const named = new Set((rule.apiGroups ?? []).flatMap((group) => (rule.resources ?? []).map((resource) => `${group}/${resource}`)));
      // The server refused a request that this rule, and only it, allowed.
      expect(seen.forbidden.filter((request) => named.has(request.split(' ')[1] ?? ''))).not.toEqual([]);
      // The controller said so, in one of the three places an operator looks.
      const surfaced = seen.typedError.length > 0 || seen.condition !== undefined || seen.readyz !== 200;
      expect(surfaced ? 'surfaced' : { typedError: seen.typedError, condition: seen.condition, readyz: seen.readyz }).toBe('surfaced');
      const how = [seen.typedError.length > 0 ? 'ApiForbidden in the log' : '', seen.condition ?? '', seen.readyz !== 200 ? `/readyz ${seen.readyz}` : ''].filter(Boolean).join(', ');
      // Whether the rest of the job got done is not the test: without the Events rule the
      // endpoint is still set (Events are best effort), and the refusal is what must show.
      findings.push(`  ${describeRule(rule)}: refused ${[...new Set(seen.forbidden)].join(', ')}; ${how}${seen.done ? '; the rest of the job done' : ''}`);
    } finally {
      await replaceRole(role);
    }
  });
});
