/**
 * The orchestrator behind `npm run bench`: runs each measurement in its own child process,
 * gathers the results into bench/results/*.json, draws the chart and rewrites the results
 * section of docs/benchmarks.md.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const workerPath = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Runs one task in a fresh child process and resolves with what it sends back. */
export const inChild = <T>(task: unknown, execArgv: readonly string[] = []): Promise<T> =>
  new Promise((resolve, reject) => {
    const child = fork(workerPath, [JSON.stringify(task)], { execArgv: [...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', (message: { ok: boolean; result?: T; error?: string }) => {
      settled = true;
      if (message.ok) resolve(message.result as T);
      else reject(new Error(message.error));
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`bench worker exited with code ${code} before reporting`));
    });
  });

const quick = process.argv.includes('--quick');
const core = await inChild({ task: 'core', options: { rounds: quick ? 7 : 21, batchMs: 20 } });
console.log(JSON.stringify(core, null, 2));
