import type { ReconcileSpeedResult, WholeBody, WholeRow } from '../src/reconcileSpeed';
import { resultsMarkdown } from '../src/report';
import { UNIT_TEST_BODIES, withUnitTestRows } from '../src/unitTestRows';
import { meetsEveryTarget, type Results } from './builders';

const BODIES: readonly WholeBody[] = ['floorAll', 'floorHot', 'jsonParse', 'cachedAll', 'cachedHot', 'plainInHand', 'fakeInHand', 'fakeInHandShared', 'jsonParseFirstSet', 'fakeFirstSet'];
const spreadOf = (value: number) => ({ min: value, median: value, max: value, runs: 1 });
const rowOf = (value: number): WholeRow => ({ micros: spreadOf(value), bytes: spreadOf(value), toJsonParse: spreadOf(value), toFloor: spreadOf(value) });
/** A run whose every row reads `value`. */
const run = (controlPlanes: number, value: number): ReconcileSpeedResult => ({
  controlPlanes,
  hot: 64,
  concurrency: 16,
  jsonBytes: 5000,
  batch: Object.fromEntries(BODIES.map((body) => [body, value])) as Record<WholeBody, number>,
  rows: Object.fromEntries(BODIES.map((body) => [body, rowOf(value)])) as Record<WholeBody, WholeRow>,
  outcomes: ['UpToDate'],
});

describe('the fake client rows from a process of their own', () => {
  it('takes the unit-test rows from the small run and every other row from the main one', () => {
    const merged = withUnitTestRows(run(10_000, 1), run(64, 2));
    for (const body of BODIES) {
      const expected = UNIT_TEST_BODIES.includes(body) ? 2 : 1;
      expect([body, merged.rows[body].micros.median, merged.batch[body]]).toEqual([body, expected, expected]);
    }
    expect(merged.controlPlanes).toBe(10_000);
    expect(merged.unitTest).toEqual({ controlPlanes: 64 });
  });

  it('says in the whole-reconcile table where the fake client rows come from', () => {
    const render = (reconcile: ReconcileSpeedResult) => {
      const results: Results = { ...meetsEveryTarget(), reconcile };
      return resultsMarkdown({ ...results, targets: [] }, 'full.svg');
    };
    expect(render(withUnitTestRows(run(10_000, 1), run(64, 2)))).toContain("The fake client's rows, as a unit test's, come from a process of their own with 64 control planes in its cache.");
    expect(render(run(10_000, 1))).not.toContain('come from a process of their own');
  });
});
