import { getMaxListeners } from 'node:events';
import * as E from 'fp-ts/lib/Either.js';
import { apiError } from '@capt-endpoint/core/adapter';
import { createFakeClient } from '@capt-endpoint/testing';
import { createControllerMetrics, jsonLogger, startController, type Controller, type ControllerOptions } from '../src';
import { EKS_HOST, eventually, initialObjects, manifest, watchedFake } from './helpers';

const CP = ['controlplane.cluster.x-k8s.io/v1beta1', 'CAPTControlPlane', 'team-a', 'demo'] as const;
const CLUSTER = ['cluster.x-k8s.io/v1beta1', 'Cluster', 'team-a', 'demo'] as const;

const setup = (
  options: Partial<Omit<ControllerOptions, 'cluster' | 'logger'>> & { replay?: boolean; objects?: ReturnType<typeof initialObjects>; latency?: number } = {},
) => {
  const fake = createFakeClient(options.objects ?? initialObjects(), { latency: options.latency ?? 0 });
  const cluster = watchedFake(fake, { replay: options.replay });
  let text = '';
  const logger = jsonLogger({ write: (line: string) => (text += line) }, { level: 'debug' });
  const { replay: _replay, objects: _objects, latency: _latency, ...rest } = options;
  const controller = startController({ cluster, logger, concurrency: 2, queue: { baseDelayMs: 20, maxDelayMs: 200, random: () => 0 }, ...rest });
  const logs = () => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { fake, cluster, controller, logs };
};

let running: Controller | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('the controller', () => {
  it('at a concurrency of 16, the signal every request listens on takes their listeners without a leak warning', async () => {
    const fake = createFakeClient(initialObjects());
    const watched = watchedFake(fake);
    const signals: AbortSignal[] = [];
    const cluster = {
      ...watched,
      get: ((ref, options) => {
        if (options?.signal) signals.push(options.signal);
        return watched.get(ref, options);
      }) as typeof watched.get,
    };
    running = startController({ cluster, logger: jsonLogger({ write: () => true }), concurrency: 16 });
    await eventually(() => signals.length > 0);
    expect(getMaxListeners(signals[0]!)).toBeGreaterThanOrEqual(16 * 2);
  });

  it('waits, then sets the endpoint when the Workspace gains its output, woken by the Workspace change', async () => {
    const { fake, controller, logs } = setup();
    running = controller;
    await eventually(() => logs().some((l) => l['result'] === 'Waiting'));
    expect(fake.get(...CP)?.['spec']).not.toHaveProperty('controlPlaneEndpoint');

    manifest('later/workspace-applied.yaml').forEach((object) => fake.put(object));
    await eventually(() => logs().some((l) => l['result'] === 'Updated'));
    expect(fake.get(...CP)?.['spec']).toMatchObject({ controlPlaneEndpoint: { host: EKS_HOST, port: 443 } });
    expect(fake.get(...CLUSTER)?.['spec']).toMatchObject({ controlPlaneEndpoint: { host: EKS_HOST, port: 443 } });
    expect(logs()).toContainEqual(expect.objectContaining({ msg: 'dependency changed', controlPlane: 'team-a/demo', changed: 'Workspace demo-eks-controlplane' }));
  });

  it("is not woken by the echo of its own writes, and is by another writer's change after them", async () => {
    // Queued once, as the cache lists it when synced (no replayed `added` to queue it twice).
    const { fake, controller, logs } = setup({ replay: false });
    running = controller;
    await eventually(() => logs().some((l) => l['result'] === 'Waiting'));
    manifest('later/workspace-applied.yaml').forEach((object) => fake.put(object));
    await eventually(() => logs().some((l) => l['result'] === 'Updated'));
    manifest('later/workspace-endpoint-changed.yaml').forEach((object) => fake.put(object));
    await eventually(() => logs().some((l) => l['result'] === 'Drift'));
    // No reconcile between the write and the next change: the writes' echoes woke nothing.
    expect(logs().flatMap((l) => (l['result'] === undefined ? [] : [l['result']]))).toEqual(['Waiting', 'Updated', 'Drift']);
  });

  it("is woken by another writer's change heard while it reconciles, right after its own write", async () => {
    const fake = createFakeClient(initialObjects());
    manifest('later/workspace-applied.yaml').forEach((object) => fake.put(object));
    const watched = watchedFake(fake);
    let changedAfterUs = false;
    const cluster = {
      ...watched,
      patchStatus: ((ref, patch, options) => async () => {
        const written = await watched.patchStatus(ref, patch, options)();
        // Another writer, while this reconcile is still in flight.
        if (!changedAfterUs) manifest('later/workspace-endpoint-changed.yaml').forEach((object) => fake.put(object));
        changedAfterUs = true;
        return written;
      }) as typeof watched.patchStatus,
    };
    let text = '';
    running = startController({ cluster, logger: jsonLogger({ write: (line: string) => (text += line) }), concurrency: 2 });
    const results = () => text.split('\n').flatMap((l) => (l === '' ? [] : [(JSON.parse(l) as Record<string, unknown>)['result']])).filter((r) => r !== undefined);
    await eventually(() => results().includes('Drift'));
    expect(results()).toEqual(['Updated', 'Drift']);
  });

  it('wakes the control plane when its connection Secret gains the endpoint', async () => {
    const { fake, controller, logs } = setup();
    running = controller;
    await eventually(() => logs().some((l) => l['result'] === 'Waiting'));
    fake.edit({ apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'demo-eks-connection' }, { data: { cluster_endpoint: btoa('https://10.0.0.10:6443') } });
    await eventually(() => logs().some((l) => l['result'] === 'Updated'));
    expect(fake.get(...CP)?.['spec']).toMatchObject({ controlPlaneEndpoint: { host: '10.0.0.10', port: 6443 } });
    expect(JSON.stringify(logs())).not.toContain(btoa('https://10.0.0.10:6443'));
  });

  it('retries a retryable failure with backoff, and settles with no writes', async () => {
    const { fake, controller, logs } = setup({ concurrency: 1 });
    running = controller;
    manifest('later/workspace-applied.yaml').forEach((object) => fake.put(object));
    fake.failOn('patch', { kind: 'Cluster' }, ['Unavailable', 'Unavailable']);
    await eventually(() => fake.get(...CLUSTER)?.['spec'] !== undefined && (fake.get(...CLUSTER)?.['spec'] as Record<string, unknown>)['controlPlaneEndpoint'] !== undefined);
    const failures = logs().filter((l) => l['reason'] === 'ApiUnavailable');
    expect(failures.map((l) => [l['retryable'], l['retries'], l['retryInMs']])).toEqual([
      [true, 1, 20],
      [true, 2, 40],
    ]);
    // Once set, the echoes of the controller's own writes wake nothing, and nothing is written again.
    await eventually(() => logs().some((l) => l['result'] === 'Updated'));
    fake.resetCalls();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.writes()).toEqual([]);
  });

  it('records an Event when the endpoint is set and when it drifts, none while waiting or steady', async () => {
    const events: Array<{ type: string; reason: string; message: string; name: string }> = [];
    const recorder = {
      record: (input: { type: string; reason: string; message: string; regarding: { name: string } }) => async () => {
        events.push({ type: input.type, reason: input.reason, message: input.message, name: input.regarding.name });
        return E.right('Created' as const);
      },
    };
    const { fake, controller, logs } = setup({ events: recorder });
    running = controller;
    await eventually(() => logs().some((l) => l['result'] === 'Waiting'));
    expect(events).toEqual([]);
    manifest('later/workspace-applied.yaml').forEach((object) => fake.put(object));
    await eventually(() => logs().some((l) => l['result'] === 'Updated'));
    expect(events).toEqual([expect.objectContaining({ type: 'Normal', reason: 'EndpointSet', name: 'demo' })]);
    manifest('later/workspace-endpoint-changed.yaml').forEach((object) => fake.put(object));
    await eventually(() => logs().some((l) => l['result'] === 'Drift'));
    expect(events.at(-1)).toMatchObject({ type: 'Warning', reason: 'EndpointDrift' });
    expect(events.at(-1)?.message).toContain('the Workspace now says');
  });

  it('warns when the API server refuses an Event (a missing permission), and still sets the endpoint', async () => {
    const refusedBy = (kind: 'Forbidden' | 'Unavailable') => ({ record: () => async () => E.left(apiError(kind, `events is ${kind}`, { code: kind === 'Forbidden' ? 403 : 503 })) });
    for (const [kind, level] of [['Forbidden', 'warn'], ['Unavailable', 'debug']] as const) {
      const { fake, controller, logs } = setup({ events: refusedBy(kind) });
      running = controller;
      manifest('later/workspace-applied.yaml').forEach((object) => fake.put(object));
      await eventually(() => logs().some((l) => String(l['msg']).startsWith('could not record an Event')));
      expect(logs().find((l) => String(l['msg']).startsWith('could not record an Event'))).toMatchObject({ level, reason: `Api${kind}`, controlPlane: 'team-a/demo' });
      expect(fake.get(...CLUSTER)?.['spec']).toMatchObject({ controlPlaneEndpoint: { host: EKS_HOST, port: 443 } });
      await controller.stop();
    }
  });

  it('stops taking work, finishes in flight, then stops the watches', async () => {
    const { cluster, controller, logs } = setup();
    await eventually(() => logs().some((l) => l['result'] === 'Waiting'));
    await controller.stop();
    await controller.stop();
    expect(cluster.stopped).toBe(true);
    const messages = logs().map((l) => l['msg']);
    expect(messages.slice(-2)).toEqual(['stopping: finishing in-flight reconciles', 'controller stopped']);
    expect(messages.filter((m) => m === 'controller stopped')).toHaveLength(1);
  });

  it('writes one JSON object per line with time, level and message', async () => {
    const { controller, logs } = setup();
    running = controller;
    await eventually(() => logs().some((l) => l['result'] === 'Waiting'));
    for (const line of logs()) {
      expect(typeof line['time']).toBe('string');
      expect(['debug', 'info', 'warn', 'error']).toContain(line['level']);
      expect(typeof line['msg']).toBe('string');
    }
  });
});

/** The example's objects for one more control plane `name` in `namespace`, its Workspace applied. */
const anotherControlPlane = (namespace: string, name: string) =>
  [...initialObjects().filter((object) => object.kind !== 'Workspace'), ...manifest('later/workspace-applied.yaml')]
    .map((object) => {
      const copy = JSON.parse(JSON.stringify(object)) as typeof object;
      copy.metadata.name = `${name}-${copy.metadata.name}`;
      if (copy.metadata.namespace !== undefined) copy.metadata.namespace = namespace;
      const spec = copy['spec'] as Record<string, unknown> | undefined;
      if (copy.kind === 'CAPTControlPlane' && spec !== undefined) spec['workspaceTemplateApplyName'] = `${name}-${String(spec['workspaceTemplateApplyName'])}`;
      const status = copy['status'] as Record<string, unknown> | undefined;
      if (copy.kind === 'WorkspaceTemplateApply' && status !== undefined) status['workspaceName'] = `${name}-${String(status['workspaceName'])}`;
      const refs = copy.metadata['ownerReferences'] as Array<{ name: string }> | undefined;
      refs?.forEach((ref) => (ref.name = `${name}-${ref.name}`));
      const secretRef = (copy['spec'] as { writeConnectionSecretToRef?: { name: string; namespace?: string } } | undefined)?.writeConnectionSecretToRef;
      if (copy.kind === 'Workspace' && secretRef !== undefined) {
        secretRef.name = `${name}-${secretRef.name}`;
        secretRef.namespace = namespace;
      }
      return copy;
    });

describe('the controller, started late or scoped', () => {
  it('reconciles every control plane the cache holds once synced, though it heard of none (a new leader)', async () => {
    const objects = [...anotherControlPlane('team-a', 'one'), ...anotherControlPlane('team-b', 'two')];
    const { fake, controller, logs } = setup({ replay: false, objects });
    running = controller;
    await controller.synced;
    await eventually(() => logs().filter((l) => l['result'] === 'Updated').length === 2);
    for (const [namespace, name] of [['team-a', 'one-demo'], ['team-b', 'two-demo']] as const)
      expect(fake.get(CP[0], CP[1], namespace, name)?.['spec']).toMatchObject({ controlPlaneEndpoint: { host: EKS_HOST, port: 443 } });
    expect(logs()).toContainEqual(expect.objectContaining({ msg: 'caches synced', controlPlanes: 2 }));
  });

  it('reconciles only the control planes of its namespaces, whether listed or changed', async () => {
    const objects = [...anotherControlPlane('team-a', 'one'), ...anotherControlPlane('team-b', 'two'), ...anotherControlPlane('team-c', 'three')];
    const { fake, controller, logs } = setup({ objects, namespaces: ['team-a', 'team-c'] });
    running = controller;
    await eventually(() => logs().filter((l) => l['result'] === 'Updated').length === 2);
    fake.edit({ apiVersion: CP[0], kind: CP[1], namespace: 'team-b', name: 'two-demo' }, { metadata: { labels: { touched: 'yes' } } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([...new Set(logs().filter((l) => l['result'] !== undefined).map((l) => l['controlPlane']))].sort()).toEqual(['team-a/one-demo', 'team-c/three-demo']);
    expect(fake.get(CP[0], CP[1], 'team-b', 'two-demo')?.['spec']).not.toHaveProperty('controlPlaneEndpoint');
  });

  it('counts its reconciles, writes and queue under the metric names', async () => {
    const metrics = createControllerMetrics({ processMetrics: false });
    const { controller, logs } = setup({ objects: anotherControlPlane('team-a', 'one'), metrics });
    running = controller;
    await eventually(() => logs().some((l) => l['result'] === 'Updated'));
    await eventually(() => logs().some((l) => l['result'] === 'UpToDate'));
    const text = await metrics.registry.metrics();
    const value = (prefix: string): number => Number(text.split('\n').find((l) => l.startsWith(prefix))?.split(' ').pop());
    expect(value('controller_runtime_reconcile_total{controller="captcontrolplane-endpoint",result="success"}')).toBeGreaterThanOrEqual(2);
    expect(value('capt_endpoint_endpoint_writes_total{object="CAPTControlPlane"}')).toBe(1);
    expect(value('capt_endpoint_endpoint_writes_total{object="Cluster"}')).toBe(1);
    expect(value('workqueue_adds_total{name="captcontrolplane-endpoint",controller="captcontrolplane-endpoint"}')).toBeGreaterThanOrEqual(2);
    expect(value('controller_runtime_max_concurrent_reconciles{controller="captcontrolplane-endpoint"}')).toBe(2);
  });

  it('counts a reconcile that threw as a panic, and its workers and queue times as controller-runtime does', async () => {
    const metrics = createControllerMetrics({ processMetrics: false });
    let throws = 1;
    // The controller's own code failing (here the Event recorder): the reconcile is retried.
    const events = {
      record: () => () => {
        if (throws-- > 0) throw new Error('recorder broke');
        return Promise.resolve(E.right('Created' as const));
      },
    };
    const { controller, logs } = setup({ objects: anotherControlPlane('team-a', 'one'), metrics, events });
    running = controller;
    // The first reconcile wrote, then crashed recording its Event; the retry finds the endpoint set.
    await eventually(() => logs().some((l) => l['result'] === 'UpToDate'));
    const text = await metrics.registry.metrics();
    const value = (prefix: string): number => Number(text.split('\n').find((l) => l.startsWith(prefix))?.split(' ').pop());
    expect(logs()).toContainEqual(expect.objectContaining({ level: 'error', msg: 'reconcile crashed: recorder broke' }));
    expect(value('controller_runtime_reconcile_panics_total{controller="captcontrolplane-endpoint"}')).toBe(1);
    expect(value('controller_runtime_active_workers{controller="captcontrolplane-endpoint"}')).toBe(0);
    const queue = '{name="captcontrolplane-endpoint",controller="captcontrolplane-endpoint"}';
    // Two reconciles at least (the crash, then the retry), each waited for and worked on.
    expect(value(`workqueue_queue_duration_seconds_count${queue}`)).toBeGreaterThanOrEqual(2);
    expect(value(`workqueue_work_duration_seconds_count${queue}`)).toBe(value(`workqueue_queue_duration_seconds_count${queue}`));
  });

  it('aborts in-flight reconciles when told to (leadership lost), without waiting for them', async () => {
    const { fake, controller } = setup({ objects: anotherControlPlane('team-a', 'one'), latency: 5_000, stopsCluster: false });
    await eventually(() => fake.calls.length > 0);
    const started = Date.now();
    await controller.stop({ abort: true });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(fake.calls.filter((call) => call.verb !== 'get')).toEqual([]);
  });

  it('gives in-flight reconciles a grace period, then aborts them', async () => {
    const { fake, controller } = setup({ objects: anotherControlPlane('team-a', 'one'), latency: 5_000 });
    await eventually(() => fake.calls.length > 0);
    const started = Date.now();
    await controller.stop({ graceMs: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
