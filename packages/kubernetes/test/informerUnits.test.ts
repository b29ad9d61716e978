import { DEFAULT_PAGE_SIZE, backoffDelay, isOlder, pageSizeOf } from '../src/informer';

const at = (resourceVersion?: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a', ...(resourceVersion ? { resourceVersion } : {}) } });

describe('isOlder', () => {
  it('compares integer resourceVersions as numbers', () => {
    expect(isOlder(at('9'), at('10'))).toBe(true);
    expect(isOlder(at('10'), at('9'))).toBe(false);
    expect(isOlder(at('10'), at('10'))).toBe(false);
    expect(isOlder(at('99999999999999999998'), at('99999999999999999999'))).toBe(true);
  });

  it('treats nothing as older when a version is missing or not an integer', () => {
    expect(isOlder(at('9'), undefined)).toBe(false);
    expect(isOlder(at(), at('10'))).toBe(false);
    expect(isOlder(at('abc'), at('10'))).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the maximum', () => {
    const backoff = { initialMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, backoff))).toEqual([0, 100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(1)).toBe(1000);
    expect(backoffDelay(10)).toBe(30_000);
  });
});

describe('pageSizeOf', () => {
  it("defaults to client-go's 500, keeps 0 (one request) and any positive integer", () => {
    expect([pageSizeOf(undefined), pageSizeOf(0), pageSizeOf(1), pageSizeOf(10_000)]).toEqual([DEFAULT_PAGE_SIZE, 0, 1, 10_000]);
    expect(DEFAULT_PAGE_SIZE).toBe(500);
  });

  it('throws a RangeError for a negative, fractional or non-finite size', () => {
    for (const size of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => pageSizeOf(size)).toThrow(RangeError);
  });
});
