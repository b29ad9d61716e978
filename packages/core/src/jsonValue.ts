/**
 * Copying and freezing JSON values: what a cache of Kubernetes objects needs to hand out an
 * object without letting a caller change the one it holds (ADR 0081).
 *
 * `copyJsonValue` is a deep copy for JSON data only (objects, arrays, strings, numbers,
 * booleans, null). Strings are immutable, so they are shared, not copied. On parsed Kubernetes
 * objects it is about twice as fast as `JSON.parse` of their text and several times faster than
 * `structuredClone`, which also handles Maps, Dates, cycles and the rest that JSON cannot hold.
 */

type JsonObject = { [key: string]: unknown };

const isObject = (value: unknown): value is JsonObject | unknown[] => typeof value === 'object' && value !== null;

/**
 * A deep copy of a JSON value that shares nothing mutable with it: every object and array is
 * new (and not frozen, even if the original was). A `__proto__` key, which `JSON.parse` makes
 * an ordinary property, stays an ordinary property. Values JSON cannot hold (functions, Maps,
 * class instances, cycles) are outside its contract.
 * @example
 * ```ts
 * import { copyJsonValue, freezeJsonValue } from '@capt-endpoint/core';
 *
 * const held = freezeJsonValue({ spec: { replicas: 1 } });
 * const mine = copyJsonValue(held);
 * mine.spec.replicas = 2; // held.spec.replicas is still 1
 * ```
 */
export const copyJsonValue = <A>(value: A): A => {
  if (!isObject(value)) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = copyJsonValue(value[i]);
    return copy as A;
  }
  const copy: JsonObject = {};
  for (const key of Object.keys(value)) {
    const item = copyJsonValue((value as JsonObject)[key]);
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy as A;
};

/** The values `freezeJsonValue` froze, at the top of each call: nothing in them can ever change. */
const frozenByUs = new WeakSet<object>();

const freezeDeep = (value: unknown): void => {
  if (!isObject(value)) return;
  Object.freeze(value);
  if (Array.isArray(value)) for (const item of value) freezeDeep(item);
  else for (const key of Object.keys(value)) freezeDeep(value[key]);
};

/**
 * Freezes a JSON value and everything in it, in place, and returns it: any later attempt to
 * change it throws a TypeError (in strict mode, which every ES module is). Use it only on a
 * value nobody else holds a reference into.
 * @example
 * ```ts
 * import { freezeJsonValue } from '@capt-endpoint/core';
 *
 * const held = freezeJsonValue({ spec: { replicas: 1 } });
 * Object.isFrozen(held.spec); // true
 * ```
 */
export const freezeJsonValue = <A>(value: A): A => {
  if (!isObject(value)) return value;
  freezeDeep(value);
  frozenByUs.add(value);
  return value;
};

/**
 * Whether `value` was frozen whole by `freezeJsonValue`, so that nothing in it can change and
 * anything computed from it alone stays true (`decodeObject` remembers its answers for such
 * values). `Object.isFrozen` cannot say this: it looks at the top level only.
 * @example
 * ```ts
 * import { freezeJsonValue, isFrozenJsonValue } from '@capt-endpoint/core';
 *
 * isFrozenJsonValue(freezeJsonValue({ spec: {} })); // true
 * isFrozenJsonValue(Object.freeze({ spec: {} })); // false: its spec can still change
 * ```
 */
export const isFrozenJsonValue = (value: unknown): boolean => isObject(value) && frozenByUs.has(value);
