/**
 * JSON merge patch (RFC 7386), the only write format this library uses. `applyMergePatch` is
 * what the API server does with one; the fake cluster and the property tests use it, and
 * callers can use it to preview a plan.
 */

import { isRecord } from './jsonObject';

type Json = unknown;

/**
 * Returns a new value: `target` with `patch` applied. Neither argument is modified.
 * @example
 * ```ts
 * import { applyMergePatch } from '@capt-endpoint/core/json';
 *
 * applyMergePatch({ spec: { a: 1, b: 2 }, list: [1, 2] }, { spec: { b: null, c: 3 }, list: [3] });
 * // { spec: { a: 1, c: 3 }, list: [3] }
 * ```
 */
export const applyMergePatch = (target: Json, patch: Json): Json => {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    // defineProperty, not assignment: a `__proto__` key from JSON.parse is data, not a prototype.
    else Object.defineProperty(result, key, { value: applyMergePatch(result[key], value), enumerable: true, writable: true, configurable: true });
  }
  return result;
};
