import { svgDocument } from '../src/chart';
import { charts, checkTargets, loadWarning, resultsMarkdown } from '../src/report';
import type { Target } from '../src/results';
import { MB, meetsEveryTarget, pass, scaleRun, withCapped, withCoreRatio, withRow, withRuns, withStartup, type Results } from './builders';
import { badNumbers, parseXml } from './xml';

/** Which target a test means, by a part of its name that stays the same whatever the figures. */
const TARGETS = {
  inHandSteady: /^Steady state, uncached, objects in hand$/,
  cachedSteady: /^Steady state, cached$/,
  firstFromOutputs: /^First set \(from outputs\), cached$/,
  firstFromSecret: /^First set \(through the Secret\), cached$/,
  coreRatio: /^Core speed: locate/,
  coreSpread: /^Core speed: spread/,
  scaleSteadyRequests: /^Scale.*: cached steady pass requests$/,
  vsBaselineCached: /^Scale: cached steady pass vs Go baseline, cached /,
  vsBaselineUncached: /^Scale: cached steady pass vs Go baseline, uncached /,
  peakHeap: /^Scale: cached peak heap$/,
  cappedHeap: /^Scale: cached peak heap with V8's old space capped/,
  startup: /^The command's start: capt-endpoint --help \/ node -e 0/,
} as const;
type Key = keyof typeof TARGETS;
const KEYS = Object.keys(TARGETS) as Key[];

const target = (targets: readonly Target[], key: Key): Target => {
  const found = targets.filter((t) => TARGETS[key].test(t.name));
  if (found.length !== 1) throw new Error(`${found.length} targets match ${key}: ${targets.map((t) => t.name).join('; ')}`);
  return found[0]!;
};

const metOf = (results: Results) => {
  const targets = checkTargets(results);
  return Object.fromEntries(KEYS.map((key) => [key, target(targets, key).met])) as Record<Key, boolean | undefined>;
};

const allMet = Object.fromEntries(KEYS.map((key) => [key, true])) as Record<Key, boolean>;

describe('checkTargets', () => {
  it('finds every target met by a run that meets them', () => {
    expect(metOf(meetsEveryTarget())).toEqual(allMet);
  });

  it('marks the heap kept as context, neither met nor missed', () => {
    const kept = checkTargets(meetsEveryTarget()).find((t) => t.name.includes('heap kept'));
    expect(kept?.met).toBeUndefined();
    expect(kept?.measured).toBe("90 MB (0.900× the cached objects' JSON)");
  });

  it('states what it measured', () => {
    const targets = checkTargets(meetsEveryTarget());
    expect(target(targets, 'inHandSteady').measured).toBe('1 requests, 0 writes');
    expect(target(targets, 'startup').measured).toBe('2.20 (2–2.50) (220 ms against 100 ms)');
    expect(target(targets, 'coreRatio').measured).toBe('0.200 (0.150–0.220)');
    expect(target(targets, 'scaleSteadyRequests').name).toBe('Scale (100): cached steady pass requests');
    expect(target(targets, 'vsBaselineCached').measured).toBe('150 ms vs 2000 ms (ratio 0.0750, slowest cached run 0.0800)');
    expect(target(targets, 'peakHeap').target).toBe('< 3 × JSON of the cached objects (100 MB → < 300 MB)');
    expect(target(targets, 'cappedHeap').measured).toBe('250 MB peak (2.50×); first pass 5 s, steady 0.150, 0.140, 0.160 s, 0 failures');
  });

  // Each case misses exactly one target (or two, named): the others stay met.
  const misses: ReadonlyArray<[string, (r: Results) => Results, readonly Key[]]> = [
    ['a steady reconcile in hand that makes two requests', (r) => withRow(r, 'ours-uncached-in-hand', 'steady', [1, 2, 1], [0, 0, 0]), ['inHandSteady']],
    ['a steady reconcile in hand that writes', (r) => withRow(r, 'ours-uncached-in-hand', 'steady', [1, 1, 1], [0, 1, 0]), ['inHandSteady']],
    ['a steady reconcile in hand that reads nothing in one run', (r) => withRow(r, 'ours-uncached-in-hand', 'steady', [0, 1, 1], [0, 0, 0]), ['inHandSteady']],
    ['a cached steady reconcile that makes one request', (r) => withRow(r, 'ours-cached', 'steady', [0, 1, 0], [0, 0, 0]), ['cachedSteady']],
    ['a first set from outputs with a fourth request', (r) => withRow(r, 'ours-cached', 'firstFromOutputs', [3, 4, 3], [3, 3, 3]), ['firstFromOutputs']],
    ['a first set from outputs that wrote twice in one run', (r) => withRow(r, 'ours-cached', 'firstFromOutputs', [2, 3, 3], [2, 3, 3]), ['firstFromOutputs']],
    ['a first set through the Secret with a fourth write', (r) => withRow(r, 'ours-cached', 'firstFromSecret', [4, 4, 4], [4, 4, 4]), ['firstFromSecret']],
    ['a core ratio of 0.3', (r) => withCoreRatio(r, [0.3, 0.3, 0.3]), ['coreRatio']],
    ['a core ratio spread of 2 or more (max / min)', (r) => withCoreRatio(r, [0.1, 0.15, 0.2]), ['coreSpread']],
    ['a core ratio just over 0.25 at the median', (r) => withCoreRatio(r, [0.1, 0.2501, 0.9]), ['coreRatio', 'coreSpread']],
    ['a cached steady pass with one request', (r) => withRuns(r, 'ours-cached', (run, i) => (i === 1 ? { ...run, steady: [pass({ wallMs: 150 }), pass({ wallMs: 150, requests: 1 })] } : run)), ['scaleSteadyRequests']],
    [
      'a cached steady pass of 250 ms: slower than a tenth of the cached baseline (2000 ms), not of the uncached (4000 ms)',
      (r) => withRuns(r, 'ours-cached', (run) => ({ ...run, steady: [pass({ wallMs: 250 })] })),
      ['vsBaselineCached'],
    ],
    ['a cached steady pass of exactly a tenth of the cached baseline', (r) => withRuns(r, 'ours-cached', (run) => ({ ...run, steady: [pass({ wallMs: 200 })] })), ['vsBaselineCached']],
    ['a cached steady pass of 500 ms', (r) => withRuns(r, 'ours-cached', (run) => ({ ...run, steady: [pass({ wallMs: 500 })] })), ['vsBaselineCached', 'vsBaselineUncached']],
    ['a peak heap over 3 × JSON in one process', (r) => withRuns(r, 'ours-cached', (run, i) => (i === 0 ? { ...run, peakHeapBytes: 301 * MB } : run)), ['peakHeap']],
    ['a peak heap of exactly 3 × JSON', (r) => withRuns(r, 'ours-cached', (run) => ({ ...run, peakHeapBytes: 300 * MB })), ['peakHeap']],
    ['a command that answers --help in 3 times node -e 0 at the median', (r) => withStartup(r, [2, 3, 4]), ['startup']],
    ['a capped run that crashed', (r) => withCapped(r, { oldSpaceMiB: 268, result: { error: 'bench worker exited with code 134 before reporting' } }), ['cappedHeap']],
    ['a capped run over the heap target', (r) => withCapped(r, { oldSpaceMiB: 268, result: scaleRun('ours-cached', { peakHeapBytes: 310 * MB }) }), ['cappedHeap']],
    ['a capped run whose first pass failed a reconcile', (r) => withCapped(r, { oldSpaceMiB: 268, result: scaleRun('ours-cached', { first: pass({ failures: 1 }) }) }), ['cappedHeap']],
    ['a capped run whose steady pass failed a reconcile', (r) => withCapped(r, { oldSpaceMiB: 268, result: scaleRun('ours-cached', { steady: [pass(), pass({ failures: 2 })] }) }), ['cappedHeap']],
  ];

  it.each(misses)('finds %s', (_, change, missed) => {
    const expected = { ...allMet, ...Object.fromEntries(missed.map((key) => [key, false])) };
    expect(metOf(change(meetsEveryTarget()))).toEqual(expected);
  });

  it('still meets the core target at a median of exactly 0.25', () => {
    expect(metOf(withCoreRatio(meetsEveryTarget(), [0.1, 0.25, 0.9])).coreRatio).toBe(true);
  });

  it('says the capped run did not finish, and why', () => {
    const results = withCapped(meetsEveryTarget(), { oldSpaceMiB: 268, result: { error: 'heap out of memory' } });
    expect(target(checkTargets(results), 'cappedHeap').measured).toBe('did not finish: heap out of memory');
  });

  it('counts the failures of every pass of the capped run', () => {
    const results = withCapped(meetsEveryTarget(), { oldSpaceMiB: 268, result: scaleRun('ours-cached', { first: pass({ failures: 1 }), steady: [pass({ failures: 2 })] }) });
    expect(target(checkTargets(results), 'cappedHeap').measured).toMatch(/, 3 failures$/);
  });

  it('shows an absent capped run as not measured, met unknown', () => {
    const capped = target(checkTargets(withCapped(meetsEveryTarget(), undefined)), 'cappedHeap');
    expect(capped.met).toBeUndefined();
    expect(capped.measured).toBe('not measured: not run');
  });

  const sectionsOf: Record<'scenarios' | 'core' | 'scale', readonly Key[]> = {
    scenarios: ['inHandSteady', 'cachedSteady', 'firstFromOutputs', 'firstFromSecret'],
    core: ['coreRatio', 'coreSpread'],
    scale: ['scaleSteadyRequests', 'vsBaselineCached', 'vsBaselineUncached', 'peakHeap', 'cappedHeap'],
  };

  it.each(Object.keys(sectionsOf) as Array<keyof typeof sectionsOf>)('shows the targets of a failed %s section as not measured, the others as met', (section) => {
    const results = { ...meetsEveryTarget(), [section]: { error: `${section} crashed` } };
    const targets = checkTargets(results);
    const expected = { ...allMet, ...Object.fromEntries(sectionsOf[section].map((key) => [key, undefined])) };
    expect(metOf(results)).toEqual(expected);
    for (const key of sectionsOf[section]) expect(target(targets, key).measured).toBe(`not measured: ${section} crashed`);
  });

  it('does not throw when every section failed, and meets nothing', () => {
    const results: Results = { ...meetsEveryTarget(), core: { error: 'a' }, scenarios: { error: 'b' }, scale: { error: 'c' }, startup: { error: 'd' } };
    expect(checkTargets(results).filter((t) => t.met !== undefined)).toEqual([]);
  });

  it('shows a scenario row that is missing as not measured', () => {
    const results = meetsEveryTarget();
    if ('error' in results.scenarios) throw new Error('fixture');
    const rows = results.scenarios.rows.filter((r) => !(r.config === 'ours-cached' && r.scenario === 'steady'));
    const cachedSteady = target(checkTargets({ ...results, scenarios: { ...results.scenarios, rows } }), 'cachedSteady');
    expect(cachedSteady.met).toBeUndefined();
    expect(cachedSteady.measured).toBe('not measured: no row for library, cached, steady state');
  });

  it('shows a comparison with a baseline that has no runs as not measured', () => {
    const results = meetsEveryTarget();
    if ('error' in results.scale) throw new Error('fixture');
    const summary = results.scale.summary.filter((s) => s.config !== 'baseline-uncached');
    expect(metOf({ ...results, scale: { ...results.scale, summary } })).toEqual({ ...allMet, vsBaselineUncached: undefined });
  });

  it('shows every scale target as not measured when the cached client has no runs', () => {
    const results = meetsEveryTarget();
    if ('error' in results.scale) throw new Error('fixture');
    const summary = results.scale.summary.filter((s) => s.config !== 'ours-cached');
    const expected = { ...allMet, ...Object.fromEntries(sectionsOf.scale.map((key) => [key, undefined])) };
    expect(metOf({ ...results, scale: { ...results.scale, summary } })).toEqual(expected);
    expect(checkTargets({ ...results, scale: { ...results.scale, summary } }).map((t) => `${t.name} ${t.target} ${t.measured}`).join('\n')).not.toMatch(/NaN|undefined|Infinity/);
  });
});

describe('resultsMarkdown', () => {
  const render = (results: Results) => resultsMarkdown({ ...results, targets: checkTargets(results) }, '../bench/results/full.svg');

  it('renders a full run with a row per target and every section', () => {
    const results = meetsEveryTarget();
    const markdown = render(results);
    for (const t of checkTargets(results)) {
      expect(markdown).toContain(`| ${t.name} | ${t.target} | ${t.measured} | ${t.met === undefined ? '—' : t.met ? 'yes' : '**no**'} |`);
    }
    for (const heading of ['### Targets', '### Requests per reconcile', '### Core speed', '### Scale']) expect(markdown).toContain(heading);
    expect(markdown).toContain('![Requests per reconcile and wall time, library against the Go baseline](../bench/results/full.svg)');
    expect(markdown).toContain('Run of 2025-01-01T00:00:00.000Z at commit `abc1234`');
    expect(markdown).toContain('| library, cached |');
    expect(markdown).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('marks a missed target', () => {
    const markdown = render(withCoreRatio(meetsEveryTarget(), [0.3]));
    expect(markdown).toMatch(/\| Core speed: [^\n]* \| 0\.300 \| \*\*no\*\* \|/);
  });

  it('renders a partial run, saying what was not measured', () => {
    const results: Results = { ...meetsEveryTarget(), quick: true, scenarios: { error: 'not run (--only)' }, scale: { error: 'server did not start' } };
    const markdown = render(results);
    expect(markdown).toContain('Not measured: not run (--only)');
    expect(markdown).toContain('Not measured: server did not start');
    expect(markdown).toContain('(**--quick**)');
    expect(markdown).toContain('| Steady state, cached | 0 requests | not measured: not run (--only) | — |');
    expect(markdown).toMatch(/\| Core speed: [^\n]* \| yes \|/);
    expect(markdown).not.toMatch(/NaN|undefined|Infinity/);
  });
});

describe('charts', () => {
  it('draws well-formed, finite charts for a full and a partial run', () => {
    const full = meetsEveryTarget();
    const partial: Results = { ...full, scenarios: { error: 'b' } };
    for (const results of [full, partial, { ...partial, scale: { error: 'c' } } as Results]) {
      const svg = parseXml(svgDocument(charts({ ...results, targets: [] })));
      expect(badNumbers(svg)).toEqual([]);
    }
  });
});

describe('loadWarning', () => {
  const machine = (start: number, end: number) => ({ cpus: 2, cpuModel: 'x', memoryBytes: 1, node: 'v20', platform: 'linux-x64', loadAverage: { start: [start, 0, 0], end: [end, 0, 0] } });

  it('says nothing when the machine was about as busy as the run itself', () => {
    expect(loadWarning(machine(1.8, 2.1))).toBe('');
    expect(loadWarning({ ...machine(0, 0), loadAverage: undefined })).toBe('');
  });

  it('warns, with the load, when other work shared the machine at the start or the end', () => {
    expect(loadWarning(machine(12.4, 2))).toMatch(/busy.*12\.4 on 2 cores/);
    expect(loadWarning(machine(1, 9))).toMatch(/9\.0 on 2 cores/);
  });

  it('warns when the hypervisor gave more than 5% of the CPU time to other machines, whatever the load', () => {
    expect(loadWarning({ ...machine(1, 1), stolenShare: 0.01 })).toBe('');
    expect(loadWarning({ ...machine(1, 1), stolenShare: 0.12 })).toMatch(/busy\*\* \(12% of CPU time stolen\)/);
    expect(loadWarning({ ...machine(9, 1), stolenShare: 0.12 })).toMatch(/9\.0 on 2 cores, 12% of CPU time stolen/);
  });
});
