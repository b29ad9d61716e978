#!/usr/bin/env node
/**
 * The `capt-endpoint` executable: `main` with the process's streams and environment.
 *
 * SIGINT and SIGTERM abort the signal every command watches: `run` stops gracefully, a one-shot
 * command ends its requests (and their credential plugins) and reports. Whatever is still
 * running after STOP_GRACE_MS is cut short with one line on stderr, so a signal ends any
 * command within 5 seconds; a second signal exits at once. A reader that goes away (`run | head`)
 * stops the command the same way, quietly, instead of an unhandled EPIPE. The handlers are in
 * place before the command's modules load.
 */
// An ES module (it awaits at the top level), though it imports nothing before its handlers are set.
export {};

/** How long a command may take to end after a signal before the process exits anyway. */
const STOP_GRACE_MS = 4_000;

const controller = new AbortController();
let stdoutGone = false;

const stop = (why: string): void => {
  if (controller.signal.aborted) return;
  controller.abort();
  setTimeout(() => {
    process.stderr.write(`capt-endpoint: ${why}: not stopped within ${STOP_GRACE_MS / 1000} s, exiting\n`);
    process.exit(1);
  }, STOP_GRACE_MS).unref();
};

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130);
    stop(signal);
  });
}

// EPIPE: whoever read our output is gone. Nothing more can be shown; stop as on a signal.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  stdoutGone = true;
  stop(error.code === 'EPIPE' ? 'standard output closed' : `standard output failed (${error.code ?? error.name})`);
});

/** Standard input, read whole; an abort ends the wait with an error. */
const readStdin = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onAbort = (): void => {
      process.stdin.pause();
      reject(new Error('interrupted'));
    };
    if (controller.signal.aborted) return onAbort();
    controller.signal.addEventListener('abort', onAbort, { once: true });
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.once('error', reject);
    process.stdin.once('end', () => {
      controller.signal.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });

const exit = (code: number): void => {
  // Exit once stdout is flushed: an idle keep-alive connection must not hold the process open.
  if (stdoutGone) process.exit(code);
  else process.stdout.write('', () => process.exit(code));
};

// Loaded after the handlers above are in place: loading client-node can take seconds on a busy
// machine, and a signal in that time must not go unhandled.
const { main } = await import('./main');

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  readStdin,
}).then(exit, () => exit(1));
