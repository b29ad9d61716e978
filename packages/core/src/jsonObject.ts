/**
 * The primitives the JSON value modules share: what counts as an object or array, what counts
 * as a JSON object, and setting a property so that a `__proto__` key stays data.
 */

export type JsonObject = { [key: string]: unknown };

/**
 * A JSON object: not null, not an array.
 * @example
 * ```ts
 * import { isRecord } from '@capt-endpoint/core/json';
 *
 * isRecord({ kind: 'Status' }); // true
 * isRecord([1]); // false
 * ```
 */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isObject = (value: unknown): value is JsonObject | unknown[] => typeof value === 'object' && value !== null;

/** Sets an own property by assignment; a `__proto__` key is defined as data, not taken as the prototype. */
export const setOwn = (object: JsonObject, key: string, value: unknown): void => {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
};
