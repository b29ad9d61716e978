/**
 * The cold-start section of the results: its targets, each a ratio within the run (to the CPU
 * of `node -e 0`, peak to steady, one size to the next) or a count of bytes, and its table.
 */
import type { ColdStartResult } from './coldStart';
import { fmt } from './stats';

/** What the bench's cold-start section measured. */
export interface ColdStartSection {
  /** CPU of `node -e 0` (median of several), in ms: the unit the cold start's speed targets are given in. */
  readonly nodeStartCpuMs: number;
  /** CPU per request of Node's http client alone against the same server, in µs: the floor under the controller's requests. */
  readonly httpFloorUs?: number | undefined;
  readonly runs: readonly ColdStartResult[];
  /** A cold start as deploy/ runs one: its concurrency, and V8's old space sized from its memory limit. */
  readonly asDeployed?:
    | {
        readonly limitBytes: number;
        readonly heapMiB: number;
        /** deploy/'s NODE_OPTIONS, the run's V8 flags (results from before it was recorded hold only the old space). */
        readonly nodeOptions?: string;
        readonly result: ColdStartResult | { readonly error: string };
      }
    | undefined;
}

export interface ColdStartTarget {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

// Calibrated on a quiet machine, where `node -e 0` takes about 50 ms of CPU (ADR 0099).
/** Controller CPU per control plane, at most this fraction of `node -e 0`'s CPU: 1.5 ms where `node -e 0` takes 49.5 ms. */
export const CPU_PER_CONTROL_PLANE_OF_NODE_START = 1 / 33;
/** Every endpoint set at 10,000 within this many times `node -e 0`'s CPU: 20 s where it takes 50 ms. */
export const ALL_SET_AT_10000_OF_NODE_START = 400;
/** Sizes from which start-up no longer counts: the CPU and growth targets are checked there. */
const LARGE = 10_000;

const MIB = 2 ** 20;
const perCp = (r: ColdStartResult, ms: number): number => ms / r.controlPlanes;
const isError = <T extends object>(value: T | { readonly error: string }): value is { readonly error: string } => 'error' in value;

type AsDeployed = NonNullable<ColdStartSection['asDeployed']>;

/**
 * The as-deployed run fits when every endpoint is set and nothing passed the limit: the kernel's
 * own account where the run had a memory cgroup (peak charged, OOM kills), else the peak RSS.
 */
const asDeployedTarget = ({ result, heapMiB, limitBytes }: AsDeployed): ColdStartTarget => {
  const name = `Cold start as deployed (${isError(result) ? '' : `${result.controlPlanes}, concurrency ${result.concurrency ?? 2}, `}old space ${heapMiB} MiB)`;
  const limit = `${fmt(limitBytes / MIB)} MiB`;
  if (isError(result)) return { name, target: `all set within ${limit}`, measured: `did not finish: ${result.error}`, met: false };
  const cgroup = result.cgroup;
  const allSet = `all set in ${fmt(result.allSetMs / 1000)} s`;
  if (cgroup === undefined || 'unavailable' in cgroup)
    return {
      name,
      target: `all set, peak RSS < limit (${limit})`,
      measured: `${fmt(result.peakRssBytes / MIB)} MiB peak RSS, ${allSet}${cgroup === undefined ? '' : ` (${cgroup.unavailable})`}`,
      met: result.peakRssBytes < limitBytes,
    };
  return {
    name,
    target: `all set in a ${limit} memory cgroup, 0 OOM kills`,
    measured: `${fmt(cgroup.peakBytes / MIB)} MiB peak charged by the kernel (RSS ${fmt(result.peakRssBytes / MIB)} MiB), ${cgroup.oomKills} OOM kills, ${allSet}`,
    met: cgroup.oomKills === 0 && cgroup.peakBytes < limitBytes,
  };
};

export const coldStartTargets = (section: ColdStartSection): ColdStartTarget[] => {
  const targets: ColdStartTarget[] = [];
  const unit = section.nodeStartCpuMs;
  const large = section.runs.filter((r) => r.controlPlanes >= LARGE);
  for (const r of large)
    targets.push({
      name: `Cold start ${r.controlPlanes}: CPU per CP / \`node -e 0\` CPU`,
      target: `≤ 1/${1 / CPU_PER_CONTROL_PLANE_OF_NODE_START}`,
      measured: `1/${fmt(unit / perCp(r, r.cpuMs))} (${fmt(perCp(r, r.cpuMs))} ms against ${fmt(unit)} ms)`,
      met: perCp(r, r.cpuMs) <= unit * CPU_PER_CONTROL_PLANE_OF_NODE_START,
    });
  const floor = section.httpFloorUs;
  for (const r of large.filter((run) => run.controlPlanes === LARGE))
    if (floor !== undefined && r.requests !== undefined && r.requests.requests > 0)
      targets.push({
        name: `Cold start ${r.controlPlanes}: CPU per request / Node's http client alone (context)`,
        target: '—',
        measured: `${fmt((1000 * r.cpuMs) / r.requests.requests)} against ${fmt(floor)} µs (${fmt((1000 * r.cpuMs) / r.requests.requests / floor)}×)`,
        met: undefined,
      });
  const at10000 = section.runs.find((r) => r.controlPlanes === LARGE);
  if (at10000 !== undefined)
    targets.push({
      name: `Cold start ${LARGE}: all set / \`node -e 0\` CPU`,
      target: `≤ ${ALL_SET_AT_10000_OF_NODE_START}×`,
      measured: `${fmt(at10000.allSetMs / unit)}× (${fmt(at10000.allSetMs / 1000)} s)`,
      met: at10000.allSetMs <= unit * ALL_SET_AT_10000_OF_NODE_START,
    });
  const worst = section.runs.reduce<ColdStartResult | undefined>((w, r) => (w === undefined || r.peakRssBytes / r.steadyRssBytes > w.peakRssBytes / w.steadyRssBytes ? r : w), undefined);
  if (worst !== undefined)
    targets.push({
      name: 'Cold start, every size: peak / steady RSS',
      target: '≤ 1.5',
      measured: `${fmt(worst.peakRssBytes / worst.steadyRssBytes)} at most (${worst.controlPlanes}: ${fmt(worst.peakRssBytes / MIB)} / ${fmt(worst.steadyRssBytes / MIB)} MiB)`,
      met: worst.peakRssBytes <= 1.5 * worst.steadyRssBytes,
    });
  for (const [small, big] of large.slice(0, -1).map((r, i) => [r, large[i + 1]!] as const))
    targets.push({
      name: `Cold start ${small.controlPlanes} to ${big.controlPlanes}: ms per CP`,
      target: 'within 10%',
      measured: `${fmt(perCp(small, small.allSetMs))} to ${fmt(perCp(big, big.allSetMs))} ms (${fmt(perCp(big, big.allSetMs) / perCp(small, small.allSetMs))}×)`,
      met: Math.abs(perCp(big, big.allSetMs) / perCp(small, small.allSetMs) - 1) <= 0.1,
    });
  const deployed = section.asDeployed;
  if (deployed !== undefined) targets.push(asDeployedTarget(deployed));
  return targets;
};

/** CPU per control plane of the server's processes together, or — where the run did not read it. */
const serverPerCp = (r: ColdStartResult): string =>
  r.serverCpuMs === undefined ? '—' : fmt(perCp(r, Object.values(r.serverCpuMs).reduce((sum, ms) => sum + ms, 0)));

const row = (r: ColdStartResult, label = fmt(r.controlPlanes)): string[] => [
  label,
  `${fmt(r.allSetMs / 1000)} s`,
  fmt(perCp(r, r.allSetMs)),
  fmt(perCp(r, r.cpuMs)),
  serverPerCp(r),
  `${fmt(r.peakRssBytes / MIB)} MiB`,
  `${fmt(r.steadyRssBytes / MIB)} MiB`,
  r.loadAverage.start[0]?.toFixed(1) ?? '—',
];

/** The cold-start table: one row a size, and the as-deployed run. */
export const coldStartTable = (section: ColdStartSection): string => {
  const rows = section.runs.map((r) => row(r));
  const deployed = section.asDeployed;
  if (deployed !== undefined && !isError(deployed.result)) rows.push(row(deployed.result, `${fmt(deployed.result.controlPlanes)}, as deployed`));
  const head = ['Control planes', 'All endpoints set', 'ms per CP', 'Controller CPU ms per CP', 'Server CPU ms per CP', 'Peak RSS', 'Steady RSS', 'Load'];
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');
};
