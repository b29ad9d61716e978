// `run` turns V8's allocation-site pretenuring off (ADR 0098), unless node's own arguments set it.
import { NO_PRETENURING, turnOffPretenuring } from '../src/pretenuring';
import { jsonLines, runStopped } from './helpers';

describe('turnOffPretenuring', () => {
  it("sets V8's flag when node's arguments do not name it", () => {
    const set: string[] = [];
    expect(turnOffPretenuring(['--max-old-space-size=256', '--max-semi-space-size=32'], (flags) => set.push(flags))).toBe(true);
    expect(set).toEqual([NO_PRETENURING]);
  });

  it("leaves the operator's own choice, in either spelling, as it is", () => {
    for (const given of ['--allocation-site-pretenuring', '--no-allocation-site-pretenuring', '--allocation_site_pretenuring', '--no-allocation_site_pretenuring']) {
      const set: string[] = [];
      expect(turnOffPretenuring(['--expose-gc', given], (flags) => set.push(flags))).toBe(false);
      expect(set).toEqual([]);
    }
  });
});

describe('capt-endpoint run', () => {
  const firstLineOf = async (turnOffPretenuring: () => boolean): Promise<Record<string, unknown>> => {
    const { code, stdout } = await runStopped({ turnOffPretenuring });
    expect(code).toBe(0);
    return jsonLines(stdout)[0]!;
  };

  it('turns pretenuring off before it starts, and says so in its first line', async () => {
    let calls = 0;
    const line = await firstLineOf(() => ++calls > 0);
    expect(calls).toBe(1);
    expect(line).toMatchObject({ pretenuring: false });
    expect(String(line['msg'] ?? line['message'])).toMatch(/^memory:/);
  });

  it('says pretenuring is on when the operator kept it', async () => {
    expect(await firstLineOf(() => false)).toMatchObject({ pretenuring: true });
  });
});
