/**
 * V8's heap limit against the container's memory limit, read once when `run` starts. Node sizes
 * its heap from the cgroup's limit by itself (about half of it); an operator who raises
 * `--max-old-space-size` in NODE_OPTIONS without raising the limit gets a heap that can outgrow
 * the container, and the kernel kills the process before V8 collects. That is said at start.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/** What `run` reads of its memory at start: V8's heap limit and the container's memory limit. */
export interface MemoryReading {
  /** V8's `heap_size_limit`: old space plus young generation, in bytes. */
  readonly heapLimitBytes: number;
  /** The cgroup's memory limit in bytes (`process.constrainedMemory()`), undefined when there is none. */
  readonly memoryLimitBytes: number | undefined;
}

/** Past this share of the memory limit the heap leaves too little for the rest of the process (buffers, code, the stack). */
export const HEAP_SHARE_OF_LIMIT = 0.75;

/** Node reports "no limit" as 0 or as cgroup v1's huge unlimited value: anything at or above the machine's memory is none. */
export const memoryLimitOf = (constrained: number | undefined, machineBytes: number): number | undefined =>
  constrained === undefined || !Number.isFinite(constrained) || constrained <= 0 || constrained >= machineBytes ? undefined : constrained;

export const readMemory = (): MemoryReading => ({
  heapLimitBytes: getHeapStatistics().heap_size_limit,
  memoryLimitBytes: memoryLimitOf(process.constrainedMemory?.(), totalmem()),
});

const MIB = 2 ** 20;
const mib = (bytes: number): number => Math.round(bytes / MIB);

export interface MemoryReport {
  readonly level: 'info' | 'warn';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** The start-up line: the two limits, and a warning when the heap may outgrow the container. */
export const memoryReport = ({ heapLimitBytes, memoryLimitBytes }: MemoryReading): MemoryReport => {
  if (memoryLimitBytes === undefined) return { level: 'info', fields: { heapLimitMiB: mib(heapLimitBytes), memoryLimitMiB: null }, message: 'memory: no container memory limit' };
  const share = heapLimitBytes / memoryLimitBytes;
  const fields = { heapLimitMiB: mib(heapLimitBytes), memoryLimitMiB: mib(memoryLimitBytes), heapShare: Math.round(share * 100) / 100 };
  return share > HEAP_SHARE_OF_LIMIT
    ? {
        level: 'warn',
        fields,
        message: `memory: V8's heap limit is ${Math.round(share * 100)}% of the container's memory limit (more than ${HEAP_SHARE_OF_LIMIT * 100}%): the process may be OOM-killed before V8 collects; lower --max-old-space-size in NODE_OPTIONS or raise the limit`,
      }
    : { level: 'info', fields, message: "memory: V8's heap within the container's limit" };
};
