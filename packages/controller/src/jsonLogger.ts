/**
 * Structured logs: one JSON object per line (`time`, `level`, `msg`, then fields), written to a
 * stream. It implements core's `Logger`, so the library's own log lines come out the same way.
 * Fields are what the callers pass: references, endpoints, reasons; never objects or Secret data.
 */
import type { Logger } from '@capt-endpoint/core';

export type Level = 'debug' | 'info' | 'warn' | 'error';

const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLogger extends Logger {
  log(level: Level, fields: Record<string, unknown>, message: string): void;
}

export const jsonLogger = (
  stream: { write(text: string): unknown },
  options: { readonly level?: Level | undefined; readonly now?: (() => Date) | undefined } = {},
): JsonLogger => {
  const threshold = order[options.level ?? 'info'];
  const log = (level: Level, fields: Record<string, unknown>, message: string): void => {
    if (order[level] < threshold) return;
    stream.write(`${JSON.stringify({ time: (options.now?.() ?? new Date()).toISOString(), level, msg: message, ...fields })}\n`);
  };
  return {
    log,
    debug: (fields, message) => log('debug', fields, message),
    info: (fields, message) => log('info', fields, message),
    warn: (fields, message) => log('warn', fields, message),
    error: (fields, message) => log('error', fields, message),
  };
};
