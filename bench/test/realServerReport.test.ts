import type { ColdStartResult } from '../src/coldStart';
import { coldStartRun } from './builders';
import { growth, limitingFactor, realServerColdStartTable, realServerRequestsMarkdown, realServerTargets, steadyWindow, type RealServerSection } from '../src/realServerReport';

const CP = 'controlplane.cluster.x-k8s.io/captcontrolplanes';

/** The requests of a first set per control plane, as the audit log tallies them, for `n` control planes. */
const coldTally = (n: number, extra: Record<string, number> = {}): Record<string, number> => ({
  'patch cluster.x-k8s.io/clusters': n,
  [`patch ${CP}`]: n,
  [`patch ${CP}/status`]: n,
  'create /events': n,
  'update coordination.k8s.io/leases': 4,
  ...extra,
});

const run = (controlPlanes: number, figures: { msPerCp: number; cpuPerCp: number; apiServerPerCp: number; peakMiB: number; steady?: Record<string, number> }): ColdStartResult => {
  const byVerb = coldTally(controlPlanes);
  const requests = Object.values(byVerb).reduce((a, b) => a + b, 0);
  return coldStartRun(
    controlPlanes,
    { msPerCp: figures.msPerCp, cpuMsPerCp: figures.cpuPerCp, peakMiB: figures.peakMiB, steadyMiB: figures.peakMiB },
    {
      requests: { requests, writes: requests, byVerb },
      steadyRequests: figures.steady && { requests: Object.values(figures.steady).reduce((a, b) => a + b, 0), writes: 0, byVerb: figures.steady },
      steadyMs: 90_000,
      serverCpuMs: { 'kube-apiserver': figures.apiServerPerCp * controlPlanes, etcd: controlPlanes },
    },
  );
};

const QUIET = { 'update coordination.k8s.io/leases': 45, 'watch cluster.x-k8s.io/clusters': 1, [`watch ${CP}`]: 1 };

const section = (runs: readonly ColdStartResult[]): RealServerSection => ({ kubernetes: 'v1.37.2', heapMiB: 307, seedConcurrency: 16, runs: runs.map((result) => ({ seedMs: 1000, result })) });

describe('the real-server section', () => {
  it('grows each figure from one size to the next against the control planes', () => {
    const [step] = growth([run(1000, { msPerCp: 10, cpuPerCp: 5, apiServerPerCp: 8, peakMiB: 200 }), run(5000, { msPerCp: 6, cpuPerCp: 4, apiServerPerCp: 8, peakMiB: 300 })]);
    expect(step).toEqual({ from: 1000, to: 5000, controlPlanes: 5, allSet: 3, msPerCp: 0.6, cpuPerCp: 0.8, peakRss: 1.5 });
  });

  it('names the process that spent the most CPU over the cold start, the controller or the server', () => {
    expect(limitingFactor(run(1000, { msPerCp: 10, cpuPerCp: 5, apiServerPerCp: 8, peakMiB: 200 }))).toEqual({ process: 'kube-apiserver', cores: 0.8 });
    expect(limitingFactor(run(1000, { msPerCp: 10, cpuPerCp: 9, apiServerPerCp: 8, peakMiB: 200 }))).toEqual({ process: 'controller', cores: 0.9 });
  });

  it('tabulates each size with each process\'s CPU per control plane, its busiest process and its growth', () => {
    const table = realServerColdStartTable(section([run(1000, { msPerCp: 10, cpuPerCp: 5, apiServerPerCp: 8, peakMiB: 200 }), run(5000, { msPerCp: 6, cpuPerCp: 4, apiServerPerCp: 7, peakMiB: 300 })]));
    const rows = table.split('\n').slice(2);
    expect(rows[0]).toBe('| 1000 | 10 s | 10 | 5 | 8 | 1 | 200 / 200 MiB | kube-apiserver, 0.800 cores | — |');
    expect(rows[1]).toBe('| 5000 | 30 s | 6 | 4 | 7 | 1 | 300 / 300 MiB | kube-apiserver, 1.17 cores | 0.600 |');
  });

  it('renders the requests made per control plane, the rest in all, and the steady window against CAPT', () => {
    const markdown = realServerRequestsMarkdown(section([run(1000, { msPerCp: 10, cpuPerCp: 5, apiServerPerCp: 8, peakMiB: 200 }), run(5000, { msPerCp: 6, cpuPerCp: 4, apiServerPerCp: 7, peakMiB: 300, steady: QUIET })]));
    // The Lease's 4 updates are not per control plane.
    expect(markdown.split('\n')[0]).toBe(
      'Cold start, requests per CP: 4.00 at 1000, 4.00 at 5000; of which 1 create events, 1 patch clusters, 1 patch captcontrolplanes, 1 patch captcontrolplanes/status (the rest: lists, watches, the Lease).',
    );
    // 5000 control planes × 3 of CAPT's 30 s periods × 12 requests = 180,000 against our 47.
    expect(markdown).toContain('Steady 90 s at 5000: 45 update leases, 1 watch clusters, 1 watch captcontrolplanes; **0 writes** beside the Lease, 0 reads beside watches. CAPT: 180000 requests (120000 writes), 3830×.');
  });

  it('meets its goals only with 3 object writes per control plane and a steady window of Lease writes and watches', () => {
    const good = run(1000, { msPerCp: 10, cpuPerCp: 5, apiServerPerCp: 8, peakMiB: 200, steady: QUIET });
    expect(realServerTargets(section([good])).map((t) => t.met)).toEqual([true, true]);
    const reread = { ...good, steadyRequests: { requests: 48, writes: 1, byVerb: { ...QUIET, [`get ${CP}`]: 1, [`patch ${CP}/status`]: 1 } } };
    expect(steadyWindow(reread)).toMatchObject({ writesBesideLease: 1, otherThanWatchesAndLease: 2 });
    const twice = { ...good, requests: { requests: 0, writes: 0, byVerb: coldTally(1000, { [`patch ${CP}/status`]: 2000 }) } };
    expect(realServerTargets(section([twice, reread])).map((t) => t.met)).toEqual([false, false]);
  });
});
