/**
 * JSON merge patch (RFC 7386), the only write format this library uses. `applyMergePatch` is
 * what the API server does with one; the fake cluster and the property tests use it, and
 * callers can use it to preview a plan.
 */

import { isRecord, setOwn } from './jsonObject';
import { copyJsonValue } from './jsonValue';

type Json = unknown;
type JsonObject = Record<string, Json>;

const ownField = (object: JsonObject, key: string): Json => (Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined);

/**
 * Returns a new value: `target` with `patch` applied. Neither argument is modified. A loop over
 * a work list, not recursion: a patch nested thousands deep (the API server takes 10,000
 * levels) cannot overflow the call stack.
 * @example
 * ```ts
 * import { applyMergePatch } from '@capt-endpoint/core/json';
 *
 * applyMergePatch({ spec: { a: 1, b: 2 }, list: [1, 2] }, { spec: { b: null, c: 3 }, list: [3] });
 * // { spec: { a: 1, c: 3 }, list: [3] }
 * ```
 */
export const applyMergePatch = (target: Json, patch: Json): Json => {
  if (!isRecord(patch)) return copyJsonValue(patch);
  const result: JsonObject = isRecord(target) ? { ...target } : {};
  // Each pair is an object of the result, already holding its target's fields, and the part of the patch for it.
  const pending: Array<readonly [JsonObject, JsonObject]> = [[result, patch]];
  while (pending.length > 0) {
    const [into, part] = pending.pop()!;
    for (const key of Object.keys(part)) {
      const value = part[key];
      if (value === null) delete into[key];
      else if (isRecord(value)) {
        const was = ownField(into, key);
        const merged: JsonObject = isRecord(was) ? { ...was } : {};
        // setOwn: a `__proto__` key from JSON.parse is data, not a prototype.
        setOwn(into, key, merged);
        pending.push([merged, value]);
      } else setOwn(into, key, copyJsonValue(value));
    }
  }
  return result;
};
