/**
 * Core speed: the time the pure core takes to resolve and plan one steady-state reconcile for
 * a realistic CAPTControlPlane, Cluster and Workspace already in memory, as a ratio to
 * `JSON.parse` of the same three objects' JSON: the decoding any client pays to have them at
 * all. Both are timed in the same process, in interleaved batches; each round gives one ratio.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { CAPTControlPlane, Cluster, decodeObject, locateInWorkspace, parseEndpoint, planCondition, planEndpointUpdate, Workspace, type KubeObject, type Resolution } from '@capt-endpoint/core';
import { applyMergePatch } from '@capt-endpoint/core/json';
import { clusterOf, controlPlaneOf, workspaceOf } from './fixtures';
import { spread, type Spread } from './stats';

export interface CoreSpeedOptions {
  readonly rounds: number;
  /** Target length of one timed batch, in milliseconds. */
  readonly batchMs: number;
}

export interface CoreSpeedResult {
  /** Bytes of the three objects' JSON. */
  readonly jsonBytes: { readonly controlPlane: number; readonly cluster: number; readonly workspace: number; readonly total: number };
  /** Microseconds per operation. */
  readonly micros: {
    readonly jsonParse: Spread;
    /** locate (which parses the endpoint) + plan + condition: the headline figure. */
    readonly locateParsePlan: Spread;
    readonly parse: Spread;
    readonly locate: Spread;
    readonly plan: Spread;
    /** io-ts decoding of the three objects, which `reconcileEndpoint` does before locating. */
    readonly decode: Spread;
    readonly decodeLocateParsePlan: Spread;
  };
  /** locate+parse+plan / JSON.parse, one ratio per round. */
  readonly ratio: Spread;
  readonly ratioWithDecode: Spread;
  readonly opsPerSecond: { readonly locateParsePlan: Spread; readonly decodeLocateParsePlan: Spread; readonly jsonParse: Spread };
  readonly batchSize: number;
}

const now = new Date('2026-11-26T12:00:00Z');

const decodeCp = decodeObject(CAPTControlPlane, 'CAPTControlPlane');
const decodeCluster = decodeObject(Cluster, 'Cluster');
const decodeWorkspace = decodeObject(Workspace, 'Workspace');

const orThrow = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error('bench fixture did not decode');
  return either.right;
};

/** The steady state: the objects as a first reconcile leaves them (endpoint and condition set). */
export const steadyObjects = (i: number): { controlPlane: KubeObject; cluster: KubeObject; workspace: KubeObject } => {
  const workspace = workspaceOf(i, 'outputs');
  const first = orThrow(planEndpointUpdate(locate(orThrow(decodeWorkspace(workspace))), orThrow(decodeCp(controlPlaneOf(i))), orThrow(decodeCluster(clusterOf(i)))));
  const controlPlane = applyMergePatch(controlPlaneOf(i), { ...first.controlPlanePatch, metadata: { resourceVersion: '2', generation: 2 } }) as KubeObject;
  const condition = planCondition(orThrow(decodeCp(controlPlane)), first.condition, now);
  const withStatus = O.isSome(condition.patch) ? (applyMergePatch(controlPlane, condition.patch.value) as KubeObject) : controlPlane;
  const cluster = applyMergePatch(clusterOf(i), { ...first.clusterPatch, metadata: { resourceVersion: '2' } }) as KubeObject;
  return { controlPlane: withStatus, cluster, workspace };
};

function locate(workspace: Workspace): Resolution {
  const located = locateInWorkspace(workspace);
  if (E.isRight(located) && located.right._tag === 'NeedSecret') throw new Error('bench fixture needs its Secret');
  return located as Resolution;
}

/** One reconcile's pure work on objects the caller already holds (decoded). */
const locateParsePlan = (workspace: Workspace, controlPlane: CAPTControlPlane, cluster: Cluster) => {
  const plan = orThrow(planEndpointUpdate(locate(workspace), controlPlane, cluster));
  return planCondition(controlPlane, plan.condition, now);
};

let sink = 0;
const keep = (value: unknown): void => {
  sink ^= value === undefined ? 1 : 2;
};

const timeBatch = (n: number, body: () => unknown): number => {
  const start = process.hrtime.bigint();
  for (let k = 0; k < n; k++) keep(body());
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
};

export const measureCoreSpeed = (options: CoreSpeedOptions): CoreSpeedResult => {
  const { controlPlane, cluster, workspace } = steadyObjects(1);
  const texts = [JSON.stringify(controlPlane), JSON.stringify(cluster), JSON.stringify(workspace)] as const;
  const [cpText, clusterText, wsText] = texts;
  const cp = orThrow(decodeCp(controlPlane));
  const cl = orThrow(decodeCluster(cluster));
  const ws = orThrow(decodeWorkspace(workspace));
  const endpointValue = ws.status?.atProvider?.outputs?.['cluster_endpoint'];
  const resolution = locate(ws);
  const check = locateParsePlan(ws, cp, cl);
  if (O.isSome(check.patch)) throw new Error('steady-state fixture is not steady: the plan writes a condition');

  const bodies = {
    jsonParse: () => [JSON.parse(cpText), JSON.parse(clusterText), JSON.parse(wsText)],
    locateParsePlan: () => locateParsePlan(ws, cp, cl),
    parse: () => parseEndpoint(endpointValue),
    locate: () => locateInWorkspace(ws),
    plan: () => planEndpointUpdate(resolution, cp, cl),
    decode: () => [decodeCp(controlPlane), decodeCluster(cluster), decodeWorkspace(workspace)],
    decodeLocateParsePlan: () => locateParsePlan(orThrow(decodeWorkspace(workspace)), orThrow(decodeCp(controlPlane)), orThrow(decodeCluster(cluster))),
  } as const;
  type Name = keyof typeof bodies;
  const names = Object.keys(bodies) as Name[];

  // Warm up every body (JIT), then size batches so JSON.parse takes about batchMs.
  for (const name of names) timeBatch(2000, bodies[name]);
  const perOp = timeBatch(2000, bodies.jsonParse);
  const batchSize = Math.max(10, Math.round((options.batchMs * 1000) / perOp));

  const samples: Record<Name, number[]> = Object.fromEntries(names.map((n) => [n, []])) as unknown as Record<Name, number[]>;
  const ratios: number[] = [];
  const ratiosWithDecode: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order so no body always runs right after garbage collection of another.
    const order = names.map((_, k) => names[(k + round) % names.length]!);
    const got: Partial<Record<Name, number>> = {};
    for (const name of order) got[name] = timeBatch(batchSize, bodies[name]);
    for (const name of names) samples[name].push(got[name]!);
    ratios.push(got.locateParsePlan! / got.jsonParse!);
    ratiosWithDecode.push(got.decodeLocateParsePlan! / got.jsonParse!);
  }
  if (sink === -1) console.log('unreachable');
  const micros = Object.fromEntries(names.map((n) => [n, spread(samples[n])])) as Record<Name, Spread>;
  const perSecond = (name: Name) => spread(samples[name].map((us) => 1e6 / us));
  return {
    jsonBytes: {
      controlPlane: cpText.length,
      cluster: clusterText.length,
      workspace: wsText.length,
      total: cpText.length + clusterText.length + wsText.length,
    },
    micros,
    ratio: spread(ratios),
    ratioWithDecode: spread(ratiosWithDecode),
    opsPerSecond: {
      locateParsePlan: perSecond('locateParsePlan'),
      decodeLocateParsePlan: perSecond('decodeLocateParsePlan'),
      jsonParse: perSecond('jsonParse'),
    },
    batchSize,
  };
};
