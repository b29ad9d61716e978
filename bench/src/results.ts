/**
 * The shape of a bench run's results file (bench/results/*.json) and the targets the issue
 * sets, each checked against the run's own figures.
 */
import type { ColdStartSection } from './coldStartReport';
import type { CoreSpeedResult } from './coreSpeed';
import type { RealServerSection } from './realServerReport';
import type { ReconcileSpeedResult } from './reconcileSpeed';
import type { ScaleConfig, ScaleResult } from './scale';
import type { ScenarioRow } from './scenarios';
import type { StartupResult } from './startup';
import { spread, type Spread } from './stats';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly node: string;
  readonly platform: string;
  /** os.loadavg() (1, 5, 15 minutes) when the run started and when it ended: how shared the machine was. */
  readonly loadAverage?: { readonly start: readonly number[]; readonly end: readonly number[] };
  /** The share of the machine's CPU time its hypervisor gave to others during the run (Linux). */
  readonly stolenShare?: number | undefined;
}

export interface ScaleSummary {
  readonly config: ScaleConfig;
  readonly first: { readonly wallMs: Spread; readonly requests: Spread; readonly writes: Spread; readonly failures: Spread };
  readonly steady: { readonly wallMs: Spread; readonly requests: Spread; readonly writes: Spread; readonly failures: Spread };
  readonly peakRssBytes: Spread;
  readonly peakHeapBytes: Spread;
  readonly retainedHeapBytes: Spread;
  readonly heapBeforeClientBytes: Spread;
  readonly objectsJsonBytes: number;
  readonly cacheSyncMs: Spread | undefined;
}

export interface HeapCappedRun {
  /** The `--max-old-space-size` given, in MiB. */
  readonly oldSpaceMiB: number;
  readonly result: ScaleResult | { readonly error: string };
}

export interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

export interface BenchResults {
  readonly date: string;
  readonly commit: string;
  /** Whether the benchmark's code in the working tree differed from `commit` (bench/src/provenance.ts); absent from older runs. */
  readonly dirty?: boolean | undefined;
  /** A digest of the benchmark's code at `commit` (`benchmarkCodeDigest`); absent from older runs. */
  readonly code?: string | undefined;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly durationMs: number;
  readonly core: CoreSpeedResult | { readonly error: string };
  /** Whole steady reconciles beside JSON.parse and the floor; absent from runs made before it existed. */
  readonly reconcile?: ReconcileSpeedResult | { readonly error: string } | undefined;
  readonly scenarios: { readonly repeats: number; readonly rows: readonly ScenarioRow[] } | { readonly error: string };
  readonly scale:
    | {
        readonly controlPlanes: number;
        readonly concurrency: number;
        readonly repeats: number;
        readonly steadyPasses: number;
        /** Starting and seeding the one server every scale process used (each restored it to the seeded state). */
        readonly serverSeedMs?: number | undefined;
        readonly summary: readonly ScaleSummary[];
        readonly runs: readonly ScaleResult[];
        /** The library's cached client once more, with V8's old space capped (`--max-old-space-size`): does it fit? */
        readonly capped?: HeapCappedRun | undefined;
      }
    | { readonly error: string };
  /** `capt-endpoint --help` against `node -e 0`; absent from runs made before it existed. */
  readonly startup?: StartupResult | { readonly error: string } | undefined;
  /** Cold starts of `capt-endpoint run` in its own process; absent from runs made before it existed. */
  readonly coldStart?: ColdStartSection | { readonly error: string } | undefined;
  /** Cold starts on a real kube-apiserver and etcd, with the requests its audit log counted; absent from runs made before it existed. */
  readonly realServer?: RealServerSection | { readonly error: string } | undefined;
  readonly targets: readonly Target[];
}

export const summarizeScale = (config: ScaleConfig, runs: readonly ScaleResult[]): ScaleSummary => {
  const pass = (which: 'first' | 'steady') => {
    const passes = runs.flatMap((r) => (which === 'first' ? [r.first] : r.steady));
    return {
      wallMs: spread(passes.map((p) => p.wallMs)),
      requests: spread(passes.map((p) => p.requests)),
      writes: spread(passes.map((p) => p.writes)),
      failures: spread(passes.map((p) => p.failures)),
    };
  };
  const syncs = runs.flatMap((r) => (r.cacheSync ? [r.cacheSync.ms] : []));
  return {
    config,
    first: pass('first'),
    steady: pass('steady'),
    peakRssBytes: spread(runs.map((r) => r.peakRssBytes)),
    peakHeapBytes: spread(runs.map((r) => r.peakHeapBytes)),
    retainedHeapBytes: spread(runs.map((r) => r.retainedHeapBytes)),
    heapBeforeClientBytes: spread(runs.map((r) => r.heapBeforeClientBytes)),
    objectsJsonBytes: Math.max(...runs.map((r) => r.objectsJsonBytes)),
    cacheSyncMs: syncs.length > 0 ? spread(syncs) : undefined,
  };
};
