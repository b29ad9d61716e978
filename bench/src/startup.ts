/**
 * How fast the command answers: `capt-endpoint --help` (the built bin) against `node -e 0` in
 * the same run, interleaved round by round, so the machine's load weighs on both alike. The
 * target is their ratio: help loads the command-line parsing and nothing of the Kubernetes
 * client or the metrics.
 */
import { spawnSync } from 'node:child_process';
import { msSince, spread, type Spread } from './stats';

export interface StartupResult {
  /** Wall time of `node <bin> --help`, in milliseconds. */
  readonly helpMs: Spread;
  /** Wall time of `node -e 0`, in milliseconds. */
  readonly nodeMs: Spread;
  /** Per round: help's time over node's. */
  readonly ratio: Spread;
}

/** The wall time of one `node ...args` process, in milliseconds; throws when it fails. */
const timed = (args: readonly string[]): number => {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return msSince(start);
};

export const measureStartup = (bin: string, rounds: number): StartupResult => {
  const help: number[] = [];
  const node: number[] = [];
  const ratio: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const bare = timed(['-e', '0']);
    const answered = timed([bin, '--help']);
    node.push(bare);
    help.push(answered);
    ratio.push(answered / bare);
  }
  return { helpMs: spread(help), nodeMs: spread(node), ratio: spread(ratio) };
};
