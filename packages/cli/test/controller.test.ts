import * as E from 'fp-ts/lib/Either.js';
import { createFakeClient } from '@capt-endpoint/testing';
import { jsonLogger, startController, type Controller } from '../src';
import { EKS_HOST, eventually, initialObjects, manifest, watchedFake } from './helpers';

const CP = ['controlplane.cluster.x-k8s.io/v1beta1', 'CAPTControlPlane', 'team-a', 'demo-cp'] as const;
const CLUSTER = ['cluster.x-k8s.io/v1beta1', 'Cluster', 'team-a', 'demo'] as const;

const setup = (options: { concurrency?: number; events?: Parameters<typeof startController>[0]['events'] } = {}) => {
  const fake = createFakeClient(initialObjects());
  const cluster = watchedFake(fake);
  let text = '';
  const logger = jsonLogger({ write: (line: string) => (text += line) }, { level: 'debug' });
  const controller = startController({ cluster, logger, concurrency: options.concurrency ?? 2, queue: { baseDelayMs: 20, maxDelayMs: 200 }, events: options.events });
  const logs = () => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { fake, cluster, controller, logs };
};

let running: Controller | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('the controller', () => {
  it('waits, then sets the endpoint when the Workspace gains its output, woken by the Workspace change', async () => {
    const { fake, controller, logs } = setup();
    running = controller;
    await eventually(() => logs().some((l) => l['result'] === 'Waiting'));
    expect(fake.get(...CP)?.['spec']).not.toHaveProperty('controlPlaneEndpoint');

    manifest('later/workspace-applied.yaml').forEach((object) => fake.put(object));
    await eventually(() => logs().some((l) => l['result'] === 'Updated'));
    expect(fake.get(...CP)?.['spec']).toMatchObject({ controlPlaneEndpoint: { host: EKS_HOST, port: 443 } });
    expect(fake.get(...CLUSTER)?.['spec']).toMatchObject({ controlPlaneEndpoint: { host: EKS_HOST, port: 443 } });
    expect(logs()).toContainEqual(expect.objectContaining({ msg: 'dependency changed', controlPlane: 'team-a/demo-cp', changed: 'Workspace demo-eks' }));
  });

  it('wakes the control plane when its connection Secret gains the endpoint', async () => {
    const { fake, controller, logs } = setup();
    running = controller;
    await eventually(() => logs().some((l) => l['result'] === 'Waiting'));
    fake.edit({ apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'demo-eks-conn' }, { data: { cluster_endpoint: btoa('https://10.0.0.10:6443') } });
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
    // Once set, the controller's own writes wake it once more and it finds nothing to do.
    await eventually(() => logs().some((l) => l['result'] === 'UpToDate'));
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
    await eventually(() => logs().some((l) => l['result'] === 'UpToDate'));
    expect(events).toEqual([expect.objectContaining({ type: 'Normal', reason: 'EndpointSet', name: 'demo-cp' })]);
    manifest('later/workspace-endpoint-changed.yaml').forEach((object) => fake.put(object));
    await eventually(() => logs().some((l) => l['result'] === 'Drift'));
    expect(events.at(-1)).toMatchObject({ type: 'Warning', reason: 'EndpointDrift' });
    expect(events.at(-1)?.message).toContain('the Workspace now says');
  });

  it('stops taking work, finishes in flight, then stops the watches', async () => {
    const { cluster, controller, logs } = setup();
    await eventually(() => logs().some((l) => l['result'] === 'Waiting'));
    await controller.stop();
    await controller.stop();
    expect(cluster.stopped).toBe(true);
    const messages = logs().map((l) => l['msg']);
    expect(messages.slice(-2)).toEqual(['stopping: finishing in-flight reconciles', 'stopped']);
    expect(messages.filter((m) => m === 'stopped')).toHaveLength(1);
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
