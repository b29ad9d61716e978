/**
 * Core speed: the time the pure core takes to resolve and plan one steady-state reconcile for
 * a realistic CAPTControlPlane, Cluster and Workspace already in memory, as a ratio to
 * `JSON.parse` of the same three objects' JSON: the decoding any client pays to have them at
 * all. Both are timed in the same process, in interleaved batches; each round gives one ratio.
 */
import * as O from 'fp-ts/lib/Option.js';
import {
  CAPTControlPlane,
  Cluster,
  locateInWorkspace,
  parseEndpoint,
  planCondition,
  planEndpointUpdate,
  Workspace,
} from '@capt-endpoint/core';
import { decodeObject } from '@capt-endpoint/core/adapter';
import { orThrow, resolutionOf, steadyObjects } from './fixtures';
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
  /** Operations per timed batch of `JSON.parse`. */
  readonly batchSize: number;
  /** Operations per timed batch, per body (each sized to about the same time); absent from older runs. */
  readonly batchSizes?: Readonly<Record<string, number>> | undefined;
}

const now = new Date('2026-11-26T12:00:00Z');

const decodeCp = decodeObject(CAPTControlPlane, 'CAPTControlPlane');
const decodeCluster = decodeObject(Cluster, 'Cluster');
const decodeWorkspace = decodeObject(Workspace, 'Workspace');
const locate = resolutionOf;

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
    jsonParse: (): unknown[] => [JSON.parse(cpText) as unknown, JSON.parse(clusterText) as unknown, JSON.parse(wsText) as unknown],
    locateParsePlan: () => locateParsePlan(ws, cp, cl),
    parse: () => parseEndpoint(endpointValue),
    locate: () => locateInWorkspace(ws),
    plan: () => planEndpointUpdate(resolution, cp, cl),
    decode: () => [decodeCp(controlPlane), decodeCluster(cluster), decodeWorkspace(workspace)],
    decodeLocateParsePlan: () => locateParsePlan(orThrow(decodeWorkspace(workspace)), orThrow(decodeCp(controlPlane)), orThrow(decodeCluster(cluster))),
  } as const;
  type Name = keyof typeof bodies;
  const names = Object.keys(bodies) as Name[];

  // Warm up every body (JIT), then size each body's batch to about batchMs, so that a fast body
  // is not timed over a fraction of a time slice (which made spreads of ten times and more).
  for (const name of names) timeBatch(2000, bodies[name]);
  const batchSizes = Object.fromEntries(names.map((name) => [name, Math.max(10, Math.round((options.batchMs * 1000) / timeBatch(2000, bodies[name])))])) as Record<Name, number>;

  const samples: Record<Name, number[]> = Object.fromEntries(names.map((n) => [n, []])) as unknown as Record<Name, number[]>;
  const ratios: number[] = [];
  const ratiosWithDecode: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order so no body always runs right after garbage collection of another.
    const order = names.map((_, k) => names[(k + round) % names.length]!);
    const got: Partial<Record<Name, number>> = {};
    for (const name of order) got[name] = timeBatch(batchSizes[name], bodies[name]);
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
    batchSize: batchSizes.jsonParse,
    batchSizes,
  };
};
