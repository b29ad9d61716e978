import { connect, type Socket } from 'node:net';
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

describe('clients that would hold the HTTP endpoints open (loopback only)', () => {
  let endpoints: HttpEndpoints | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await endpoints?.close();
    endpoints = undefined;
  });

  // Short limits so that each case ends in well under a second; every wait below is bounded.
  const limits = { idleTimeoutMs: 150, headersTimeoutMs: 200, requestTimeoutMs: 300, keepAliveTimeoutMs: 100, maxConnections: 4 };
  const start = async (): Promise<number> => {
    const metrics = createControllerMetrics({ processMetrics: false });
    endpoints = await startHttpEndpoints({
      metrics: { address: loopback, registry: metrics.registry },
      health: { address: loopback, healthz: () => ({ ok: true }), readyz: () => ({ ok: true }) },
      limits,
    });
    return endpoints.healthAddress?.port ?? 0;
  };
  /** A raw connection, and a promise of what it heard before it was closed (or `open` after `ms`). */
  const connection = (port: number, ms = 5_000): { socket: Socket; ended: Promise<string> } => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let heard = '';
    socket.on('data', (chunk: Buffer) => (heard += chunk.toString()));
    socket.on('error', () => undefined);
    const ended = new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('open'), ms);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(heard === '' ? 'closed' : heard.split('\r\n')[0]!);
      });
    });
    return { socket, ended };
  };

  it('closes sockets that never send a byte', async () => {
    const port = await start();
    const silent = Array.from({ length: 3 }, () => connection(port));
    expect(await Promise.all(silent.map((c) => c.ended))).toEqual(['closed', 'closed', 'closed']);
  });

  it('answers 408 and closes a socket that dribbles its headers one byte at a time', async () => {
    const port = await start();
    const { socket, ended } = connection(port);
    const request = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'a'.repeat(200);
    let at = 0;
    // One byte every 20 ms: each keeps the socket from being idle, none completes the headers. At most 200 bytes.
    const dribble = setInterval(() => (at < request.length && !socket.destroyed ? socket.write(request[at++]!) : clearInterval(dribble)), 20);
    const heard = await ended;
    clearInterval(dribble);
    expect(heard).toBe('HTTP/1.1 408 Request Timeout');
    expect(at).toBeLessThan(request.length);
  });

  it('closes an idle keep-alive connection after its request was answered', async () => {
    const port = await start();
    const { socket, ended } = connection(port);
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(await ended).toBe('HTTP/1.1 200 OK');
  });

  it('closes connections beyond the cap as they arrive, and serves again once they are gone', async () => {
    const port = await start();
    const held = Array.from({ length: limits.maxConnections }, () => connection(port));
    await Promise.all(held.map(({ socket }) => new Promise((resolve) => socket.once('connect', resolve))));
    // Give the server the held connections before the extra one arrives.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const extra = connection(port, 1_000);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(await extra.ended).toBe('closed');
    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map(({ ended }) => ended));
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
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
    expect(line('workqueue_depth{name="captcontrolplane-endpoint",controller="captcontrolplane-endpoint"}')).toMatch(/ 1$/);
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
    expect(await two.registry.metrics()).toContain('workqueue_adds_total{name="captcontrolplane-endpoint",controller="captcontrolplane-endpoint"} 0');
  });

  it("has controller-runtime's work queue and worker metrics, with its labels, and no leader series until told", async () => {
    const metrics = createControllerMetrics({ processMetrics: false });
    const fresh = await metrics.registry.metrics();
    const labels = '{name="captcontrolplane-endpoint",controller="captcontrolplane-endpoint"}';
    for (const zero of [
      `workqueue_queue_duration_seconds_count${labels} 0`,
      `workqueue_work_duration_seconds_count${labels} 0`,
      `workqueue_unfinished_work_seconds${labels} 0`,
      `workqueue_longest_running_processor_seconds${labels} 0`,
      'controller_runtime_active_workers{controller="captcontrolplane-endpoint"} 0',
      'controller_runtime_reconcile_panics_total{controller="captcontrolplane-endpoint"} 0',
    ])
      expect(fresh).toContain(zero);
    expect(fresh).not.toMatch(/^leader_election_master_status\{/m);
    metrics.queueHandedOut(2_500);
    metrics.queueFinished(40);
    metrics.queueInFlight(() => ({ totalMs: 1_500, longestMs: 1_000 }));
    metrics.workerBusy(true);
    metrics.workerBusy(true);
    metrics.workerBusy(false);
    metrics.panicked();
    metrics.leading(false);
    const text = await metrics.registry.metrics();
    for (const line of [
      // controller-runtime's buckets: 1e-8 s to 1000 s, ten times apart.
      `workqueue_queue_duration_seconds_bucket{le="1",name="captcontrolplane-endpoint",controller="captcontrolplane-endpoint"} 0`,
      `workqueue_queue_duration_seconds_bucket{le="10",name="captcontrolplane-endpoint",controller="captcontrolplane-endpoint"} 1`,
      `workqueue_queue_duration_seconds_sum${labels} 2.5`,
      `workqueue_work_duration_seconds_sum${labels} 0.04`,
      `workqueue_unfinished_work_seconds${labels} 1.5`,
      `workqueue_longest_running_processor_seconds${labels} 1`,
      'controller_runtime_active_workers{controller="captcontrolplane-endpoint"} 1',
      'controller_runtime_reconcile_panics_total{controller="captcontrolplane-endpoint"} 1',
      'leader_election_master_status{name="captcontrolplane-endpoint"} 0',
    ])
      expect(text).toContain(line);
  });
});
