import fc from 'fast-check';
import { kubeTime, kubeTimeAt } from '../src/time';

const reference = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('kubeTime', () => {
  it('writes RFC 3339 in UTC to the second, for any time in any order', () => {
    const anyTime = fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 });
    fc.assert(
      fc.property(fc.array(anyTime, { minLength: 1, maxLength: 8 }), (times) => {
        for (const ms of times) {
          expect(kubeTimeAt(ms)).toBe(reference(ms));
          expect(kubeTime(new Date(ms))).toBe(reference(ms));
        }
      }),
    );
  });

  it('gives each second its own text when calls go back and forth across a boundary', () => {
    expect(kubeTimeAt(1_700_000_000_999)).toBe('2023-11-14T22:13:20Z');
    expect(kubeTimeAt(1_700_000_001_000)).toBe('2023-11-14T22:13:21Z');
    expect(kubeTimeAt(1_700_000_000_000)).toBe('2023-11-14T22:13:20Z');
    expect(kubeTimeAt(-1)).toBe('1969-12-31T23:59:59Z');
    expect(kubeTimeAt(0)).toBe('1970-01-01T00:00:00Z');
  });
});
