/**
 * Requests per reconcile: for each scenario, the API requests and writes that one reconcile
 * makes through the Kubernetes adapter against the loopback server, counted by the server.
 * The library (uncached with the objects in hand, uncached by name, cached) and the Go
 * controller's baseline (uncached, cached) run side by side on the same server.
 */
import * as E from 'fp-ts/lib/Either.js';
import { reconcileEndpoint, type ClusterClient, type KubeObject, type ObjectRef } from '@capt-endpoint/core';
import { goControllerReconcile } from './baseline';
import { applyNameOf, nameOf, namespaceOf, type StartState } from './fixtures';
import type { RequestCount } from './loopback';
import { msSince, spread, type Spread } from './stats';
import { cachedClient, plainClient, spawnServer, type ServerHandle } from './wire';

export const SCENARIOS = ['firstFromOutputs', 'firstFromSecret', 'steady', 'waitingFirst', 'waiting'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const CONFIGS = ['ours-uncached-in-hand', 'ours-uncached-by-name', 'ours-cached', 'baseline-uncached', 'baseline-cached'] as const;
export type Config = (typeof CONFIGS)[number];

/** Where each scenario starts, and how many reconciles run before the measured one. */
const setup: Record<Scenario, { state: StartState; before: number }> = {
  firstFromOutputs: { state: 'outputs', before: 0 },
  firstFromSecret: { state: 'secret', before: 0 },
  steady: { state: 'outputs', before: 1 },
  waitingFirst: { state: 'waiting', before: 0 },
  waiting: { state: 'waiting', before: 1 },
};

export interface ScenarioRow {
  readonly config: Config;
  readonly scenario: Scenario;
  readonly requests: Spread;
  readonly writes: Spread;
  /** Wall time of the measured reconcile, milliseconds. */
  readonly ms: Spread;
  /** Requests by verb in the last run. */
  readonly byVerb: RequestCount['byVerb'];
  /** What the measured reconcile reported (the library's outcome tag, or the baseline's writes). */
  readonly outcome: string;
}

const ref = (apiVersion: string, kind: string, name: string, namespace?: string): ObjectRef => ({ apiVersion, kind, name, namespace });

/** The objects a controller host holds from its own watch: the control plane, its Cluster, its WorkspaceTemplateApply. */
const objectsInHand = async (client: ClusterClient, i: number) => {
  const read = async (r: ObjectRef): Promise<KubeObject> => {
    const got = await client.get(r)();
    if (E.isLeft(got) || got.right === undefined) throw new Error(`bench: could not read ${r.kind} ${r.name}`);
    return got.right;
  };
  return {
    controlPlane: await read(ref('controlplane.cluster.x-k8s.io/v1beta1', 'CAPTControlPlane', nameOf(i), namespaceOf(i))),
    cluster: await read(ref('cluster.x-k8s.io/v1beta1', 'Cluster', nameOf(i), namespaceOf(i))),
    workspaceApply: await read(ref('infrastructure.cluster.x-k8s.io/v1beta1', 'WorkspaceTemplateApply', applyNameOf(i), namespaceOf(i))),
  };
};

interface Clients {
  readonly plain: ClusterClient;
  readonly cached: ClusterClient;
}

/** One reconcile of control plane `i` the way `config` does it; returns a short outcome. */
const reconcileAs = async (config: Config, clients: Clients, i: number): Promise<string> => {
  switch (config) {
    case 'ours-uncached-in-hand':
    case 'ours-uncached-by-name':
    case 'ours-cached': {
      const client = config === 'ours-cached' ? clients.cached : clients.plain;
      const target = config === 'ours-uncached-in-hand' ? await objectsInHand(clients.plain, i) : { namespace: namespaceOf(i), name: nameOf(i) };
      return runOurs(client, target);
    }
    case 'baseline-uncached':
    case 'baseline-cached': {
      const outcome = await goControllerReconcile(config === 'baseline-cached' ? clients.cached : clients.plain, namespaceOf(i), nameOf(i));
      return outcome.endpoint === undefined ? `no endpoint, ${outcome.wrote} writes` : `endpoint, ${outcome.wrote} writes`;
    }
  }
};

const runOurs = async (client: ClusterClient, target: Parameters<typeof reconcileEndpoint>[1]): Promise<string> => {
  const result = await reconcileEndpoint(client, target)();
  if (E.isLeft(result)) throw new Error(`bench: reconcile failed: ${result.left.message}`);
  return `${result.right._tag}${result.right.updated.length > 0 ? ` (${result.right.updated.join(', ')})` : ''}`;
};

interface Sample {
  readonly count: RequestCount;
  readonly ms: number;
  readonly outcome: string;
}

/**
 * Measures one reconcile: for the in-hand configuration the objects are read before the mark,
 * as a host's own watch would have delivered them; everything after the mark is counted.
 */
const measure = async (server: ServerHandle, config: Config, clients: Clients, i: number): Promise<Sample> => {
  if (config === 'ours-uncached-in-hand') {
    const held = await objectsInHand(clients.plain, i);
    await server.mark();
    const start = process.hrtime.bigint();
    const outcome = await runOurs(clients.plain, held);
    const ms = msSince(start);
    return { count: await server.count(), ms, outcome };
  }
  await server.mark();
  const start = process.hrtime.bigint();
  const outcome = await reconcileAs(config, clients, i);
  const ms = msSince(start);
  return { count: await server.count(), ms, outcome };
};

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One repeat: a fresh server, every (config, scenario) on its own control plane. */
const oneRun = async (): Promise<Map<string, Sample>> => {
  const server = await spawnServer();
  const cases = CONFIGS.flatMap((config) => SCENARIOS.map((scenario) => ({ config, scenario })));
  const indexOf = new Map(cases.map((c, k) => [`${c.config}/${c.scenario}`, k]));
  for (const scenario of SCENARIOS) {
    const indices = cases.filter((c) => c.scenario === scenario).map((c) => indexOf.get(`${c.config}/${c.scenario}`)!);
    await server.seed(indices, setup[scenario].state);
  }
  const plain = plainClient(server.kubeConfig);
  const cached = await cachedClient(server.kubeConfig);
  const clients = { plain, cached };
  const samples = new Map<string, Sample>();
  try {
    for (const { config, scenario } of cases) {
      const i = indexOf.get(`${config}/${scenario}`)!;
      for (let k = 0; k < setup[scenario].before; k++) await reconcileAs(config, clients, i);
      // Let the watch deliver what the earlier reconcile wrote, as it would between reconciles.
      if (setup[scenario].before > 0) await settle(50);
      samples.set(`${config}/${scenario}`, await measure(server, config, clients, i));
    }
  } finally {
    await cached.stop();
    await server.close();
  }
  return samples;
};

export const measureScenarios = async (options: { readonly repeats: number }): Promise<ScenarioRow[]> => {
  const runs: Array<Map<string, Sample>> = [];
  for (let r = 0; r < options.repeats; r++) runs.push(await oneRun());
  return CONFIGS.flatMap((config) =>
    SCENARIOS.map((scenario): ScenarioRow => {
      const samples = runs.map((run) => run.get(`${config}/${scenario}`)!);
      const last = samples[samples.length - 1]!;
      return {
        config,
        scenario,
        requests: spread(samples.map((s) => s.count.requests)),
        writes: spread(samples.map((s) => s.count.writes)),
        ms: spread(samples.map((s) => s.ms)),
        byVerb: last.count.byVerb,
        outcome: last.outcome,
      };
    }),
  );
};
