/**
 * V8's allocation-site pretenuring, turned off for `run`. V8 watches which places in the code
 * allocate objects that survive young-generation collections and, past a threshold, allocates
 * from those places straight into the old generation. A cold start trips it: while the lists
 * fill the cache, the request path's own objects (requests, headers, response bodies, promises)
 * survive, V8 pretenures them, and from then on every request's garbage lands in the old
 * generation. Each of those dead objects keeps the young ones it points to alive at every
 * scavenge, so they are promoted too, and the old generation fills with garbage only a full
 * collection can free (ADR 0098).
 *
 * The flag is read at each collection, so setting it at start takes effect for the rest of the
 * process. Node takes no V8 flag but a few in NODE_OPTIONS, so `run` sets it itself; one given on
 * node's command line (either way) is left as the operator gave it.
 */
import { setFlagsFromString } from 'node:v8';

export const NO_PRETENURING = '--no-allocation-site-pretenuring';

const GIVEN = /^--(?:no-)?allocation[-_]site[-_]pretenuring$/;

/**
 * Turns pretenuring off unless node's own arguments set it, and answers whether V8 pretenures
 * from now on: as the last such argument says, else not.
 */
export const settlePretenuring = (execArgv: readonly string[] = process.execArgv, setFlags: (flags: string) => void = setFlagsFromString): boolean => {
  const given = execArgv.filter((arg) => GIVEN.test(arg)).at(-1);
  if (given !== undefined) return !given.startsWith('--no-');
  setFlags(NO_PRETENURING);
  return false;
};
