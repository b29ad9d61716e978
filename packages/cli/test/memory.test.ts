// The start-up memory line of `run`: V8's heap limit against the container's memory limit.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { HEAP_SHARE_OF_LIMIT, memoryLimitOf, memoryReport, readMemory } from '../src/memory';
import { REPO, jsonLines, runStopped } from './helpers';

const MIB = 2 ** 20;

describe('memoryReport', () => {
  it('says there is no limit when the process has none', () => {
    expect(memoryReport({ heapLimitBytes: 4144 * MIB, memoryLimitBytes: undefined })).toEqual({
      level: 'info',
      fields: { heapLimitMiB: 4144, memoryLimitMiB: null },
      message: 'memory: no container memory limit',
    });
  });

  it("is content with Node's own sizing under a limit (about half of it)", () => {
    expect(memoryReport({ heapLimitBytes: 259 * MIB, memoryLimitBytes: 512 * MIB })).toMatchObject({ level: 'info', fields: { heapLimitMiB: 259, memoryLimitMiB: 512, heapShare: 0.51 } });
  });

  it(`warns when the heap may take more than ${HEAP_SHARE_OF_LIMIT * 100}% of the limit`, () => {
    const report = memoryReport({ heapLimitBytes: 448 * MIB, memoryLimitBytes: 512 * MIB });
    expect(report.level).toBe('warn');
    expect(report.fields).toEqual({ heapLimitMiB: 448, memoryLimitMiB: 512, heapShare: 0.88 });
    expect(report.message).toContain('88%');
    expect(report.message).toContain('--max-old-space-size');
  });

  it("reads V8's heap limit, and takes Node's 'no limit' answers (0, cgroup v1's unlimited, the machine's memory) for none", () => {
    expect(readMemory().heapLimitBytes).toBe(getHeapStatistics().heap_size_limit);
    const machine = 24 * 1024 * MIB;
    expect(memoryLimitOf(512 * MIB, machine)).toBe(512 * MIB);
    for (const none of [undefined, 0, 2 ** 64, 9223372036854771712, machine, Number.NaN]) expect(memoryLimitOf(none, machine)).toBeUndefined();
  });

  it("deploy/'s NODE_OPTIONS give a heap within its memory limit (a raised --max-old-space-size alone would warn)", () => {
    const deployment = readFileSync(join(REPO, 'deploy/kubernetes/deployment.yaml'), 'utf8');
    const limitMiB = Number(/limits:\s*\n\s*memory:\s*(\d+)Mi\b/.exec(deployment)?.[1]);
    const nodeOptions = /name: NODE_OPTIONS\s*\n\s*value:\s*(\S+)/.exec(deployment)?.[1] ?? '';
    const heapLimitOf = (options: string) =>
      Number(execFileSync(process.execPath, [options, '-e', "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))"], { encoding: 'utf8' }));
    expect(memoryReport({ heapLimitBytes: heapLimitOf(nodeOptions), memoryLimitBytes: limitMiB * MIB }).level).toBe('info');
    expect(memoryReport({ heapLimitBytes: heapLimitOf(`--max-old-space-size=${limitMiB}`), memoryLimitBytes: limitMiB * MIB }).level).toBe('warn');
  });
});

describe('capt-endpoint run', () => {
  it('logs the memory line first, as a warning when the heap may outgrow the limit', async () => {
    const { code, stdout } = await runStopped({ memory: () => ({ heapLimitBytes: 500 * MIB, memoryLimitBytes: 512 * MIB }) });
    expect(code).toBe(0);
    expect(jsonLines(stdout)[0]).toMatchObject({ level: 'warn', heapLimitMiB: 500, memoryLimitMiB: 512, heapShare: 0.98 });
  });
});
