/**
 * Copying and freezing JSON values: what a cache of Kubernetes objects needs to hand out an
 * object without letting a caller change the one it holds (ADR 0070).
 *
 * `copyJsonValue` is a deep copy for JSON data only (objects, arrays, strings, numbers,
 * booleans, null). Strings are immutable, so they are shared, not copied. It does less than
 * `structuredClone`, which also handles Maps, Dates, cycles and the rest that JSON cannot hold,
 * and so costs less (docs/benchmarks.md).
 */

import { isObject, setOwn, type JsonObject } from './jsonObject';

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/**
 * A deep copy of a JSON value that shares nothing mutable with it: every object and array is
 * new (and not frozen, even if the original was). A `__proto__` key, which `JSON.parse` makes
 * an ordinary property, stays an ordinary property. Values JSON cannot hold (functions, Maps,
 * class instances, cycles) are outside its contract.
 * @example
 * ```ts
 * import { copyJsonValue, freezeJsonValue } from '@capt-endpoint/core/json';
 *
 * const held = freezeJsonValue({ spec: { replicas: 1 } });
 * const mine = copyJsonValue(held);
 * mine.spec.replicas = 2; // held.spec.replicas is still 1
 * ```
 */
export const copyJsonValue = <A>(value: A): A => {
  if (!isObject(value)) return value;
  // A loop over explicit stacks, not recursion: an object nested thousands deep (the API server
  // accepts up to 10,000 levels in a custom resource) must not overflow the call stack.
  const root: JsonObject | unknown[] = Array.isArray(value) ? [] : {};
  const sources: Array<JsonObject | unknown[]> = [value];
  const targets: Array<JsonObject | unknown[]> = [root];
  while (sources.length > 0) {
    const source = sources.pop()!;
    const target = targets.pop()!;
    if (Array.isArray(source)) {
      const copy = target as unknown[];
      for (let i = 0; i < source.length; i++) copy.push(childCopy(source[i], sources, targets));
    } else {
      // for-in over own keys: V8 walks the shape's enumeration cache where Object.keys makes an
      // array per object.
      for (const key in source) if (hasOwn(source, key)) setOwn(target as JsonObject, key, childCopy(source[key], sources, targets));
    }
  }
  return root as A;
};

/** A primitive as it is; an object or array as a new empty one, queued to be filled. */
const childCopy = (item: unknown, sources: Array<JsonObject | unknown[]>, targets: Array<JsonObject | unknown[]>): unknown => {
  if (!isObject(item)) return item;
  const copy: JsonObject | unknown[] = Array.isArray(item) ? [] : {};
  sources.push(item);
  targets.push(copy);
  return copy;
};

/**
 * A shallow copy of a JSON object without one key. It is built by assignment, in the original's
 * key order: V8 gives an object made with a rest spread (`const { key, ...rest } = object`) a
 * shape that costs memory again once frozen (ADR 0070).
 * @example
 * ```ts
 * import { omitKey } from '@capt-endpoint/core/json';
 *
 * omitKey({ name: 'cp', managedFields: [], labels: {} }, 'managedFields'); // { name: 'cp', labels: {} }
 * ```
 */
export const omitKey = <A extends object, K extends string>(object: A, omitted: K): Omit<A, K> => {
  const copy: JsonObject = {};
  for (const key of Object.keys(object)) if (key !== omitted) setOwn(copy, key, (object as JsonObject)[key]);
  return copy as Omit<A, K>;
};

/** Freezes everything in `root`, with a loop over a stack (no recursion, so any depth); only objects and arrays are stacked. */
const freezeDeep = (root: JsonObject | unknown[]): void => {
  const pending: Array<JsonObject | unknown[]> = [root];
  while (pending.length > 0) {
    const value = pending.pop()!;
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (isObject(item)) pending.push(item);
      }
    } else
      for (const key in value)
        if (hasOwn(value, key)) {
          const item = value[key];
          if (isObject(item)) pending.push(item);
        }
  }
};

/**
 * Freezes a JSON value and everything in it, in place, and returns it: any later attempt to
 * change it throws a TypeError (in strict mode, which every ES module is). Use it only on a
 * value nobody else holds a reference into.
 * @example
 * ```ts
 * import { freezeJsonValue } from '@capt-endpoint/core/json';
 *
 * const held = freezeJsonValue({ spec: { replicas: 1 } });
 * Object.isFrozen(held.spec); // true
 * ```
 */
export const freezeJsonValue = <A>(value: A): A => {
  if (!isObject(value)) return value;
  freezeDeep(value);
  return value;
};

/**
 * Structural sharing: puts into `next`, in place, every part that equals the same part of
 * `previous` (the same key of an object, the same index of an array), taking `previous`'s
 * object, array or string instead of `next`'s own. `next` must be yours alone. `previous` is
 * not changed. Returns `next`, which still equals what it was.
 *
 * A cache that replaces a held object with its next version keeps the unchanged parts it
 * already holds. The new version's duplicates then die young, where collecting them is cheap,
 * instead of the old version's parts piling up as old garbage (ADR 0070). Parts more than
 * `MAX_SHARING_DEPTH` levels down are left as they are, so any depth is safe.
 * @example
 * ```ts
 * import { reuseUnchanged } from '@capt-endpoint/core/json';
 *
 * const held = { spec: { a: 1 }, status: { phase: 'Pending' } };
 * const next = reuseUnchanged({ spec: { a: 1 }, status: { phase: 'Ready' } }, held);
 * next.spec === held.spec; // true
 * ```
 */
export const reuseUnchanged = <A>(next: A, previous: unknown): A => {
  sameAfterSharing(next, previous, 0);
  return next;
};

/** How deep `reuseUnchanged` looks: far below any real object's structure, far above the call stack's limit. */
export const MAX_SHARING_DEPTH = 64;

/** Shares what it can from `previous` into `next`; true when `next` equals `previous` whole (as far as it looked). */
const sameAfterSharing = (next: unknown, previous: unknown, depth: number): boolean => {
  if (next === previous) return true;
  if (!isObject(next) || !isObject(previous) || depth >= MAX_SHARING_DEPTH) return false;
  if (Array.isArray(next)) {
    if (!Array.isArray(previous)) return false;
    let same = next.length === previous.length;
    for (let i = 0; i < next.length; i++) {
      if (i < previous.length && sameAfterSharing(next[i], previous[i], depth + 1)) next[i] = previous[i];
      else same = false;
    }
    return same;
  }
  if (Array.isArray(previous)) return false;
  const keys = Object.keys(next);
  let same = keys.length === Object.keys(previous).length;
  for (const key of keys) {
    if (hasOwn(previous, key) && sameAfterSharing(next[key], previous[key], depth + 1)) next[key] = previous[key];
    else same = false;
  }
  return same;
};
