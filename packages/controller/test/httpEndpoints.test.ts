import * as E from 'fp-ts/lib/Either.js';
import { createControllerMetrics, parseBindAddress, startHttpEndpoints, type HttpEndpoints } from '../src';

const loopback = { host: '127.0.0.1', port: 0 };

describe('parseBindAddress', () => {
  it.each([
    [':8080', { host: '', port: 8080 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9443', { host: '::1', port: 9443 }],
    ['localhost:8081', { host: 'localhost', port: 8081 }],
    ['0', undefined],
  ])('reads %s', (text, expected) => {
    expect(parseBindAddress(text)).toEqual(E.right(expected));
  });

  it.each(['8080', ':', ':65536', 'http://x:1', '[::1]', 'a b:80', ''])('refuses %j with a typed error', (text) => {
    const parsed = parseBindAddress(text);
    expect(E.isLeft(parsed) && parsed.left._tag).toBe('InvalidBindAddress');
  });
});

describe('the HTTP endpoints', () => {
  let endpoints: HttpEndpoints | undefined;
  afterEach(async () => {
    await endpoints?.close();
    endpoints = undefined;
  });

  const url = (address: { host: string; port: number } | undefined, path: string): string => `http://127.0.0.1:${address?.port}${path}`;

  it('serves /healthz and /readyz on the probe address and /metrics on the metrics address', async () => {
    let synced = false;
    const metrics = createControllerMetrics({ processMetrics: false });
    endpoints = await startHttpEndpoints({
      metrics: { address: loopback, registry: metrics.registry },
      health: { address: loopback, healthz: () => ({ ok: true }), readyz: () => (synced ? { ok: true } : { ok: false, reason: 'caches not synced' }) },
    });
    expect(endpoints.metricsAddress?.port).not.toBe(endpoints.healthAddress?.port);
    expect((await fetch(url(endpoints.healthAddress, '/healthz'))).status).toBe(200);
    const notReady = await fetch(url(endpoints.healthAddress, '/readyz'));
    expect([notReady.status, await notReady.text()]).toEqual([503, 'caches not synced\n']);
    synced = true;
    expect((await fetch(url(endpoints.healthAddress, '/readyz'))).status).toBe(200);
    // Each server serves only its own paths.
    expect((await fetch(url(endpoints.healthAddress, '/metrics'))).status).toBe(404);
    expect((await fetch(url(endpoints.metricsAddress, '/healthz'))).status).toBe(404);
    const scraped = await fetch(url(endpoints.metricsAddress, '/metrics'));
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    expect(await scraped.text()).toContain('controller_runtime_reconcile_total{controller="captcontrolplane-endpoint",result="success"} 0');
    expect((await fetch(url(endpoints.metricsAddress, '/metrics'), { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('serves all three on one server when both addresses are the same', async () => {
    const first = await startHttpEndpoints({ health: { address: loopback, healthz: () => ({ ok: true }), readyz: () => ({ ok: true }) } });
    const port = first.healthAddress?.port ?? 0;
    await first.close();
    const address = { host: '127.0.0.1', port };
    const metrics = createControllerMetrics({ processMetrics: false });
    endpoints = await startHttpEndpoints({
      metrics: { address, registry: metrics.registry },
      health: { address, healthz: () => ({ ok: false, reason: 'not renewing the Lease' }), readyz: () => ({ ok: true }) },
    });
    expect(endpoints.metricsAddress).toEqual(endpoints.healthAddress);
    expect((await fetch(url(address, '/metrics'))).status).toBe(200);
    expect((await fetch(url(address, '/healthz'))).status).toBe(503);
  });

  it('rejects, listening on nothing, when an address is taken', async () => {
    endpoints = await startHttpEndpoints({ health: { address: loopback, healthz: () => ({ ok: true }), readyz: () => ({ ok: true }) } });
    const taken = { host: '127.0.0.1', port: endpoints.healthAddress?.port ?? 0 };
    const metrics = createControllerMetrics({ processMetrics: false });
    await expect(startHttpEndpoints({ metrics: { address: taken, registry: metrics.registry } })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('the controller metrics', () => {
  it('counts reconciles under controller-runtime names and the project\'s own', async () => {
    const metrics = createControllerMetrics({ processMetrics: false });
    let depth = 3;
    metrics.queueDepth(() => depth);
    metrics.queueAdded();
    metrics.queueRetried();
    metrics.request('PATCH', 200);
    metrics.request('GET', undefined);
    metrics.leading(true);
    metrics.reconciled({ controlPlane: 'a/cp', label: 'success', seconds: 0.02, result: 'Updated', updated: ['CAPTControlPlane', 'Cluster'], contested: 1 });
    metrics.reconciled({ controlPlane: 'a/other', label: 'success', seconds: 0.01, result: 'Drift', updated: [], contested: 0 });
    metrics.reconciled({ controlPlane: 'a/third', label: 'error', seconds: 0.5, result: undefined, updated: [], contested: 0 });
    depth = 1;
    const text = await metrics.registry.metrics();
    const line = (prefix: string): string | undefined => text.split('\n').find((l) => l.startsWith(prefix));
    expect(line('controller_runtime_reconcile_total{controller="captcontrolplane-endpoint",result="success"}')).toMatch(/ 2$/);
    expect(line('controller_runtime_reconcile_total{controller="captcontrolplane-endpoint",result="error"}')).toMatch(/ 1$/);
    expect(line('controller_runtime_reconcile_errors_total')).toMatch(/ 1$/);
    expect(line('controller_runtime_reconcile_time_seconds_count')).toMatch(/ 3$/);
    expect(line('workqueue_depth{name="captcontrolplane-endpoint"}')).toMatch(/ 1$/);
    expect(line('workqueue_adds_total')).toMatch(/ 1$/);
    expect(line('workqueue_retries_total')).toMatch(/ 1$/);
    expect(line('rest_client_requests_total{method="PATCH",code="200"}')).toMatch(/ 1$/);
    expect(line('rest_client_requests_total{method="GET",code="<error>"}')).toMatch(/ 1$/);
    expect(line('leader_election_master_status{name="captcontrolplane-endpoint"}')).toMatch(/ 1$/);
    expect(line('capt_endpoint_endpoint_writes_total{object="Cluster"}')).toMatch(/ 1$/);
    expect(line('capt_endpoint_contested_writes_total')).toMatch(/ 1$/);
    expect(line('capt_endpoint_reconcile_results_total{result="Error"}')).toMatch(/ 1$/);
    expect(line('capt_endpoint_drifted_control_planes')).toMatch(/ 1$/);
    metrics.reconciled({ controlPlane: 'a/other', label: 'success', seconds: 0.01, result: 'UpToDate', updated: [], contested: 0 });
    expect((await metrics.registry.metrics()).split('\n').find((l) => l.startsWith('capt_endpoint_drifted_control_planes'))).toMatch(/ 0$/);
  });

  it('keeps two controllers\' metrics apart (no global registry)', async () => {
    const one = createControllerMetrics({ processMetrics: false });
    const two = createControllerMetrics({ processMetrics: false });
    one.queueAdded();
    expect(await two.registry.metrics()).toContain('workqueue_adds_total{name="captcontrolplane-endpoint"} 0');
  });
});
