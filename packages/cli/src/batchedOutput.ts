/**
 * Log lines written in batches. `run` logs a line for every control plane it sets, and a write
 * per line (a system call on the pipe a container runtime reads) cost a cold start about 4% of
 * its CPU. Lines are held at most `maxDelayMs`, or until `maxBytes` are held, and go out whole
 * and in order; `flush` writes what is held at once (when `run` ends, and at the process's exit,
 * which writes to a pipe or a file synchronously on Linux).
 */
import type { OutputStream } from './cliIO';

export interface BatchedOutput extends OutputStream {
  flush(): void;
}

export interface BatchLimits {
  readonly maxDelayMs?: number | undefined;
  readonly maxBytes?: number | undefined;
}

export const LOG_BATCH_DELAY_MS = 100;
export const LOG_BATCH_BYTES = 64 * 1024;

export const batchedOutput = (stream: OutputStream, limits: BatchLimits = {}): BatchedOutput => {
  const maxDelayMs = limits.maxDelayMs ?? LOG_BATCH_DELAY_MS;
  const maxBytes = limits.maxBytes ?? LOG_BATCH_BYTES;
  let held: string[] = [];
  /** In UTF-8 bytes, as the stream will write them. */
  let heldLength = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (held.length === 0) return;
    const text = held.join('');
    held = [];
    heldLength = 0;
    stream.write(text);
  };
  return {
    isTTY: stream.isTTY,
    write: (text) => {
      held.push(text);
      heldLength += Buffer.byteLength(text, 'utf8');
      if (heldLength >= maxBytes) flush();
      else if (timer === undefined) {
        timer = setTimeout(flush, maxDelayMs);
        timer.unref();
      }
      return true;
    },
    flush,
  };
};
