/**
 * The fake client's rows of the whole-reconcile table model a user's unit test, so they are
 * measured again in a process of their own (see `withUnitTestRows`).
 */
import type { ReconcileSpeedResult, WholeBody } from './reconcileSpeed';

/** The rows that model a user's unit test: the fake client's, with the `JSON.parse` their first set is set beside. */
export const UNIT_TEST_BODIES: readonly WholeBody[] = ['fakeInHand', 'fakeInHandShared', 'jsonParseFirstSet', 'fakeFirstSet'];

/**
 * `main`'s results with the fake client's rows taken from `unitTest`, a run in a process of its
 * own with only the hot control planes in its cache, as a unit test's process holds no informer
 * cache of thousands. Beside the 10,000 control planes' cache, the fake's first set measured
 * 5.5-6.6x JSON.parse where alone it measured 4.1-4.3x (the fake's garbage is collected in a far
 * larger heap). Each row's ratios stay those of its own process.
 */
export const withUnitTestRows = (main: ReconcileSpeedResult, unitTest: ReconcileSpeedResult): ReconcileSpeedResult => ({
  ...main,
  batch: { ...main.batch, ...Object.fromEntries(UNIT_TEST_BODIES.map((body) => [body, unitTest.batch[body]])) },
  rows: { ...main.rows, ...Object.fromEntries(UNIT_TEST_BODIES.map((body) => [body, unitTest.rows[body]])) },
  unitTest: { controlPlanes: unitTest.controlPlanes },
});
