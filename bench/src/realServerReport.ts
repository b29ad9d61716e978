/**
 * The real-server section of the results: cold starts of `capt-endpoint run` on kube-apiserver
 * and etcd, the CPU of each process over the same span (which one limits), the growth from one
 * size to the next, and the requests the server counted, cold and steady, beside CAPT's.
 */
import { CAPT_AS_IT_IS } from './captModel';
import type { ColdStartResult } from './coldStart';
import { fmt } from './stats';

export interface RealServerRun {
  /** Starting the server, applying deploy/'s RBAC and creating the control planes through the API. */
  readonly seedMs: number;
  readonly result: ColdStartResult;
}

/** What the bench's real-server section measured. */
export interface RealServerSection {
  /** Kubernetes version of the server. */
  readonly kubernetes: string;
  /** The old space deploy/'s NODE_OPTIONS give the controller, in MiB. */
  readonly heapMiB: number;
  /** deploy/'s NODE_OPTIONS, the controller's V8 flags (results from before it was recorded hold only the old space). */
  readonly nodeOptions?: string;
  /** Control planes created through the API at once while seeding. */
  readonly seedConcurrency: number;
  readonly runs: ReadonlyArray<RealServerRun | { readonly controlPlanes: number; readonly error: string }>;
}

const MIB = 2 ** 20;
const isError = <T extends object>(value: T | { readonly error: string }): value is { readonly error: string } => 'error' in value;

/** Runs that finished, in size order. */
export const finishedRuns = (section: RealServerSection): RealServerRun[] =>
  section.runs.filter((r): r is RealServerRun => !isError(r)).sort((a, b) => a.result.controlPlanes - b.result.controlPlanes);

export interface Growth {
  readonly from: number;
  readonly to: number;
  /** Each figure at `to` over the same at `from`. */
  readonly controlPlanes: number;
  readonly allSet: number;
  readonly msPerCp: number;
  readonly cpuPerCp: number;
  readonly peakRss: number;
}

/** From each size to the next: how time, CPU and memory grew against the control planes. */
export const growth = (runs: readonly ColdStartResult[]): Growth[] =>
  runs.slice(1).map((to, i) => {
    const from = runs[i]!;
    return {
      from: from.controlPlanes,
      to: to.controlPlanes,
      controlPlanes: to.controlPlanes / from.controlPlanes,
      allSet: to.allSetMs / from.allSetMs,
      msPerCp: to.allSetMs / to.controlPlanes / (from.allSetMs / from.controlPlanes),
      cpuPerCp: to.cpuMs / to.controlPlanes / (from.cpuMs / from.controlPlanes),
      peakRss: to.peakRssBytes / from.peakRssBytes,
    };
  });

/** The process that spent the most CPU over the cold start, and how many cores it kept busy on average. */
export const limitingFactor = (r: ColdStartResult): { readonly process: string; readonly cores: number } => {
  const spent = [['controller', r.cpuMs] as const, ...Object.entries(r.serverCpuMs ?? {})];
  const [name, ms] = spent.reduce((most, entry) => (entry[1] > most[1] ? entry : most));
  return { process: name, cores: ms / r.allSetMs };
};

const perCp = (r: ColdStartResult, ms: number | undefined): string => (ms === undefined ? '—' : fmt(ms / r.controlPlanes));

const markdownTable = (head: readonly string[], rows: ReadonlyArray<readonly string[]>): string =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');

/** The real-server cold-start table: one row a size, with each process's CPU per control plane, the busiest process and the growth from the size before. */
export const realServerColdStartTable = (section: RealServerSection): string => {
  const runs = finishedRuns(section);
  const grown = growth(runs.map((r) => r.result));
  const rows = runs.map(({ result: r }, i) => {
    const limit = limitingFactor(r);
    const step = i === 0 ? undefined : grown[i - 1];
    return [
      fmt(r.controlPlanes),
      `${fmt(r.allSetMs / 1000)} s`,
      fmt(r.allSetMs / r.controlPlanes),
      perCp(r, r.cpuMs),
      perCp(r, r.serverCpuMs?.['kube-apiserver']),
      perCp(r, r.serverCpuMs?.['etcd']),
      `${fmt(r.peakRssBytes / MIB)} / ${fmt(r.steadyRssBytes / MIB)} MiB`,
      `${limit.process}, ${fmt(limit.cores)} cores`,
      step === undefined ? '—' : fmt(step.msPerCp),
    ];
  });
  const failed = section.runs.flatMap((r) => ('error' in r ? [r] : [])).map((r) => `\n\n${fmt(r.controlPlanes)}: did not finish (${r.error}).`);
  return markdownTable(['Control planes', 'All set', 'ms per CP', 'Controller', 'kube-apiserver', 'etcd', 'Peak / steady RSS', 'Busiest', '×'], rows) + failed.join('');
};

/** `verb resource` without the API group: `patch captcontrolplanes/status`. */
const shortKey = (key: string): string => {
  const [verb, resource = ''] = key.split(' ');
  return `${verb} ${resource.startsWith('/') ? resource.slice(1) : resource.replace(/^[^/]*\//, '')}`;
};

const LEASE = /\/leases$/;

export interface SteadyWindow {
  readonly controlPlanes: number;
  readonly windowMs: number;
  readonly requests: number;
  /** Writes to anything but the controller's Lease: the goal is 0. */
  readonly writesBesideLease: number;
  /** Requests other than watches and the Lease's: the goal is 0. */
  readonly otherThanWatchesAndLease: number;
  /** CAPT's Go controller over the same window: 12 requests (8 writes) per control plane every 30 s. */
  readonly capt: { readonly requests: number; readonly writes: number };
}

/** The steady window of a run, against its goals and CAPT over the same time. */
export const steadyWindow = (r: ColdStartResult): SteadyWindow | undefined => {
  if (r.steadyRequests === undefined || r.steadyMs === undefined) return undefined;
  const entries = Object.entries(r.steadyRequests.byVerb);
  const count = (keep: (verb: string, resource: string) => boolean): number =>
    entries.reduce((sum, [key, n]) => {
      const [verb = '', resource = ''] = key.split(' ');
      return keep(verb, resource) ? sum + n : sum;
    }, 0);
  const periods = r.steadyMs / 1000 / CAPT_AS_IT_IS.everySeconds;
  return {
    controlPlanes: r.controlPlanes,
    windowMs: r.steadyMs,
    requests: r.steadyRequests.requests,
    writesBesideLease: count((verb, resource) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(verb) && !LEASE.test(resource)),
    otherThanWatchesAndLease: count((verb, resource) => verb !== 'watch' && !LEASE.test(resource)),
    capt: { requests: CAPT_AS_IT_IS.requests * r.controlPlanes * periods, writes: CAPT_AS_IT_IS.writes * r.controlPlanes * periods },
  };
};

const tallyText = (byVerb: Readonly<Record<string, number>>): string =>
  Object.entries(byVerb)
    .map(([key, n]) => `${n} ${shortKey(key)}`)
    .join(', ') || 'none';

/** Requests that come once per control plane (at least one in two at every size): the first set's writes and its Event. */
const perControlPlaneKeys = (runs: readonly ColdStartResult[]): string[] =>
  [...new Set(runs.flatMap((r) => Object.keys(r.requests?.byVerb ?? {})))].filter((key) => runs.every((r) => (r.requests?.byVerb[key] ?? 0) >= r.controlPlanes / 2)).sort();

/**
 * The requests the server counted, for docs/benchmarks.md: per control plane at each size, those
 * made once per control plane at the largest, then the longest steady window against CAPT's.
 */
export const realServerRequestsMarkdown = (section: RealServerSection): string => {
  const runs = finishedRuns(section).map((r) => r.result);
  const largest = runs[runs.length - 1];
  if (largest === undefined) return 'No run finished.';
  const sizes = runs.map((r) => `${fmt((r.requests?.requests ?? Number.NaN) / r.controlPlanes)} at ${fmt(r.controlPlanes)}`).join(', ');
  const each = perControlPlaneKeys(runs)
    .map((key) => `${fmt((largest.requests?.byVerb[key] ?? 0) / largest.controlPlanes)} ${shortKey(key)}`)
    .join(', ');
  const cold = `Cold start, requests per CP: ${sizes}; of which ${each} (the rest: lists, watches, the Lease).`;
  const longest = runs.filter((r) => r.steadyMs !== undefined).reduce<ColdStartResult | undefined>((l, r) => (l === undefined || (r.steadyMs ?? 0) >= (l.steadyMs ?? 0) ? r : l), undefined);
  const steady = longest === undefined ? undefined : steadyWindow(longest);
  if (longest === undefined || steady === undefined) return cold;
  return (
    `${cold}\n\nSteady ${fmt(steady.windowMs / 1000)} s at ${fmt(steady.controlPlanes)}: ${tallyText(longest.steadyRequests?.byVerb ?? {})}; ` +
    `**${steady.writesBesideLease} writes** beside the Lease, ${steady.otherThanWatchesAndLease} reads beside watches. CAPT: ${fmt(steady.capt.requests)} requests (${fmt(steady.capt.writes)} writes), ${fmt(steady.capt.requests / Math.max(1, steady.requests))}×.`
  );
};

export interface RealServerTarget {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

const OBJECT_WRITE = /^patch \S*\/(captcontrolplanes|captcontrolplanes\/status|clusters)$/;

/** Item 3's goals, counted by the server: a first set writes 3 objects per control plane; a steady window writes nothing beside the Lease and reads only by watches. */
export const realServerTargets = (section: RealServerSection): RealServerTarget[] => {
  const runs = finishedRuns(section).map((r) => r.result);
  if (runs.length === 0) return [];
  const writesPerCp = runs.map((r) => Object.entries(r.requests?.byVerb ?? {}).reduce((sum, [key, n]) => (OBJECT_WRITE.test(key) ? sum + n : sum), 0) / r.controlPlanes);
  const targets: RealServerTarget[] = [
    {
      name: 'Real server, cold start: object writes per CP',
      target: '3',
      measured: writesPerCp.every((n) => n === writesPerCp[0]) ? `${fmt(writesPerCp[0]!)} at every size` : runs.map((r, i) => `${fmt(writesPerCp[i]!)} at ${fmt(r.controlPlanes)}`).join(', '),
      met: writesPerCp.every((n) => n === 3),
    },
  ];
  const largest = runs[runs.length - 1]!;
  const steady = steadyWindow(largest);
  if (steady !== undefined)
    targets.push({
      name: 'Real server, steady: writes beside the Lease, reads beside watches',
      target: '0, 0',
      measured: `${steady.writesBesideLease}, ${steady.otherThanWatchesAndLease} (${fmt(steady.windowMs / 1000)} s at ${fmt(steady.controlPlanes)})`,
      met: steady.writesBesideLease === 0 && steady.otherThanWatchesAndLease === 0,
    });
  return targets;
};
