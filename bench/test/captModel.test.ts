import { CAPT_AS_IT_IS, perHour, reconcilesPerHour } from '../src/captModel';

describe('the hour of steady state', () => {
  it('counts a reconcile every 30 s as 120 an hour per control plane', () => {
    expect(reconcilesPerHour(30)).toBe(120);
  });

  it('CAPT as it is, at 10,000 control planes: 14.4 million requests and 9.6 million writes an hour', () => {
    expect(perHour(10_000, CAPT_AS_IT_IS, CAPT_AS_IT_IS.everySeconds)).toEqual({ requests: 14_400_000, writes: 9_600_000 });
  });

  it('nothing per reconcile is nothing an hour', () => {
    expect(perHour(10_000, { requests: 0, writes: 0 }, 30)).toEqual({ requests: 0, writes: 0 });
  });
});
