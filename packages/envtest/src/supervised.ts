/**
 * Each program runs under a small Node supervisor that holds the other end of a pipe to this
 * process. When that pipe closes, whatever the reason (stop(), a failing test, SIGINT, or this
 * process killed with SIGKILL), the supervisor sends the program SIGTERM, then SIGKILL after a
 * grace period, and exits: no etcd or kube-apiserver outlives the process that started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

// Run with `node -e`, so it works the same from the TypeScript sources and the built package.
const SUPERVISOR = `
const { spawn } = require('node:child_process');
const spec = JSON.parse(process.env.CAPT_ENVTEST_PROGRAM);
delete process.env.CAPT_ENVTEST_PROGRAM;
const child = spawn(spec.command, spec.args, { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
let ending = false;
const end = () => {
  if (ending) return;
  ending = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), spec.graceMs).unref();
};
process.stdin.on('data', () => {});
process.stdin.on('end', end);
process.stdin.on('error', end);
process.stdin.resume();
process.on('SIGTERM', end);
process.on('SIGINT', end);
child.on('error', (e) => { process.stderr.write('supervisor: cannot start ' + spec.command + ': ' + e.message + '\\n'); process.exit(127); });
child.on('exit', (code, signal) => {
  if (!ending) process.stderr.write('supervisor: ' + spec.command + ' ended by itself with ' + (signal || 'exit status ' + code) + '\\n');
  process.exit(code === null ? 128 : code);
});
`;

export interface SupervisedProgram {
  readonly name: string;
  readonly logFile: string;
  /** Resolves with the exit status once the program (and its supervisor) have ended. */
  readonly exited: Promise<number>;
  readonly hasExited: () => boolean;
  /** Ends the program: SIGTERM, SIGKILL after the grace period. Resolves when it is gone. */
  readonly stop: () => Promise<number>;
  readonly pid: () => number | undefined;
  /** The program's own process id: the supervisor's only child (Linux's /proc); undefined when gone. */
  readonly programPid: () => number | undefined;
}

export const startSupervised = (
  name: string,
  command: string,
  args: readonly string[],
  logFile: string,
  graceMs: number,
): SupervisedProgram => {
  const log = openSync(logFile, 'a');
  let supervisor: ChildProcess;
  try {
    supervisor = spawn(process.execPath, ['-e', SUPERVISOR], {
      stdio: ['pipe', log, log],
      env: { ...process.env, CAPT_ENVTEST_PROGRAM: JSON.stringify({ command, args, graceMs }) },
    });
  } finally {
    closeSync(log);
  }
  let done = false;
  const exited = new Promise<number>((resolve) => {
    supervisor.on('exit', (code) => {
      done = true;
      resolve(code ?? 128);
    });
    supervisor.on('error', () => {
      done = true;
      resolve(127);
    });
  });
  // A pipe this process no longer writes to must not fail it when the supervisor is gone.
  supervisor.stdin?.on('error', () => undefined);
  return {
    name,
    logFile,
    exited,
    hasExited: () => done,
    stop: () => {
      supervisor.stdin?.end();
      return exited;
    },
    pid: () => supervisor.pid,
    programPid: () => {
      if (done || supervisor.pid === undefined) return undefined;
      try {
        const child = Number(readFileSync(`/proc/${supervisor.pid}/task/${supervisor.pid}/children`, 'utf8').trim().split(' ')[0]);
        return Number.isInteger(child) && child > 0 ? child : undefined;
      } catch {
        return undefined;
      }
    },
  };
};
