// `run` turns V8's allocation-site pretenuring off (ADR 0098), unless node's own arguments set it.
import { NO_PRETENURING, settlePretenuring } from '../src/pretenuring';
import { jsonLines, runStopped } from './helpers';

describe('settlePretenuring', () => {
  it("sets V8's flag when node's arguments do not name it: pretenuring is off", () => {
    const set: string[] = [];
    expect(settlePretenuring(['--max-old-space-size=256', '--max-semi-space-size=32'], (flags) => set.push(flags))).toBe(false);
    expect(set).toEqual([NO_PRETENURING]);
  });

  it("leaves the operator's own choice as it is, and answers with it (the last one given wins)", () => {
    const given = (args: string[]): { on: boolean; set: string[] } => {
      const set: string[] = [];
      return { on: settlePretenuring(['--expose-gc', ...args], (flags) => set.push(flags)), set };
    };
    expect(given(['--allocation-site-pretenuring'])).toEqual({ on: true, set: [] });
    expect(given(['--allocation_site_pretenuring'])).toEqual({ on: true, set: [] });
    expect(given(['--no-allocation-site-pretenuring'])).toEqual({ on: false, set: [] });
    expect(given(['--no-allocation_site_pretenuring', '--allocation-site-pretenuring'])).toEqual({ on: true, set: [] });
    expect(given(['--allocation-site-pretenuring', '--no-allocation-site-pretenuring'])).toEqual({ on: false, set: [] });
  });
});

describe('capt-endpoint run', () => {
  const firstLineOf = async (settle: () => boolean): Promise<Record<string, unknown>> => {
    const { code, stdout } = await runStopped({ settlePretenuring: settle });
    expect(code).toBe(0);
    return jsonLines(stdout)[0]!;
  };

  it('settles pretenuring before it starts, and says in its first line that it is off', async () => {
    let calls = 0;
    const line = await firstLineOf(() => ++calls < 0);
    expect(calls).toBe(1);
    expect(line).toMatchObject({ pretenuring: false });
    expect(String(line['msg'] ?? line['message'])).toMatch(/^memory:/);
  });

  it('says pretenuring is on when the operator kept it', async () => {
    expect(await firstLineOf(() => true)).toMatchObject({ pretenuring: true });
  });
});
