/**
 * Turns a run's results into what people read: the targets checked, the markdown tables of
 * docs/benchmarks.md's results section, and the chart.
 */
import type { BarChart, Group } from './chart';
import { CAPT_AS_IT_IS, perHour } from './captModel';
import type { CoreSpeedResult } from './coreSpeed';
import type { ReconcileSpeedResult, WholeBody } from './reconcileSpeed';
import type { BenchResults, ScaleSummary, Target } from './results';
import type { Config, Scenario, ScenarioRow } from './scenarios';
import { fmt, fmtSpread, type Spread } from './stats';
import { coldStartTable, coldStartTargets, type ColdStartSection } from './coldStartReport';
import { realServerColdStartTable, realServerRequestsMarkdown, realServerTargets, type RealServerSection } from './realServerReport';

const MB = 1024 * 1024;
const scaled = (by: number) => (s: Spread): Spread => ({ min: s.min / by, median: s.median / by, max: s.max / by, runs: s.runs });
const mb = scaled(MB);
const kb = scaled(1024);
const seconds = scaled(1000);

const isError = <T extends object>(value: T | { readonly error: string }): value is { readonly error: string } => 'error' in value;

const scenarioLabel: Record<Scenario, string> = {
  firstFromOutputs: 'first set, from outputs',
  firstFromSecret: 'first set, through the Secret',
  steady: 'steady state',
  waitingFirst: 'waiting, first look',
  waiting: 'waiting, again',
};

const configLabel: Record<Config, string> = {
  'ours-uncached-in-hand': 'library, uncached, objects in hand',
  'ours-uncached-by-name': 'library, uncached, by name',
  'ours-cached': 'library, cached',
  'baseline-uncached': 'Go baseline, uncached',
  'baseline-cached': 'Go baseline, cached',
};

const scaleLabel: Record<ScaleSummary['config'], string> = {
  'ours-uncached': 'library, uncached',
  'ours-cached': 'library, cached',
  'baseline-uncached': 'Go baseline, uncached',
  'baseline-cached': 'Go baseline, cached',
};

const row = (rows: readonly ScenarioRow[], config: Config, scenario: Scenario) =>
  rows.find((r) => r.config === config && r.scenario === scenario);

type Missing = { readonly error: string };

/**
 * Every target gets a row: one whose figures are missing (its section failed, or a row or run
 * is absent) shows as not measured, met unknown, rather than dropping out of the table.
 */
export const checkTargets = (results: Omit<BenchResults, 'targets'>): Target[] => {
  const targets: Target[] = [];
  const add = <T extends object>(name: string, target: string, figures: T | Missing, check: (figures: T) => { measured: string; met: boolean | undefined }) =>
    targets.push({ name, target, ...(isError(figures) ? { measured: `not measured: ${figures.error}`, met: undefined } : check(figures)) });
  const scenario = (config: Config, which: Scenario): ScenarioRow | Missing =>
    isError(results.scenarios) ? results.scenarios : (row(results.scenarios.rows, config, which) ?? { error: `no row for ${configLabel[config]}, ${scenarioLabel[which]}` });
  const exactly = (s: Spread, n: number) => s.min === n && s.max === n;

  add('Steady state, uncached, objects in hand', '1 read, 0 writes', scenario('ours-uncached-in-hand', 'steady'), (r) => ({
    measured: `${fmtSpread(r.requests)} requests, ${fmtSpread(r.writes)} writes`,
    met: exactly(r.requests, 1) && exactly(r.writes, 0),
  }));
  add('Steady state, cached', '0 requests', scenario('ours-cached', 'steady'), (r) => ({ measured: `${fmtSpread(r.requests)} requests`, met: exactly(r.requests, 0) }));
  for (const which of ['firstFromOutputs', 'firstFromSecret'] as const) {
    add(
      `First set (${scenarioLabel[which].replace('first set, ', '')}), cached`,
      '3 writes (a patch per object, a status patch), no other request',
      scenario('ours-cached', which),
      (first) => ({
        measured: `${fmtSpread(first.requests)} requests, ${fmtSpread(first.writes)} writes (${outcomeTag(first.outcome)})`,
        // Every run, not just the busiest: a run that wrote less did not set the endpoint everywhere.
        met: exactly(first.requests, 3) && exactly(first.writes, 3),
      }),
    );
  }
  add('Core speed: locate+parse+plan / JSON.parse', '≤ 0.25 (median)', results.core, (core) => ({ measured: fmtSpread(core.ratio), met: core.ratio.median <= 0.25 }));
  add('Core speed: spread of the per-round ratio (max / min)', '< 2', results.core, (core) => ({
    measured: `${fmt(core.ratio.max / core.ratio.min)} (${core.ratio.runs} rounds${core.batchSizes === undefined ? '' : ', batches of about 20 ms'})`,
    met: core.ratio.max / core.ratio.min < 2,
  }));
  const whole: ReconcileSpeedResult | Missing = results.reconcile ?? { error: 'not in this run' };
  add(
    `Whole reconcile, cached, steady, over ${isError(whole) ? 'all' : whole.controlPlanes} control planes: to the floor`,
    '≤ 1.5 (median)',
    whole,
    (w) => ({ measured: `${fmtSpread(w.rows.cachedAll.toFloor)} (${fmt(w.rows.cachedAll.micros.median)} µs against ${fmt(w.rows.floorAll.micros.median)} µs)`, met: w.rows.cachedAll.toFloor.median <= 1.5 }),
  );
  add(
    `Whole reconcile, cached, steady, ${isError(whole) ? '' : `${whole.hot} `}hot control planes: to the floor`,
    '≤ 3 (median)',
    whole,
    (w) => ({ measured: `${fmtSpread(w.rows.cachedHot.toFloor)} (${fmt(w.rows.cachedHot.micros.median)} µs against ${fmt(w.rows.floorHot.micros.median)} µs)`, met: w.rows.cachedHot.toFloor.median <= 3 }),
  );
  add('Whole reconcile, cached, steady: bytes allocated', '< 3 KB', whole, (w) => {
    const most = Math.max(w.rows.cachedAll.bytes.max, w.rows.cachedHot.bytes.max);
    return { measured: `${fmt(most / 1024)} KB at most (the floor: ${fmt(w.rows.floorHot.bytes.median / 1024)} KB)`, met: most < 3 * 1024 };
  });
  add('Whole reconcile, objects in hand through the fake (plain objects): to JSON.parse of the same objects', '≤ 0.75 (median)', whole, (w) => ({
    measured: `${fmtSpread(w.rows.fakeInHand.toJsonParse)} (${fmt(w.rows.fakeInHand.micros.median)} µs)`,
    met: w.rows.fakeInHand.toJsonParse.median <= 0.75,
  }));
  add('Whole reconcile, first set through the fake (by name, 3 writes recording managedFields): to JSON.parse of its objects', '≤ 5 (median)', whole, (w) => ({
    measured: `${fmtSpread(w.rows.fakeFirstSet.toJsonParse)} (${fmt(w.rows.fakeFirstSet.micros.median)} µs)`,
    met: w.rows.fakeFirstSet.toJsonParse.median <= 5,
  }));
  add('Whole reconcile, first set through the fake: bytes allocated', '≤ 140 KB (median)', whole, (w) => ({
    measured: `${fmtSpread(kb(w.rows.fakeFirstSet.bytes))} KB`,
    met: w.rows.fakeFirstSet.bytes.median <= 140 * 1024,
  }));
  add('The command\'s start: capt-endpoint --help / node -e 0, in one run', '< 3 (median)', results.startup ?? { error: 'not in this run' }, (s) => ({
    measured: `${fmtSpread(s.ratio)} (${fmt(s.helpMs.median)} ms against ${fmt(s.nodeMs.median)} ms)`,
    met: s.ratio.median < 3,
  }));

  const scale = results.scale;
  const by = (config: ScaleSummary['config']): ScaleSummary | Missing =>
    isError(scale) ? scale : (scale.summary.find((s) => s.config === config) ?? { error: `no runs of ${scaleLabel[config]}` });
  const cached = by('ours-cached');
  add(`Scale${isError(scale) ? '' : ` (${scale.controlPlanes})`}: cached steady pass requests`, '0', cached, (c) => ({
    measured: fmtSpread(c.steady.requests),
    met: exactly(c.steady.requests, 0),
  }));
  for (const baseline of ['baseline-cached', 'baseline-uncached'] as const) {
    const b = by(baseline);
    add(
      `Scale: cached steady pass vs ${scaleLabel[baseline]} steady pass`,
      '< 1/10 of the wall time (medians)',
      isError(cached) ? cached : isError(b) ? b : { cached, b },
      ({ cached, b }) => {
        const ratio = cached.steady.wallMs.median / b.steady.wallMs.median;
        return {
          measured: `${fmt(cached.steady.wallMs.median)} ms vs ${fmt(b.steady.wallMs.median)} ms (ratio ${fmt(ratio)}, slowest cached run ${fmt(cached.steady.wallMs.max / b.steady.wallMs.min)})`,
          met: ratio < 0.1,
        };
      },
    );
  }
  const limit = isError(cached) ? NaN : 3 * cached.objectsJsonBytes;
  add('Scale: cached peak heap', isError(cached) ? '< 3 × JSON of the cached objects' : `< 3 × JSON of the cached objects (${fmt(cached.objectsJsonBytes / MB)} MB → < ${fmt(limit / MB)} MB)`, cached, (c) => ({
    measured: `${fmtSpread(mb(c.peakHeapBytes))} MB peak (${fmt(c.peakHeapBytes.max / c.objectsJsonBytes)}× at most)`,
    met: c.peakHeapBytes.max < limit,
  }));
  const capped = isError(scale) ? undefined : scale.capped;
  add(
    capped === undefined || isError(cached)
      ? "Scale: cached peak heap with V8's old space capped (--max-old-space-size)"
      : `Scale: cached peak heap with V8's old space capped at ${capped.oldSpaceMiB} MiB (--max-old-space-size; 3 × JSON less ${fmt(limit / MB - capped.oldSpaceMiB)} MiB for the young generation)`,
    isError(cached) ? 'runs to the end, peak < 3 × JSON' : `runs to the end, peak < ${fmt(limit / MB)} MB`,
    isError(cached) ? cached : capped === undefined ? { error: 'not run' } : { c: cached, run: capped.result },
    ({ c, run }) => {
      if (isError(run)) return { measured: `did not finish: ${run.error}`, met: false };
      const failures = run.first.failures + run.steady.reduce((n, p) => n + p.failures, 0);
      return {
        measured: `${fmt(run.peakHeapBytes / MB)} MB peak (${fmt(run.peakHeapBytes / c.objectsJsonBytes)}×); first pass ${fmt(run.first.wallMs / 1000)} s, steady ${run.steady.map((p) => fmt(p.wallMs / 1000)).join(', ')} s, ${failures} failures`,
        met: run.peakHeapBytes < limit && failures === 0,
      };
    },
  );
  add('Scale: cached heap kept after a full GC, above the heap before the client (context, not a target)', '—', cached, (c) => {
    const kept = c.retainedHeapBytes.max - c.heapBeforeClientBytes.min;
    return { measured: `${fmt(kept / MB)} MB (${fmt(kept / c.objectsJsonBytes)}× the cached objects' JSON)`, met: undefined };
  });
  const coldStart: ColdStartSection | Missing = results.coldStart ?? { error: 'not in this run' };
  if (isError(coldStart)) add('Cold start of capt-endpoint run', 'the targets of docs/benchmarks.md', coldStart, () => ({ measured: '', met: undefined }));
  else targets.push(...coldStartTargets(coldStart));
  const realServer: RealServerSection | Missing = results.realServer ?? { error: 'not in this run' };
  if (isError(realServer)) add('Real server: requests counted by the server', 'the goals of docs/benchmarks.md', realServer, () => ({ measured: '', met: undefined }));
  else targets.push(...realServerTargets(realServer));
  return targets;
};

const table = (head: readonly string[], body: ReadonlyArray<readonly string[]>): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');

const coreTable = (core: CoreSpeedResult): string =>
  table(
    ['Measure', 'µs per op, median (min–max)', 'ops/s, median'],
    [
      ['`JSON.parse` of the three objects', fmtSpread(core.micros.jsonParse), fmt(core.opsPerSecond.jsonParse.median)],
      ['**locate + parse + plan** (+ condition)', fmtSpread(core.micros.locateParsePlan), fmt(core.opsPerSecond.locateParsePlan.median)],
      ['  of which locate (with parse)', fmtSpread(core.micros.locate), ''],
      ['    of which parse (`parseEndpoint` of the EKS URL)', fmtSpread(core.micros.parse), ''],
      ['  of which plan', fmtSpread(core.micros.plan), ''],
      ['io-ts decoding of the three objects', fmtSpread(core.micros.decode), ''],
      ['decode + locate + parse + plan', fmtSpread(core.micros.decodeLocateParsePlan), fmt(core.opsPerSecond.decodeLocateParsePlan.median)],
    ],
  ) +
  `\n\nRatio to \`JSON.parse\` (per round): **${fmtSpread(core.ratio)}** for locate + parse + plan; ${fmtSpread(core.ratioWithDecode)} with io-ts decoding. ` +
  `Objects: CAPTControlPlane ${core.jsonBytes.controlPlane} B, Cluster ${core.jsonBytes.cluster} B, Workspace ${core.jsonBytes.workspace} B of JSON (${core.jsonBytes.total} B in all); ${core.micros.jsonParse.runs} rounds of ${core.batchSize} operations each.`;

const wholeLabel: Record<WholeBody, string> = {
  floorAll: '**floor**: four `Map` reads and one comparison, over all control planes',
  floorHot: '**floor**, over the hot control planes',
  jsonParse: '`JSON.parse` of the four objects',
  cachedAll: '**cached client**, by name, over all control planes',
  cachedHot: '**cached client**, by name, over the hot control planes',
  plainInHand: 'plain client, objects in hand (1 GET of the Workspace over loopback HTTP)',
  fakeInHand: 'fake client, objects in hand as a unit test builds them (the Workspace from a fresh store)',
  fakeInHandShared: 'fake client, objects in hand as its read-only reads hand them out (frozen)',
  jsonParseFirstSet: '`JSON.parse` of the four objects before the first set',
  fakeFirstSet: 'fake client, **first set** by name, fresh store (3 writes with managedFields; × `JSON.parse` of the row above)',
};

const wholeTable = (w: ReconcileSpeedResult): string =>
  table(
    ['Reconcile (steady unless named)', 'µs, median (min–max)', 'bytes allocated', '× `JSON.parse`', '× floor'],
    (Object.keys(wholeLabel) as WholeBody[])
      .filter((body) => w.rows[body] !== undefined)
      .map((body) => {
        const r = w.rows[body];
        return [wholeLabel[body], fmtSpread(r.micros), fmt(r.bytes.median), fmtSpread(r.toJsonParse), fmtSpread(r.toFloor)];
      }),
  ) +
  `\n\n${w.controlPlanes} control planes in the cache (${w.hot} of them hot), ${w.concurrency} reconciles in flight; ${fmt(w.jsonBytes)} B of JSON per control plane's four objects. ` +
  (w.unitTest === undefined ? '' : `The fake client's rows, as a unit test's, come from a process of their own with ${w.unitTest.controlPlanes} control planes in its cache. `) +
  `Bytes are the growth of the heap in use over a batch no garbage collection interrupted. Outcome of every measured reconcile: ${w.outcomes.join(', ')}.`;

/** The 10,000-control-plane table's hour of steady state: requests and writes each approach makes, requeued every 30 s. */
const hourTable = (controlPlanes: number, summary: readonly ScaleSummary[] | undefined, scenarios: readonly ScenarioRow[] | undefined): string => {
  const every = CAPT_AS_IT_IS.everySeconds;
  const steady = (config: Config) => (scenarios === undefined ? undefined : row(scenarios, config, 'steady'));
  const fromScale = (config: ScaleSummary['config']) => {
    const s = summary?.find((x) => x.config === config);
    return s === undefined ? undefined : { requests: s.steady.requests.median / controlPlanes, writes: s.steady.writes.median / controlPlanes };
  };
  // Measured rows come from the scale runs' steady passes, objects in hand from the requests table.
  const lines: Array<[string, { requests: number; writes: number } | undefined]> = [
    [`CAPT as it is (modelled from its source, ${CAPT_AS_IT_IS.commit})`, CAPT_AS_IT_IS],
    ['Go baseline, uncached (endpoint path only, measured)', fromScale('baseline-uncached')],
    ['Go baseline, cached (endpoint path only, measured)', fromScale('baseline-cached')],
    ['library, uncached, by name (measured)', fromScale('ours-uncached')],
    ['library, uncached, objects in hand (measured)', (() => { const r = steady('ours-uncached-in-hand'); return r && { requests: r.requests.median, writes: r.writes.median }; })()],
    ['library, cached (measured)', fromScale('ours-cached')],
  ];
  return table(
    ['Approach', 'Requests / reconcile', 'Writes / reconcile', `Requests / hour (${controlPlanes} control planes, every ${every} s)`, 'Writes / hour'],
    lines.map(([label, per]) =>
      per === undefined
        ? [label, '—', '—', '—', '—']
        : (() => {
            const hour = perHour(controlPlanes, per, every);
            return [label, fmt(per.requests), fmt(per.writes), hour.requests.toLocaleString('en-US'), hour.writes.toLocaleString('en-US')];
          })(),
    ),
  );
};

/** `Updated (CAPTControlPlane, Cluster, …)` as `Updated`: the writes are in their own columns. */
/** The outcome without what other columns say: the kinds written, the baseline's count of writes. */
const outcomeTag = (outcome: string): string => outcome.replace(/ \(.*\)$/, '').replace(/, \d+ writes$/, '');

const scenarioTable = (rows: readonly ScenarioRow[]): string =>
  table(
    ['Scenario', 'Client', 'Requests', 'Writes', 'ms, median (min–max)', 'Outcome'],
    [
      ...rows.map((r) => [scenarioLabel[r.scenario], configLabel[r.config], fmtSpread(r.requests), fmtSpread(r.writes), fmtSpread(r.ms), outcomeTag(r.outcome)]),
      [scenarioLabel.steady, '**CAPT as it is** (modelled, not run)', String(CAPT_AS_IT_IS.requests), String(CAPT_AS_IT_IS.writes), '—', `every ${CAPT_AS_IT_IS.everySeconds} s per ready control plane`],
    ],
  );

const scaleTable = (summary: readonly ScaleSummary[]): string =>
  table(
    ['Client', 'First pass s', 'First req.', 'First writes', 'Steady pass s', 'Steady req.', 'Steady writes', 'Peak RSS MB', 'Peak heap MB', 'Heap kept MB', 'Heap before client MB', 'Failures'],
    summary.map((s) => [
      scaleLabel[s.config],
      fmtSpread(seconds(s.first.wallMs)),
      fmtSpread(s.first.requests),
      fmtSpread(s.first.writes),
      fmtSpread(seconds(s.steady.wallMs)),
      fmtSpread(s.steady.requests),
      fmtSpread(s.steady.writes),
      fmtSpread(mb(s.peakRssBytes)),
      fmtSpread(mb(s.peakHeapBytes)),
      fmtSpread(mb(s.retainedHeapBytes)),
      fmtSpread(mb(s.heapBeforeClientBytes)),
      String(s.first.failures.max + s.steady.failures.max),
    ]),
  );

/** How long a cold start is watched after its last endpoint (bench/src/main.ts). */
const COLD_START_STEADY_S = 10;

/** Above this one-minute load average per core, other work shared the machine with the run. */
const BUSY_LOAD_PER_CORE = 1.5;
/** Above this share of CPU time given to other machines by the hypervisor, the run was not on a quiet machine. */
const BUSY_STOLEN_SHARE = 0.05;

/** A warning beside the figures when the machine was busy with other work during the run. */
export const loadWarning = (m: BenchResults['machine']): string => {
  const worst = m.loadAverage === undefined ? undefined : Math.max(m.loadAverage.start[0] ?? 0, m.loadAverage.end[0] ?? 0);
  const loaded = worst !== undefined && worst > BUSY_LOAD_PER_CORE * m.cpus;
  const stolen = m.stolenShare !== undefined && m.stolenShare > BUSY_STOLEN_SHARE;
  if (!loaded && !stolen) return '';
  const why = [loaded ? `one-minute load up to ${worst.toFixed(1)} on ${m.cpus} cores` : '', stolen ? `${percent(m.stolenShare)} of CPU time stolen` : ''].filter(Boolean).join(', ');
  return `\n\n**The machine was busy** (${why}): absolute times are slow and spread; read the ratios, counts and bytes.`;
};

const percent = (share: number): string => `${fmt(share * 100)}%`;

/** The generated part of docs/benchmarks.md. */
export const resultsMarkdown = (results: BenchResults, chartPath: string): string => {
  const m = results.machine;
  const parts: string[] = [];
  parts.push(
    `Run of ${results.date} at commit \`${results.commit}\`${results.quick ? ' (**--quick**)' : ''}, ${fmt(results.durationMs / 1000)} s in all. ` +
      `Machine: ${m.cpus} × ${m.cpuModel}, ${fmt(m.memoryBytes / 1024 ** 3)} GiB memory, Node ${m.node} on ${m.platform}` +
      (m.loadAverage ? `; load average ${m.loadAverage.start.map((l) => l.toFixed(1)).join(' ')} at the start, ${m.loadAverage.end.map((l) => l.toFixed(1)).join(' ')} at the end` : '') +
      (m.stolenShare === undefined ? '' : `; ${percent(m.stolenShare)} of CPU time stolen by the hypervisor`) +
      '. ' +
      `Raw figures: \`bench/results/${results.quick ? 'quick' : 'full'}.json\`.` +
      loadWarning(m),
  );
  parts.push('### Targets\n\n' + table(['Target', 'Wanted', 'Measured', 'Met'], results.targets.map((t) => [t.name, t.target, t.measured, t.met === undefined ? '—' : t.met ? 'yes' : '**no**'])));
  parts.push(`![Requests per reconcile and wall time, library against the Go baseline](${chartPath})`);
  parts.push(
    '### Requests per reconcile\n\n' +
      (isError(results.scenarios) ? `Not measured: ${results.scenarios.error}` : `${results.scenarios.repeats} runs each.\n\n${scenarioTable(results.scenarios.rows)}`),
  );
  parts.push('### Whole reconciles\n\n' + (results.reconcile === undefined ? 'Not in this run.' : isError(results.reconcile) ? `Not measured: ${results.reconcile.error}` : wholeTable(results.reconcile)));
  parts.push('### Core speed\n\n' + (isError(results.core) ? `Not measured: ${results.core.error}` : coreTable(results.core)));
  parts.push(
    '### Scale\n\n' +
      (isError(results.scale)
        ? `Not measured: ${results.scale.error}`
        : `${results.scale.controlPlanes} control planes (a quarter through the Secret), ${results.scale.concurrency} in flight, each configuration ${results.scale.repeats === 1 ? 'once' : `${results.scale.repeats} times`} in its own process: a first pass, then ${results.scale.steadyPasses} steady passes if cached. Heap kept is after a full GC.\n\n${scaleTable(results.scale.summary)}` +
          `\n\nAn hour of steady state, every control plane requeued every ${CAPT_AS_IT_IS.everySeconds} s as CAPT requeues a ready one:\n\n${hourTable(results.scale.controlPlanes, results.scale.summary, isError(results.scenarios) ? undefined : results.scenarios.rows)}`),
  );
  parts.push(`### Cold start\n\n${coldStartMarkdown(results)}`);
  return parts.join('\n\n');
};

/** The cold-start table with how it was measured, for docs/benchmarks.md and docs/controller.md. */
export const coldStartMarkdown = (results: BenchResults): string => {
  const section = results.coldStart;
  if (section === undefined) return 'Not in this run.';
  if (isError(section)) return `Not measured: ${section.error}`;
  return (
    `\`capt-endpoint run\` in its own process, every endpoint unset (${results.date.slice(0, 10)}, \`${results.commit.slice(0, 7)}\`); concurrency 2; CPU and RSS from /proc; steady RSS ${COLD_START_STEADY_S} s after the last endpoint; ` +
    `\`node -e 0\`: ${fmt(section.nodeStartCpuMs)} ms of CPU. As deployed: ${v8Flags(section.asDeployed)}, concurrency 16${asDeployedCgroup(section)}.\n\n${coldStartTable(section)}`
  );
};

/** deploy/'s V8 flags as the run used them; only the old space where the results predate recording them. */
const v8Flags = (deployed: { readonly heapMiB: number; readonly nodeOptions?: string } | undefined): string =>
  deployed === undefined ? 'not run' : deployed.nodeOptions === undefined ? `old space ${deployed.heapMiB} MiB` : `\`${deployed.nodeOptions}\``;

/** Where the as-deployed run had its limit enforced by a memory cgroup (its peak is in the targets). */
const asDeployedCgroup = (section: ColdStartSection): string => {
  const result = section.asDeployed?.result;
  const cgroup = result === undefined || isError(result) ? undefined : result.cgroup;
  return cgroup === undefined || 'unavailable' in cgroup ? '' : `, in a ${fmt(cgroup.limitBytes / 2 ** 20)} MiB memory cgroup`;
};

/** How the real-server section was measured, in a sentence, before its tables. */
const realServerIntro = (results: BenchResults, section: RealServerSection): string =>
  `\`capt-endpoint run\` as deploy/ runs it (RBAC, token, Lease, ${v8Flags(section)}) on kube-apiserver ${section.kubernetes}, its audit log counting (${results.date.slice(0, 10)}, \`${results.commit.slice(0, 7)}\`)`;

/** The requests the real server counted, for docs/benchmarks.md. */
export const realServerRequestsMarkdownOf = (results: BenchResults): string => {
  const section = results.realServer;
  if (section === undefined) return 'Not in this run.';
  if (isError(section)) return `Not measured: ${section.error}`;
  return `kube-apiserver ${section.kubernetes}'s audit log, \`capt-endpoint run\` as deploy/ runs it.\n\n${realServerRequestsMarkdown(section)}`;
};

/** The real-server cold starts, for docs/controller.md beside the loopback ones. */
export const realServerColdStartMarkdown = (results: BenchResults): string => {
  const section = results.realServer;
  if (section === undefined) return 'Not in this run.';
  if (isError(section)) return `Not measured: ${section.error}`;
  return `${realServerIntro(results, section)}; each process's CPU ms per CP from /proc; ×: ms per CP over the size before.\n\n${realServerColdStartTable(section)}`;
};

const palette = {
  'ours-uncached-in-hand': '#6baed6',
  'ours-uncached-by-name': '#3182bd',
  'ours-cached': '#08519c',
  'baseline-uncached': '#fdae6b',
  'baseline-cached': '#e6550d',
} as const;

export const charts = (results: BenchResults): BarChart[] => {
  const out: BarChart[] = [];
  if (!isError(results.scenarios)) {
    const rows = results.scenarios.rows;
    const configs = Object.keys(configLabel) as Config[];
    out.push({
      title: 'Requests per reconcile (darker: writes)',
      yLabel: 'API requests',
      partLegend: 'writes',
      series: configs.map((c) => ({ name: configLabel[c], color: palette[c] })),
      groups: (Object.keys(scenarioLabel) as Scenario[]).map(
        (scenario): Group => ({
          label: scenarioLabel[scenario],
          bars: configs.map((config) => {
            const r = row(rows, config, scenario);
            return r === undefined ? undefined : { value: r.requests.median, part: r.writes.median, min: r.requests.min, max: r.requests.max };
          }),
        }),
      ),
      height: 380,
    });
  }
  if (!isError(results.scale)) {
    const summary = results.scale.summary;
    const configs = summary.map((s) => s.config);
    const color = (c: ScaleSummary['config']) =>
      c === 'ours-uncached' ? palette['ours-uncached-by-name'] : c === 'ours-cached' ? palette['ours-cached'] : palette[c];
    out.push({
      title: `Wall time for ${results.scale.controlPlanes} control planes (median, min–max whiskers)`,
      yLabel: 'seconds',
      series: configs.map((c) => ({ name: scaleLabel[c], color: color(c) })),
      groups: (['first', 'steady'] as const).map(
        (which): Group => ({
          label: which === 'first' ? 'first pass (set every endpoint)' : 'steady pass (nothing to change)',
          bars: summary.map((s) => {
            const w = seconds(s[which].wallMs);
            return { value: w.median, min: w.min, max: w.max, label: `${fmt(w.median)} s` };
          }),
        }),
      ),
      height: 360,
    });
  }
  return out;
};
