import fc from 'fast-check';
import { fmt, fmtSpread, spread, spreadOf } from '../src/stats';

describe('spread', () => {
  it('takes the middle sample of an odd count', () => {
    expect(spread([5, 1, 3])).toEqual({ min: 1, median: 3, max: 5, runs: 3 });
  });

  it('averages the two middle samples of an even count', () => {
    expect(spread([10, 1, 4, 2])).toEqual({ min: 1, median: 3, max: 10, runs: 4 });
  });

  it('sorts numerically, not as strings', () => {
    expect(spread([100, 9, 20])).toEqual({ min: 9, median: 20, max: 100, runs: 3 });
  });

  it('gives the sample itself for one sample', () => {
    expect(spread([7.5])).toEqual({ min: 7.5, median: 7.5, max: 7.5, runs: 1 });
  });

  it('gives NaN figures and no runs for no samples', () => {
    const s = spread([]);
    expect(s.runs).toBe(0);
    expect(s.min).toBeNaN();
    expect(s.median).toBeNaN();
    expect(s.max).toBeNaN();
  });

  it('leaves its input as it was', () => {
    const samples = [3, 1, 2];
    spread(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('keeps min ≤ median ≤ max, with half the samples on either side of the median', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 1 }), (samples) => {
        const s = spread(samples);
        expect(s.runs).toBe(samples.length);
        // `+ 0` turns -0 into 0: the sort may keep a 0 before a -0, and the two are the same time.
        expect(s.min + 0).toBe(Math.min(...samples) + 0);
        expect(s.max + 0).toBe(Math.max(...samples) + 0);
        expect(s.min).toBeLessThanOrEqual(s.median);
        expect(s.median).toBeLessThanOrEqual(s.max);
        expect(samples.filter((x) => x < s.median).length).toBeLessThanOrEqual(samples.length / 2);
        expect(samples.filter((x) => x > s.median).length).toBeLessThanOrEqual(samples.length / 2);
      }),
    );
  });
});

describe('spreadOf', () => {
  it('spreads the chosen field of each record', () => {
    const records = [{ ms: 30, n: 1 }, { ms: 10, n: 2 }, { ms: 20, n: 3 }];
    expect(spreadOf(records, (r) => r.ms)).toEqual({ min: 10, median: 20, max: 30, runs: 3 });
    expect(spreadOf(records, (r) => r.n)).toEqual({ min: 1, median: 2, max: 3, runs: 3 });
  });

  it('gives no runs for no records', () => {
    expect(spreadOf([] as { ms: number }[], (r) => r.ms).runs).toBe(0);
  });
});

describe('fmt', () => {
  it('gives three significant figures by default', () => {
    expect(fmt(12.345)).toBe('12.3');
    expect(fmt(1.23456)).toBe('1.23');
    expect(fmt(0.5)).toBe('0.500');
    expect(fmt(0.000123456)).toBe('0.000123');
  });

  it('takes another number of significant figures', () => {
    expect(fmt(12.345, 2)).toBe('12');
    expect(fmt(0.012345, 4)).toBe('0.01235');
  });

  it('counts the figures after rounding, when rounding gains a digit', () => {
    expect(fmt(9.999)).toBe('10.0');
    expect(fmt(0.99951)).toBe('1.00');
    expect(fmt(99.96)).toBe('100');
  });

  it('keeps every integer digit rather than using an exponent', () => {
    expect(fmt(1234.5)).toBe('1235');
    expect(fmt(30010)).toBe('30010');
    expect(fmt(10_000_000)).toBe('10000000');
  });

  it('prints integers as they are', () => {
    expect(fmt(3)).toBe('3');
    expect(fmt(-42)).toBe('-42');
  });

  it('prints zero, and negative zero, as 0', () => {
    expect(fmt(0)).toBe('0');
    expect(fmt(-0)).toBe('0');
  });

  it('keeps the sign of negatives', () => {
    expect(fmt(-12.345)).toBe('-12.3');
    expect(fmt(-0.5)).toBe('-0.500');
  });

  it('names non-finite values', () => {
    expect(fmt(NaN)).toBe('NaN');
    expect(fmt(Infinity)).toBe('Infinity');
    expect(fmt(-Infinity)).toBe('-Infinity');
  });

  it('stays within half a percent of the value, without an exponent, over the sizes we print', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e9, noNaN: true }), fc.boolean(), (magnitude, negative) => {
        const value = negative ? -magnitude : magnitude;
        const text = fmt(value);
        expect(text).toMatch(/^-?\d+(\.\d+)?$/);
        expect(Math.abs(Number(text) - value)).toBeLessThanOrEqual(Math.abs(value) * 5e-3);
      }),
    );
  });
});

describe('fmtSpread', () => {
  it('gives one figure when every run measured the same', () => {
    expect(fmtSpread(spread([3, 3, 3]))).toBe('3');
    expect(fmtSpread(spread([0.25]), ' ms')).toBe('0.250 ms');
  });

  it('gives the median then the range when runs differ', () => {
    expect(fmtSpread(spread([1.5, 2, 10]))).toBe('2 (1.50–10)');
    expect(fmtSpread(spread([1.5, 2, 10]), ' s')).toBe('2 s (1.50–10)');
  });

  it('passes the significant figures on', () => {
    expect(fmtSpread(spread([1.23456, 2.34567]), '', 2)).toBe('1.8 (1.2–2.3)');
  });
});
