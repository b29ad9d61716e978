/**
 * A cold start as an operator sees one: `capt-endpoint run` started as its own process against
 * an API server already holding `controlPlanes` control planes, none with its endpoint set.
 * Measured from outside the controller: the time until every endpoint is set (on the control
 * plane and its Cluster, `EndpointReady` True), the controller's CPU and resident memory from
 * /proc, and its resident memory after a steady window once everything is set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { RequestCount } from './loopback';
import { makeMemoryCgroup } from './memoryCgroup';

/** What the bench needs of an API server for a cold start: the loopback one, or the real one. */
export interface ColdStartServer {
  /** A kubeconfig the controller can use. */
  readonly kubeConfigYaml: string;
  /** Control planes, and those whose endpoint is set on the control plane and its Cluster. */
  endpointsSet(): Promise<{ controlPlanes: number; set: number }>;
  /** Requests since the last mark, where the server counts them. */
  mark?(): Promise<void>;
  count?(): Promise<RequestCount>;
  /** The server's own processes by name, whose CPU is read from /proc over the same span as the controller's. */
  processes?(): Readonly<Record<string, number | undefined>>;
}

export interface ColdStartOptions {
  readonly controlPlanes: number;
  /** `run --concurrency`; undefined for the controller's default. */
  readonly concurrency?: number | undefined;
  /** How long to watch the controller after every endpoint is set, for its steady RSS. */
  readonly steadyMs: number;
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Node flags for the controller (e.g. `--cpu-prof`, `--max-old-space-size=...`). */
  readonly nodeArgs?: readonly string[] | undefined;
  /** Further arguments of `capt-endpoint run`. */
  readonly args?: readonly string[] | undefined;
  /** Environment for the controller beyond this process's. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Run the controller in a memory cgroup with this limit, as a container's, where the machine allows one. */
  readonly memoryLimitBytes?: number | undefined;
  /** Leader election on, its Lease in this namespace (as deploy/ runs it); off when undefined. */
  readonly leaderElectionNamespace?: string | undefined;
  /** Once every endpoint is set, how long the cold start's requests are still counted (its last Events land) before the steady window. */
  readonly settleMs?: number | undefined;
}

/** What the kernel charged a controller run in a memory cgroup, or why it could not run in one. */
export type CgroupMemory = { readonly limitBytes: number; readonly peakBytes: number; readonly oomKills: number } | { readonly unavailable: string };

export interface ColdStartResult {
  readonly controlPlanes: number;
  readonly concurrency: number | undefined;
  /** From the controller's spawn until every endpoint was set. */
  readonly allSetMs: number;
  /** The controller's user and system CPU over the same span (from /proc/PID/stat). */
  readonly cpuMs: number;
  /** The part of `cpuMs` spent in the kernel (the loopback's TCP among it). */
  readonly systemCpuMs: number;
  /** The highest resident set of the run, steady window included (from /proc/PID/status VmHWM). */
  readonly peakRssBytes: number;
  /** Resident set at the end of the steady window after everything was set. */
  readonly steadyRssBytes: number;
  /** CPU over the steady window. */
  readonly steadyCpuMs: number;
  readonly requests: RequestCount | undefined;
  /** Present when a memory limit was asked for. */
  readonly cgroup?: CgroupMemory | undefined;
  /** Requests over the steady window (`steadyMs` long), where the server counts them. */
  readonly steadyRequests?: RequestCount | undefined;
  readonly steadyMs?: number | undefined;
  /** The server's processes' user and system CPU from the controller's spawn until every endpoint was set, by name. */
  readonly serverCpuMs?: Readonly<Record<string, number>> | undefined;
  /** os.loadavg() at the start and at the end of the run: the machine's other work. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
}

/** The command measured: this checkout's, or BENCH_CONTROLLER_BIN's (another build, to compare). */
const bin = process.env['BENCH_CONTROLLER_BIN'] ?? fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux the bench runs on

/** User and system CPU of a process, in ms; NaN once it has gone. */
const cpuOf = (pid: number): { readonly userMs: number; readonly systemMs: number } => {
  try {
    // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { userMs: (Number(fields[11]) * 1000) / TICKS_PER_SECOND, systemMs: (Number(fields[12]) * 1000) / TICKS_PER_SECOND };
  } catch {
    return { userMs: Number.NaN, systemMs: Number.NaN };
  }
};

const totalCpuOf = (pid: number): number => {
  const { userMs, systemMs } = cpuOf(pid);
  return userMs + systemMs;
};

/** `VmRSS` or `VmHWM` of a process, in bytes. */
const memoryOf = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

/** How often the server is asked how many endpoints are set. */
const POLL_MS = 100;

export const runColdStart = async (server: ColdStartServer, options: ColdStartOptions): Promise<ColdStartResult> => {
  const loadAtStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'capt-endpoint-coldstart-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeConfigYaml, { mode: 0o600 });
  const election = options.leaderElectionNamespace === undefined ? ['--leader-elect=false'] : ['--leader-elect=true', `--leader-election-namespace=${options.leaderElectionNamespace}`];
  const args = [...(options.nodeArgs ?? []), bin, 'run', `--kubeconfig=${kubeconfig}`, ...election, ...(options.concurrency === undefined ? [] : [`--concurrency=${options.concurrency}`]), ...(options.args ?? [])];
  const cgroup = options.memoryLimitBytes === undefined ? undefined : makeMemoryCgroup(`capt-endpoint-bench-${process.pid}`, options.memoryLimitBytes);
  const inCgroup = cgroup !== undefined && !('unavailable' in cgroup) ? cgroup : undefined;
  await server.mark?.();
  const serverPids = Object.entries(server.processes?.() ?? {}).flatMap(([name, pid]) => (pid === undefined ? [] : [[name, pid] as const]));
  const serverCpuAtStart = serverPids.map(([, pid]) => totalCpuOf(pid));
  const started = process.hrtime.bigint();
  const elapsedMs = (): number => Number(process.hrtime.bigint() - started) / 1e6;
  // Logs go where a container's would: a pipe, read here and dropped (or kept in BENCH_CONTROLLER_LOG).
  // In a cgroup, a shell joins it and then becomes node (same PID), so nothing runs outside the limit.
  const [command, commandArgs] = inCgroup === undefined ? [process.execPath, args] : ['/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', inCgroup.procsFile, process.execPath, ...args]];
  const child = spawn(command, commandArgs, { cwd: dir, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const logFile = process.env['BENCH_CONTROLLER_LOG'];
  if (logFile === undefined) child.stdout?.resume();
  else child.stdout?.pipe(createWriteStream(logFile));
  const pid = child.pid ?? -1;
  try {
    let allSetMs: number | undefined;
    while (allSetMs === undefined) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`capt-endpoint run exited (${child.exitCode ?? child.signalCode}) before every endpoint was set${inCgroup !== undefined && inCgroup.oomKills() > 0 ? `: OOM-killed at the memory cgroup's limit of ${mib(inCgroup.limitBytes)} MiB` : ''}`);
      if (elapsedMs() > options.timeoutMs) throw new Error(`not every endpoint set after ${options.timeoutMs / 1000} s`);
      const { controlPlanes, set } = await server.endpointsSet();
      if (controlPlanes >= options.controlPlanes && set >= controlPlanes) allSetMs = elapsedMs();
      else await sleep(POLL_MS);
    }
    const cpu = cpuOf(pid);
    const cpuMs = cpu.userMs + cpu.systemMs;
    const serverCpuMs = serverPids.length === 0 ? undefined : Object.fromEntries(serverPids.map(([name, serverPid], i) => [name, totalCpuOf(serverPid) - serverCpuAtStart[i]!]));
    if (options.settleMs !== undefined) await sleep(options.settleMs);
    const requests = await server.count?.();
    await server.mark?.();
    const steadyCpuAtStart = cpuOf(pid);
    await sleep(options.steadyMs);
    // Gone, its memory reads 0: a controller that ended in the steady window (its Lease lost) is a failed run.
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`capt-endpoint run exited (${child.exitCode ?? child.signalCode}) in the steady window after every endpoint was set`);
    const steadyRequests = await server.count?.();
    const steadyRssBytes = memoryOf(pid, 'VmRSS');
    // The high-water mark of the whole run: RSS may still grow a little after the last write.
    const peakRssBytes = memoryOf(pid, 'VmHWM');
    const after = cpuOf(pid);
    const charged: CgroupMemory | undefined = cgroup === undefined || 'unavailable' in cgroup ? cgroup : { limitBytes: cgroup.limitBytes, peakBytes: cgroup.peakBytes(), oomKills: cgroup.oomKills() };
    const steadyCpuMs = after.userMs + after.systemMs - steadyCpuAtStart.userMs - steadyCpuAtStart.systemMs;
    return {
      controlPlanes: options.controlPlanes,
      concurrency: options.concurrency,
      allSetMs,
      cpuMs,
      systemCpuMs: cpu.systemMs,
      peakRssBytes,
      steadyRssBytes,
      steadyCpuMs,
      requests,
      cgroup: charged,
      steadyRequests,
      steadyMs: options.steadyMs,
      serverCpuMs,
      loadAverage: { start: loadAtStart, end: loadavg() },
    };
  } finally {
    child.kill('SIGTERM');
    await exited(child);
    await inCgroup?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
};


/** One line of the cold-start table, for the bench's progress output. */
export const coldStartRow = (r: ColdStartResult): string =>
  `${r.controlPlanes} control planes: all set in ${(r.allSetMs / 1000).toFixed(1)} s (${(r.allSetMs / r.controlPlanes).toFixed(2)} ms per CP), CPU ${(r.cpuMs / r.controlPlanes).toFixed(2)} ms per CP (${((100 * r.systemCpuMs) / r.cpuMs).toFixed(0)}% system)${Object.entries(r.serverCpuMs ?? {}).map(([name, ms]) => `, ${name} ${(ms / r.controlPlanes).toFixed(2)} ms`).join('')}, peak RSS ${mib(r.peakRssBytes)} MiB, steady RSS ${mib(r.steadyRssBytes)} MiB, load ${r.loadAverage.start.map((l) => l.toFixed(2)).join(' ')}`;

/** The CPU of `node -e 0` (plus the exit hook that reads it), median of `runs`, in ms: the unit of the cold start's speed targets. */
export const nodeStartCpuMs = async (runs = 7): Promise<number> => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawn(process.execPath, ['-e', "process.on('exit', () => { const u = process.cpuUsage(); process.stdout.write(String(u.user + u.system)); })"], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await exited(child);
    samples.push(Number(text) / 1000);
  }
  return [...samples].sort((a, b) => a - b)[runs >> 1]!;
};

/** The memory limit in deploy/'s Deployment and the old space its NODE_OPTIONS give node: what a cold start as deployed runs with. */
export const deployedMemory = (root: string): { readonly limitBytes: number; readonly heapMiB: number; readonly nodeOptions: readonly string[] } => {
  const deployment = readFileSync(join(root, 'deploy/kubernetes/deployment.yaml'), 'utf8');
  const limit = /limits:\s*\n\s*memory:\s*(\d+)Mi\b/.exec(deployment);
  const nodeOptions = /name: NODE_OPTIONS\s*\n\s*value:\s*(.+)$/m.exec(deployment)?.[1]?.trim().split(/\s+/) ?? [];
  const heap = nodeOptions.map((option) => /^--max-old-space-size=(\d+)$/.exec(option)).find((match) => match !== null);
  if (limit === null || heap === undefined) throw new Error("deploy/'s Deployment names no memory limit in MiB or no NODE_OPTIONS --max-old-space-size");
  return { limitBytes: Number(limit[1]) * 2 ** 20, heapMiB: Number(heap[1]), nodeOptions };
};

// A client with nothing but Node's http module: merge patches of one control plane's endpoint,
// two at a time over one keep-alive agent, each response read whole and parsed.
const HTTP_FLOOR_CLIENT = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
const url = process.env.FLOOR_URL;
const requests = Number(process.env.FLOOR_REQUESTS);
const headers = { authorization: 'Bearer ' + process.env.FLOOR_TOKEN, 'content-type': 'application/merge-patch+json', accept: 'application/json' };
const body = JSON.stringify({ spec: { controlPlaneEndpoint: { host: 'floor.example.com', port: 443 } } });
const one = () => new Promise((resolve, reject) => {
  const request = http.request(url, { method: 'PATCH', agent, headers }, (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
  });
  request.on('error', reject);
  request.end(body);
});
let sent = 0;
const worker = async () => { while (sent < requests) { sent++; await one(); } };
(async () => {
  await one();
  const start = process.cpuUsage();
  await Promise.all([worker(), worker()]);
  const used = process.cpuUsage(start);
  agent.destroy();
  process.stdout.write(String((used.user + used.system) / requests));
})();
`;

/** The floor client's node flags, e.g. `--cpu-prof` to profile it beside the controller. */
const floorNodeArgs = process.env['BENCH_FLOOR_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];

/**
 * Node's own HTTP client alone, the floor under every request the controller makes: CPU per
 * request, in µs (median of `runs`), of a child process that sends `requests` merge patches of a
 * control plane at `path` on the server of `kubeConfigYaml` (its server URL and token).
 */
export const httpFloorUs = async (kubeConfigYaml: string, path: string, requests = 20_000, runs = 3): Promise<number> => {
  const server = /^\s*server:\s*(\S+)\s*$/m.exec(kubeConfigYaml)?.[1];
  const token = /^\s*token:\s*(\S+)\s*$/m.exec(kubeConfigYaml)?.[1];
  if (server === undefined || token === undefined) throw new Error('the kubeconfig names no server URL or no token');
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawn(process.execPath, [...floorNodeArgs, '-e', HTTP_FLOOR_CLIENT], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FLOOR_URL: `${server}${path}`, FLOOR_TOKEN: token, FLOOR_REQUESTS: String(requests) },
    });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await exited(child);
    const perRequest = Number(text);
    if (!Number.isFinite(perRequest) || perRequest <= 0) throw new Error(`the HTTP floor client printed ${JSON.stringify(text.slice(0, 80))}`);
    samples.push(perRequest);
  }
  return [...samples].sort((a, b) => a - b)[runs >> 1]!;
};
