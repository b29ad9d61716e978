/**
 * The two primitives the JSON value modules share (not exported from the package): what counts
 * as an object or array, and setting a property so that a `__proto__` key stays data.
 */

export type JsonObject = { [key: string]: unknown };

export const isObject = (value: unknown): value is JsonObject | unknown[] => typeof value === 'object' && value !== null;

/** Sets an own property by assignment; a `__proto__` key is defined as data, not taken as the prototype. */
export const setOwn = (object: JsonObject, key: string, value: unknown): void => {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
};
