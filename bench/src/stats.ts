/**
 * Summaries of repeated measurements: every figure the bench reports is the minimum, median
 * and maximum of its runs, never a single sample.
 */

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly runs: number;
}

export const spread = (samples: readonly number[]): Spread => {
  if (samples.length === 0) return { min: NaN, median: NaN, max: NaN, runs: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]!, runs: sorted.length };
};

/** The spread of one field over a list of records. */
export const spreadOf = <T>(records: readonly T[], field: (record: T) => number): Spread => spread(records.map(field));

/** Elapsed milliseconds since `start` (a `process.hrtime.bigint()` reading). */
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** `12.3` style: three significant figures, no exponent for the sizes we print. */
export const fmt = (value: number, digits = 3): string => {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) >= 1) return String(value);
  if (value === 0) return '0';
  // The magnitude after rounding to `digits`: 9.999 rounds to 10.0, not 10.00.
  const magnitude = Math.floor(Math.log10(Math.abs(Number(value.toPrecision(digits)))));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toFixed(Math.min(decimals, 6));
};

/** `min / median / max`, or just the value when all three are equal. */
export const fmtSpread = (s: Spread, unit = '', digits = 3): string =>
  s.min === s.max ? `${fmt(s.median, digits)}${unit}` : `${fmt(s.median, digits)}${unit} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
