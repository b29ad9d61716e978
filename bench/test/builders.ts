/**
 * Small builders of bench results for the tests: a run that meets every target, and the means
 * to change one figure of it. Only types come from the measuring modules, so the tests load
 * neither a server nor a client.
 */
import type { ColdStartResult } from '../src/coldStart';
import type { CoreSpeedResult } from '../src/coreSpeed';
import { summarizeScale, type BenchResults, type HeapCappedRun } from '../src/results';
import type { PassResult, ScaleConfig, ScaleResult } from '../src/scale';
import type { StartupResult } from '../src/startup';
import type { Config, Scenario, ScenarioRow } from '../src/scenarios';
import { spread } from '../src/stats';

export const MB = 1024 * 1024;

/** A cold start of `controlPlanes` with its time, CPU and memory per control plane, the rest of the result as given. */
export const coldStartRun = (
  controlPlanes: number,
  figures: { readonly msPerCp: number; readonly cpuMsPerCp: number; readonly peakMiB: number; readonly steadyMiB: number },
  rest: Partial<ColdStartResult> = {},
): ColdStartResult => ({
  controlPlanes,
  concurrency: undefined,
  allSetMs: figures.msPerCp * controlPlanes,
  cpuMs: figures.cpuMsPerCp * controlPlanes,
  systemCpuMs: 0,
  peakRssBytes: figures.peakMiB * 2 ** 20,
  steadyRssBytes: figures.steadyMiB * 2 ** 20,
  steadyCpuMs: 0,
  requests: undefined,
  loadAverage: { start: [0.5, 0, 0], end: [0.5, 0, 0] },
  ...rest,
});

export const SCALE_CONFIGS: readonly ScaleConfig[] = ['ours-uncached', 'ours-cached', 'baseline-uncached', 'baseline-cached'];

export const pass = (overrides: Partial<PassResult> = {}): PassResult => ({
  wallMs: 1000,
  requests: 0,
  writes: 0,
  byVerb: {},
  failures: 0,
  outcomes: {},
  peakRssBytes: 300 * MB,
  peakHeapBytes: 150 * MB,
  ...overrides,
});

export const scaleRun = (config: ScaleConfig, overrides: Partial<ScaleResult> = {}): ScaleResult => ({
  config,
  controlPlanes: 100,
  concurrency: 4,
  heapBeforeClientBytes: 30 * MB,
  cacheSync: config.endsWith('-cached') ? { ms: 50, requests: 9 } : undefined,
  first: pass({ wallMs: 5000, requests: 300, writes: 300, byVerb: { PATCH: 200, 'PATCH status': 100 } }),
  steady: [pass()],
  peakRssBytes: 300 * MB,
  peakHeapBytes: 200 * MB,
  retainedHeapBytes: 120 * MB,
  objectsJsonBytes: 100 * MB,
  objects: 425,
  informerErrors: config.endsWith('-cached') ? {} : undefined,
  setupMs: 800,
  totalMs: 9000,
  ...overrides,
});

/** Steady passes: the library's cached client needs no request and is fast; the others read everything. */
const steadyOf = (config: ScaleConfig): PassResult[] =>
  config === 'ours-cached'
    ? [pass({ wallMs: 150 }), pass({ wallMs: 140 }), pass({ wallMs: 160 })]
    : [pass({ wallMs: config === 'baseline-cached' ? 2000 : 4000, requests: 300, byVerb: { GET: 300 } })];

const row = (config: Config, scenario: Scenario, requests: readonly number[], writes: readonly number[]): ScenarioRow => ({
  config,
  scenario,
  requests: spread(requests),
  writes: spread(writes),
  ms: spread([1.5, 2, 4]),
  byVerb: {},
  outcome: writes.some((w) => w > 0) ? 'Updated' : 'UpToDate',
});

const core = (ratio: readonly number[]): CoreSpeedResult => ({
  jsonBytes: { controlPlane: 900, cluster: 700, workspace: 1500, total: 3100 },
  micros: {
    jsonParse: spread([10, 11, 12]),
    locateParsePlan: spread([2, 2.2, 2.5]),
    parse: spread([0.2, 0.25]),
    locate: spread([1, 1.1]),
    plan: spread([0.8, 0.9]),
    decode: spread([5, 6]),
    decodeLocateParsePlan: spread([7, 8]),
  },
  ratio: spread(ratio),
  ratioWithDecode: spread([0.7, 0.8]),
  opsPerSecond: { locateParsePlan: spread([450_000]), decodeLocateParsePlan: spread([130_000]), jsonParse: spread([90_000]) },
  batchSize: 100,
});

export type Results = Omit<BenchResults, 'targets'>;

/** Two processes per configuration, and the capped run, all within the targets. */
export const meetsEveryTarget = (): Results => {
  const runs = [1, 2].flatMap(() => SCALE_CONFIGS.map((config) => scaleRun(config, { steady: steadyOf(config) })));
  return {
    date: '2025-01-01T00:00:00.000Z',
    commit: 'abc1234',
    quick: false,
    machine: { cpus: 4, cpuModel: 'Test CPU', memoryBytes: 8 * 1024 ** 3, node: 'v20.0.0', platform: 'linux-x64', loadAverage: { start: [0.5, 0.4, 0.3], end: [1, 0.8, 0.5] } },
    durationMs: 60_000,
    core: core([0.15, 0.2, 0.22]),
    scenarios: {
      repeats: 3,
      rows: [
        row('ours-uncached-in-hand', 'steady', [1, 1, 1], [0, 0, 0]),
        row('ours-cached', 'steady', [0, 0, 0], [0, 0, 0]),
        row('ours-cached', 'firstFromOutputs', [3, 3, 3], [3, 3, 3]),
        row('ours-cached', 'firstFromSecret', [3, 3, 3], [3, 3, 3]),
        row('baseline-uncached', 'steady', [3, 3, 3], [0, 0, 0]),
      ],
    },
    scale: {
      controlPlanes: 100,
      concurrency: 4,
      repeats: 2,
      steadyPasses: 3,
      summary: SCALE_CONFIGS.map((config) => summarizeScale(config, runs.filter((r) => r.config === config))),
      runs,
      capped: { oldSpaceMiB: 268, result: scaleRun('ours-cached', { peakHeapBytes: 250 * MB, steady: steadyOf('ours-cached') }) },
    },
    startup: startup([2, 2.2, 2.5]),
  };
};

/** The command's start with these per-round ratios, node's 100 ms a round. */
export const startup = (ratio: readonly number[]): StartupResult => ({ helpMs: spread(ratio.map((r) => r * 100)), nodeMs: spread(ratio.map(() => 100)), ratio: spread(ratio) });

export const withStartup = (results: Results, ratio: readonly number[]): Results => ({ ...results, startup: startup(ratio) });

/** The results with one scenario row's requests and writes replaced. */
export const withRow = (results: Results, config: Config, scenario: Scenario, requests: readonly number[], writes: readonly number[]): Results => {
  if ('error' in results.scenarios) return results;
  const rows = results.scenarios.rows.map((r) => (r.config === config && r.scenario === scenario ? row(config, scenario, requests, writes) : r));
  return { ...results, scenarios: { ...results.scenarios, rows } };
};

export const withCoreRatio = (results: Results, ratio: readonly number[]): Results => ({ ...results, core: core(ratio) });

/** The results with each run of one configuration changed, and the summary made again from the runs. */
export const withRuns = (results: Results, config: ScaleConfig, change: (run: ScaleResult, index: number) => ScaleResult): Results => {
  if ('error' in results.scale) return results;
  let index = 0;
  const runs = results.scale.runs.map((r) => (r.config === config ? change(r, index++) : r));
  return { ...results, scale: { ...results.scale, runs, summary: SCALE_CONFIGS.map((c) => summarizeScale(c, runs.filter((r) => r.config === c))) } };
};

export const withCapped = (results: Results, capped: HeapCappedRun | undefined): Results =>
  'error' in results.scale ? results : { ...results, scale: { ...results.scale, capped } };
