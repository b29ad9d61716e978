/**
 * A memory cgroup with a container's limit, for a controller run "as deployed": the kernel
 * enforces the limit as it would in a Pod (RSS and the page cache the process touches, OOM kill
 * past it), and reports the peak usage it charged. Made where this process may make one (root,
 * cgroup v2 with the memory controller, or cgroup v1's memory hierarchy); elsewhere the reason is
 * returned and the run falls back to the process's own peak RSS.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MemoryCgroup {
  readonly limitBytes: number;
  /** The file a process writes its PID into to join. */
  readonly procsFile: string;
  /** The highest usage the kernel charged since the group was made. */
  peakBytes(): number;
  /** Processes the kernel killed for passing the limit. */
  oomKills(): number;
  remove(): Promise<void>;
}

const ROOT = '/sys/fs/cgroup';

const numberIn = (path: string, pattern?: RegExp): number => {
  try {
    const text = readFileSync(path, 'utf8');
    const value = pattern === undefined ? text.trim() : pattern.exec(text)?.[1];
    return value === undefined ? 0 : Number(value);
  } catch {
    return 0;
  }
};

const OOM_KILL = /^oom_kill (\d+)$/m;

const made = (dir: string, limitFile: string, limitBytes: number, peakFile: string, oomFile: string): MemoryCgroup => {
  mkdirSync(dir);
  try {
    writeFileSync(join(dir, limitFile), String(limitBytes));
  } catch (error) {
    rmdirSync(dir);
    throw error;
  }
  return {
    limitBytes,
    procsFile: join(dir, 'cgroup.procs'),
    peakBytes: () => numberIn(join(dir, peakFile)),
    oomKills: () => numberIn(join(dir, oomFile), OOM_KILL),
    // The group empties once its processes have exited; removing it may race their exit by a moment.
    remove: async () => {
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          rmdirSync(dir);
          return;
        } catch {
          await sleep(20);
        }
      }
    },
  };
};

/** A new memory cgroup limited to `limitBytes`, or why none could be made here. */
export const makeMemoryCgroup = (name: string, limitBytes: number): MemoryCgroup | { readonly unavailable: string } => {
  const v2 = existsSync(join(ROOT, 'cgroup.controllers')) && readFileSync(join(ROOT, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('memory');
  const v1 = !v2 && existsSync(join(ROOT, 'memory', 'memory.limit_in_bytes'));
  if (!v2 && !v1) return { unavailable: 'no cgroup memory controller here' };
  try {
    return v2
      ? made(join(ROOT, name), 'memory.max', limitBytes, 'memory.peak', 'memory.events')
      : made(join(ROOT, 'memory', name), 'memory.limit_in_bytes', limitBytes, 'memory.max_usage_in_bytes', 'memory.oom_control');
  } catch (error) {
    return { unavailable: `cannot make a memory cgroup here (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
};
