/**
 * CPU time the hypervisor gave to other machines during a run (`steal` in /proc/stat): the
 * noise a virtual machine's load average does not show. Linux only; elsewhere nothing is read.
 */
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  readonly steal: number;
  readonly total: number;
}

/** The machine's CPU times from /proc/stat's first line, in clock ticks. */
export const parseCpuTimes = (stat: string): CpuTimes | undefined => {
  const fields = /^cpu +([\d ]+)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already in user.
  if (fields === undefined || fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return undefined;
  return { steal: fields[7]!, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
};

export const readCpuTimes = (): CpuTimes | undefined => {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
};

/** The share of all CPU time stolen between two readings; undefined without both. */
export const stolenShare = (start: CpuTimes | undefined, end: CpuTimes | undefined): number | undefined => {
  if (start === undefined || end === undefined || end.total <= start.total) return undefined;
  return (end.steal - start.steal) / (end.total - start.total);
};
