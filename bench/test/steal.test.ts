import { parseCpuTimes, stolenShare } from '../src/steal';

describe('CPU time stolen by the hypervisor', () => {
  it("reads /proc/stat's machine line: steal is its eighth field, the total the first eight", () => {
    const stat = 'cpu  25315 0 4346 45817 86 0 860 12 0 0\ncpu0 12000 0 2000 22000 40 0 400 6 0 0\nintr 1 2 3\n';
    expect(parseCpuTimes(stat)).toEqual({ steal: 12, total: 25315 + 4346 + 45817 + 86 + 860 + 12 });
  });

  it('reads nothing from text that is not /proc/stat', () => {
    for (const text of ['', 'cpu0 1 2 3 4 5 6 7 8', 'cpu 1 2 3', 'intr 1 2 3']) expect(parseCpuTimes(text)).toBeUndefined();
  });

  it('is the share of all CPU time between two readings, and nothing without both', () => {
    expect(stolenShare({ steal: 10, total: 1000 }, { steal: 60, total: 2000 })).toBeCloseTo(0.05);
    expect(stolenShare(undefined, { steal: 1, total: 2 })).toBeUndefined();
    expect(stolenShare({ steal: 1, total: 2 }, { steal: 1, total: 2 })).toBeUndefined();
  });
});
