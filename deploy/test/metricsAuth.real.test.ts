// Secure metrics on the real server, as deploy/ installs the controller: each scrape's bearer
// token is reviewed by kube-apiserver's own TokenReview and SubjectAccessReview, under deploy/'s
// RBAC (create on both reviews for the controller; get on /metrics for whoever an operator binds
// to capt-endpoint-metrics-reader).
import type { Envtest } from '@capt-endpoint/envtest';
import {
  CONTROLLER_USER,
  applyObjects,
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

let env: Envtest;
let controller: ControllerProcess | undefined;

beforeAll(async () => {
  env = await startAuditedEnvtest();
  await applyObjects(env.kubeConfig, deployRbacObjects());
});
afterAll(async () => {
  await controller?.stop();
  await env?.stop();
});

describe('secure metrics through the real TokenReview and SubjectAccessReview', () => {
  it('401 without a token or with a forged one, 403 for a ServiceAccount without get on /metrics, the metrics for one bound to the reader role', async () => {
    const allowed = await scraperToken(env.kubeConfig, 'prometheus', true);
    const unbound = await scraperToken(env.kubeConfig, 'curious', false);
    controller = await startControllerProcess(env, await serviceAccountToken(env.kubeConfig), 'metrics');
    await waitUntil('the controller ready', async () => (await controller!.probe('/readyz')) === 200).catch((error: unknown) => {
      throw new Error(`${String(error)}; its log: ${JSON.stringify(controller?.lines().slice(-5))} ${controller?.stderr().slice(-2000)}`);
    });

    expect((await scrapeMetrics(controller.metrics)).status).toBe(401);
    // A token the server did not sign: the TokenReview says unauthenticated.
    const forged = `${allowed.split('.').slice(0, 2).join('.')}.c2lnbmF0dXJl`;
    expect((await scrapeMetrics(controller.metrics, forged)).status).toBe(401);
    expect((await scrapeMetrics(controller.metrics, unbound)).status).toBe(403);
    const scraped = await scrapeMetrics(controller.metrics, allowed);
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('controller_runtime_reconcile_total');

    // The controller asked the server, and was allowed to: a review of each kind, no 403.
    const reviews = readAudit(env).filter((e) => e.user.username === CONTROLLER_USER && /reviews$/.test(resourceOf(e)));
    expect(new Set(reviews.map((e) => `${e.verb} ${resourceOf(e)} ${e.responseStatus?.code}`))).toEqual(
      new Set(['create authentication.k8s.io/tokenreviews 201', 'create authorization.k8s.io/subjectaccessreviews 201']),
    );
    // Nothing of the scrapers' tokens reached the controller's log.
    const log = JSON.stringify(controller.lines()) + controller.stderr();
    for (const token of [allowed, unbound, forged]) expect(log).not.toContain(token.split('.')[2]);
  });
});
