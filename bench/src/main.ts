/**
 * The orchestrator behind `npm run bench`: runs each measurement in its own child process,
 * gathers the results into bench/results/{full,quick}.json, draws the chart and, on a full
 * run, rewrites the generated section of docs/benchmarks.md.
 *
 * Options: --quick (fewer repeats and control planes, for a try-out), --only=core,reconcile,scenarios,scale,startup,coldstart,realserver,
 * --cold-start-sizes=1000,5000 (control planes of each cold start of `capt-endpoint run`), --real-server-sizes=1000,5000 (the
 * same on a real kube-apiserver and etcd, with the requests its audit log counts),
 * --control-planes=N, --repeats=N (scale processes per configuration), --steady-passes=N (steady
 * passes of each cached configuration per process: the two the steady-pass target compares), --concurrency=N, and --from=FILE to redraw
 * the chart and the docs from an earlier results file without measuring.
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { svgDocument } from './chart';
import type { CoreSpeedResult } from './coreSpeed';
import type { ReconcileSpeedResult } from './reconcileSpeed';
import { withUnitTestRows } from './unitTestRows';
import { measuredCommit } from './provenance';
import { charts, checkTargets, coldStartMarkdown, realServerColdStartMarkdown, realServerRequestsMarkdownOf, resultsMarkdown } from './report';
import { summarizeScale, type BenchResults } from './results';
import { SCALE_CONFIGS, seedScale, type ScaleResult } from './scale';
import { measureStartup } from './startup';
import type { ScenarioRow } from './scenarios';
import { fmt } from './stats';
import { coldStartRow, deployedMemory, httpFloorUs, nodeStartCpuMs, runColdStart, type ColdStartResult } from './coldStart';
import { envtestAssets, startRealServer } from './realServer';
import type { RealServerRun, RealServerSection } from './realServerReport';
import type { ColdStartSection } from './coldStartReport';
import { readCpuTimes, stolenShare } from './steal';
import { spawnServer } from './wire';
import { nameOf, namespaceOf } from './fixtures';
import type { Task } from './worker';

const workerPath = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs one task in a fresh child process and resolves with what it sends back. */
const inChild = <T>(task: Task, execArgv: readonly string[] = []): Promise<T> =>
  new Promise((resolve, reject) => {
    const child = fork(workerPath, [JSON.stringify(task)], { execArgv: [...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', (message: { ok: boolean; result?: T; error?: string }) => {
      settled = true;
      if (message.ok) resolve(message.result as T);
      else reject(new Error(message.error));
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`bench worker exited with code ${code} before reporting`));
    });
  });

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = process.argv.includes('--quick');
const SECTIONS = ['core', 'reconcile', 'scenarios', 'scale', 'startup', 'coldstart', 'realserver'] as const;
const only = new Set(arg('only')?.split(',') ?? SECTIONS);
/** Control planes of each cold start of `capt-endpoint run`. */
const coldStartSizes = (arg('cold-start-sizes') ?? (quick ? '500,2000' : '1000,5000,10000,20000')).split(',').map(Number);
/** The controller's node flags in a cold start, e.g. `--cpu-prof` to profile it. */
/** The control plane the HTTP floor client patches: the first one `seedScale` makes. */
const FLOOR_CONTROL_PLANE_PATH = `/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${namespaceOf(0)}/captcontrolplanes/${nameOf(0)}`;
const controllerNodeArgs = process.env['BENCH_CONTROLLER_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
/** Further arguments of the cold-started `capt-endpoint run`, e.g. `--concurrency=16`. */
const controllerArgs = process.env['BENCH_CONTROLLER_ARGS']?.split(' ').filter(Boolean) ?? [];
/** Control planes of each cold start on the real kube-apiserver. */
const realServerSizes = (arg('real-server-sizes') ?? (quick ? '200,1000' : '1000,5000,10000')).split(',').map(Number);
const controlPlanes = Number(arg('control-planes') ?? (quick ? 1000 : 10_000));
const scaleRepeats = Number(arg('repeats') ?? 1);
const steadyPasses = Number(arg('steady-passes') ?? 3);
const concurrency = Number(arg('concurrency') ?? 16);

/** Length of one timed core-speed batch: long enough that a batch's time is not one time slice's luck. */
const CORE_BATCH_MS = 20;
/** The hot set of the whole-reconcile rows: control planes reconciled over and over. */
const HOT_CONTROL_PLANES = 64;

/** Room left for V8's young generation (two semi-spaces of 16 MiB on 64-bit) under a heap cap. */
const YOUNG_GENERATION_MIB = 32;

/** How long a cold-started controller is watched once every endpoint is set, for its steady memory. */
const COLD_START_STEADY_MS = 10_000;
const COLD_START_TIMEOUT_MS = 20 * 60_000;
/** Control planes created through the real server's API at once while seeding. */
const REAL_SERVER_SEED_CONCURRENCY = 16;
/** The steady window after the largest real-server cold start: three of CAPT's 30 s requeue periods (one under --quick). */
const REAL_SERVER_STEADY_MS = quick ? 30_000 : 90_000;
/** After the last endpoint, how long the cold start's last requests (its Events) are still counted as the cold start's. */
const REAL_SERVER_SETTLE_MS = 3_000;
/** The most reconciles in flight docs/controller.md speaks of. */
const DEPLOYED_CONCURRENCY = 16;

const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | { error: string }> => {
  const start = Date.now();
  console.log(`bench: ${what}...`);
  try {
    const result = await work();
    console.log(`bench: ${what} done in ${fmt((Date.now() - start) / 1000)} s`);
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    console.error(`bench: ${what} FAILED: ${message}`);
    return { error: message };
  }
};

const measure = async (): Promise<BenchResults> => {
  const started = Date.now();
  const loadAtStart = loadavg();
  const cpuTimesAtStart = readCpuTimes();
  const skipped = { error: 'not run (--only)' };

  const core = only.has('core')
    ? await attempt('core speed', () => inChild<CoreSpeedResult>({ task: 'core', options: { rounds: quick ? 15 : 41, batchMs: CORE_BATCH_MS } }))
    : skipped;

  // A young generation of 64 MiB, so that a batch measured for its allocation meets no collection.
  // The fake client's rows again in a process with only the hot control planes, as a unit test's.
  const wholeReconciles = (planes: number) =>
    inChild<ReconcileSpeedResult>({ task: 'reconcile', options: { controlPlanes: planes, hot: HOT_CONTROL_PLANES, rounds: quick ? 3 : 7, concurrency } }, ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64']);
  const reconcile = only.has('reconcile')
    ? await attempt('whole reconciles', async () => withUnitTestRows(await wholeReconciles(controlPlanes), await wholeReconciles(HOT_CONTROL_PLANES)))
    : skipped;

  const scenarioRepeats = quick ? 2 : 3;
  const scenarios = only.has('scenarios')
    ? await attempt('requests per reconcile', async () => ({
        repeats: scenarioRepeats,
        rows: await inChild<ScenarioRow[]>({ task: 'scenarios', options: { repeats: scenarioRepeats } }),
      }))
    : skipped;

  const scale = only.has('scale')
    ? await attempt(`scale (${controlPlanes} control planes × ${SCALE_CONFIGS.length} configurations × ${scaleRepeats})`, async () => {
        const runs: ScaleResult[] = [];
        // One server, seeded once, for every process of this section: each restores it to the
        // seeded state before it measures (seeding 10,000 control planes takes several seconds).
        const seedStart = Date.now();
        const server = await spawnServer();
        await seedScale(server, controlPlanes);
        await server.snapshot();
        const serverSeedMs = Date.now() - seedStart;
        console.log(`bench:   server seeded in ${fmt(serverSeedMs / 1000)} s`);
        const shared = server.address;
        try {
          // Configurations interleaved across repeats, so drift on the machine hits them all alike.
          for (let r = 0; r < scaleRepeats; r++) {
            for (const config of SCALE_CONFIGS) {
              const result = await inChild<ScaleResult>({ task: 'scale', options: { config, controlPlanes, concurrency, steadyPasses: config.endsWith('-cached') ? steadyPasses : 1, server: shared } }, ['--expose-gc']);
              console.log(
                `bench:   ${config}: first ${fmt(result.first.wallMs / 1000)} s / ${result.first.requests} req, steady ${result.steady.map((p) => `${fmt(p.wallMs / 1000)} s / ${p.requests} req`).join(', ')}, peak heap ${fmt(result.peakHeapBytes / 2 ** 20)} MB; ${fmt(result.totalMs / 1000)} s in all, ${fmt(result.setupMs / 1000)} s of it restoring the server`,
              );
              runs.push(result);
            }
          }
          // The cached client again, with V8 made to collect before its old space passes the
          // memory target less room for the young generation: if the client does not fit, it crashes.
          const jsonBytes = runs.find((r) => r.config === 'ours-cached')?.objectsJsonBytes;
          const oldSpaceMiB = jsonBytes === undefined ? undefined : Math.floor((3 * jsonBytes) / 2 ** 20) - YOUNG_GENERATION_MIB;
          // Below this, the cap would not leave room for node and client-node themselves (small --control-planes).
          const capped =
            oldSpaceMiB === undefined || oldSpaceMiB < 64
              ? undefined
              : {
                  oldSpaceMiB,
                  result: await attempt(`ours-cached with --max-old-space-size=${oldSpaceMiB}`, () =>
                    inChild<ScaleResult>({ task: 'scale', options: { config: 'ours-cached', controlPlanes, concurrency, steadyPasses, server: shared } }, ['--expose-gc', `--max-old-space-size=${oldSpaceMiB}`]),
                  ),
                };
          return {
            controlPlanes,
            concurrency,
            repeats: scaleRepeats,
            steadyPasses,
            serverSeedMs,
            summary: SCALE_CONFIGS.map((config) => summarizeScale(config, runs.filter((r) => r.config === config))),
            runs,
            capped,
          };
        } finally {
          await server.close();
        }
      })
    : skipped;

  const startup = only.has('startup')
    ? await attempt('the command\'s start: capt-endpoint --help against node -e 0', () => Promise.resolve(measureStartup(`${root}packages/cli/dist/bin.js`, quick ? 7 : 21)))
    : skipped;

  const coldStart = only.has('coldstart')
    ? await attempt(`cold starts of capt-endpoint run (${coldStartSizes.join(', ')} control planes)`, async (): Promise<ColdStartSection> => {
        const nodeStart = await nodeStartCpuMs();
        console.log(`bench:   node -e 0: ${fmt(nodeStart)} ms of CPU`);
        const httpFloor = await attempt("Node's http client alone, against the loopback server", async () => {
          const server = await spawnServer();
          try {
            await seedScale(server, 1);
            return await httpFloorUs(server.address.kubeConfigYaml, FLOOR_CONTROL_PLANE_PATH);
          } finally {
            await server.close();
          }
        });
        if (typeof httpFloor === 'number') console.log(`bench:   Node's http client alone: ${fmt(httpFloor)} µs of CPU per request`);
        const coldStartOn = async (size: number, nodeArgs: readonly string[], concurrency?: number, memoryLimitBytes?: number): Promise<ColdStartResult> => {
          const server = await spawnServer();
          try {
            await seedScale(server, size);
            const result = await runColdStart({ ...server, kubeConfigYaml: server.address.kubeConfigYaml }, { controlPlanes: size, concurrency, steadyMs: COLD_START_STEADY_MS, timeoutMs: COLD_START_TIMEOUT_MS, nodeArgs, args: controllerArgs, memoryLimitBytes });
            console.log(`bench:   ${coldStartRow(result)}`);
            return result;
          } finally {
            await server.close();
          }
        };
        const runs: ColdStartResult[] = [];
        for (const size of coldStartSizes) runs.push(await coldStartOn(size, controllerNodeArgs));
        // As deploy/ runs it: the old space its image sizes from the memory limit, the highest
        // documented concurrency, and the limit itself enforced by a memory cgroup where one can be made.
        const { limitBytes, heapMiB, nodeOptions } = deployedMemory(root);
        const deployedSize = Math.min(10_000, Math.max(...coldStartSizes));
        const result = await attempt(`cold start as deployed (${deployedSize}, ${nodeOptions.join(' ')})`, () =>
          coldStartOn(deployedSize, [...controllerNodeArgs, ...nodeOptions], DEPLOYED_CONCURRENCY, limitBytes),
        );
        return { nodeStartCpuMs: nodeStart, httpFloorUs: typeof httpFloor === 'number' ? httpFloor : undefined, runs, asDeployed: { limitBytes, heapMiB, nodeOptions: nodeOptions.join(' '), result } };
      })
    : skipped;

  const realServer = only.has('realserver')
    ? await attempt(`cold starts on a real kube-apiserver (${realServerSizes.join(', ')} control planes)`, async (): Promise<RealServerSection> => {
        const assets = envtestAssets(root);
        process.env['KUBEBUILDER_ASSETS'] = assets;
        const { heapMiB, nodeOptions } = deployedMemory(root);
        const largest = Math.max(...realServerSizes);
        const runs: RealServerSection['runs'][number][] = [];
        for (const size of realServerSizes) {
          const run = await attempt(`real server, ${size} control planes`, async (): Promise<RealServerRun> => {
            const seedStart = Date.now();
            const server = await startRealServer(root, size, REAL_SERVER_SEED_CONCURRENCY);
            const seedMs = Date.now() - seedStart;
            console.log(`bench:   seeded in ${fmt(seedMs / 1000)} s`);
            try {
              // As deploy/ runs it: its heap, leader election on in its namespace, the default concurrency.
              const result = await runColdStart(server, {
                controlPlanes: size,
                steadyMs: size === largest ? REAL_SERVER_STEADY_MS : COLD_START_STEADY_MS,
                settleMs: REAL_SERVER_SETTLE_MS,
                timeoutMs: COLD_START_TIMEOUT_MS,
                nodeArgs: [...controllerNodeArgs, ...nodeOptions],
                args: controllerArgs,
                leaderElectionNamespace: server.leaseNamespace,
              });
              console.log(`bench:   ${coldStartRow(result)}; ${result.requests?.requests ?? '?'} requests`);
              return { seedMs, result };
            } finally {
              await server.close();
            }
          });
          runs.push('error' in run ? { controlPlanes: size, error: run.error } : run);
        }
        return { kubernetes: assets.split('/').pop()?.split('-')[0] ?? 'unknown', heapMiB, nodeOptions: nodeOptions.join(' '), seedConcurrency: REAL_SERVER_SEED_CONCURRENCY, runs };
      })
    : skipped;

  const { commit, dirty, code } = measuredCommit(root);

  const partial: Omit<BenchResults, 'targets'> = {
    date: new Date().toISOString(),
    commit,
    dirty,
    code,
    quick,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem(), node: process.version, platform: `${process.platform}-${process.arch}`, loadAverage: { start: loadAtStart, end: loadavg() }, stolenShare: stolenShare(cpuTimesAtStart, readCpuTimes()) },
    durationMs: Date.now() - started,
    core,
    reconcile,
    scenarios,
    scale,
    startup,
    coldStart,
    realServer,
  };
  const results: BenchResults = { ...partial, targets: checkTargets(partial) };
  return results;
};

const from = arg('from');
const begun = Date.now();
const loaded = from === undefined ? undefined : (JSON.parse(readFileSync(from, 'utf8')) as BenchResults);
// Targets are checked again on a redraw, so a change to the checks shows on old figures too.
const results: BenchResults = loaded ? { ...loaded, targets: checkTargets(loaded) } : await measure();
const quickResults = results.quick;

// Only a whole run at the defaults is "full": a narrowed one (--only, --control-planes) must not
// overwrite the committed results or the docs.
const whole = SECTIONS.every((section) => only.has(section)) && ['control-planes', 'cold-start-sizes', 'real-server-sizes'].every((option) => arg(option) === undefined);
const name = quickResults ? 'quick' : from !== undefined || whole ? 'full' : 'partial';
if (from === undefined) writeFileSync(`${root}bench/results/${name}.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${root}bench/results/${name}.svg`, svgDocument(charts(results)));

/** Replaces what lies between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` in a doc. */
const rewriteGenerated = (doc: string, name: string, markdown: string): void => {
  const path = `${root}${doc}`;
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const start = `<!-- bench:${name}:start -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(`<!-- bench:${name}:end -->`);
  if (from < 0 || to <= from) return;
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`);
  console.log(`bench: ${doc} ${name} section rewritten`);
};
if (name === 'full') {
  rewriteGenerated('docs/benchmarks.md', 'results', resultsMarkdown(results, `../bench/results/${name}.svg`));
  rewriteGenerated('docs/controller.md', 'coldstart', coldStartMarkdown(results));
  rewriteGenerated('docs/benchmarks.md', 'requests', realServerRequestsMarkdownOf(results));
  rewriteGenerated('docs/controller.md', 'realserver', realServerColdStartMarkdown(results));
}

console.log(`\n${results.targets.map((t) => `${t.met === undefined ? '  ' : t.met ? 'ok' : 'NO'}  ${t.name}: ${t.measured} (wanted ${t.target})`).join('\n')}`);
console.log(`\nbench: ${fmt((Date.now() - begun) / 1000)} s; results in bench/results/${name}.json and ${name}.svg`);
