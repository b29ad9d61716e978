/**
 * The logging port: the usual `level(object, message)` shape, so pino, bunyan-style and
 * console-like loggers fit as they are. The core logs references, endpoints and reasons, never
 * object contents or Secret data.
 */
export interface Logger {
  debug(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}
