/**
 * What the command is given to run with: its streams, environment, working directory, abort
 * signal and standard input. Its own module so that `main` and the commands it calls
 * (`run`, `reconcile`) both name it without importing each other.
 */
import type { ManifestFiles } from './demo';
import type { MemoryReading } from './memory';

/** Where the command writes: the process's stdout or stderr, or a buffer in a test. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

export interface CliIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where relative paths start. Default the process's working directory. */
  readonly cwd?: string | undefined;
  /** `run` stops gracefully when this aborts (the bin aborts it on SIGINT and SIGTERM). */
  readonly signal?: AbortSignal | undefined;
  /** Reads standard input, for `-f -`. */
  readonly readStdin?: (() => Promise<string>) | undefined;
  /**
   * The demo's manifests when --manifests is not given: a directory, or the files themselves.
   * Default: those built into the command, or ./examples/manifests when run from the sources.
   */
  readonly demoManifests?: string | ManifestFiles | undefined;
  /** `run`'s heap and container memory limits. Default: read from V8 and the cgroup. */
  readonly memory?: (() => MemoryReading) | undefined;
  /** Turns V8's allocation-site pretenuring off for `run` unless node's arguments set it; answers whether V8 still pretenures (see pretenuring.ts). Default: the process's own V8. */
  readonly settlePretenuring?: (() => boolean) | undefined;
}
