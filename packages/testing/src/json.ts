/**
 * Plain JSON values: the store keeps objects as JSON, so every object that enters is
 * normalised (class instances, Dates and `undefined` fields become plain JSON, as `JSON.stringify`
 * would make them) and every object that leaves is a fresh copy nobody else holds.
 */
import { stringifyChunked } from '@discoveryjs/json-ext';
import { copyJsonValue, isRecord } from '@capt-endpoint/core/json';

type Container = Record<string, unknown> | unknown[];

/** Marks a member that JSON leaves out (`undefined`, a function, a symbol). */
const OMITTED = Symbol('omitted');

/** Marks, in `toJson`'s stack, a value whose members are all copied. */
const LEAVE = Symbol('leave');

const setMember = (target: Container, key: string, value: unknown): void => {
  if (Array.isArray(target)) target.push(value === OMITTED ? null : value);
  else if (value === OMITTED) return;
  else if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
};

/**
 * A JSON copy of `value`, built the way `JSON.stringify` then `JSON.parse` would build it
 * (`toJSON` is called, `undefined` fields and functions are dropped, non-finite numbers become
 * null), but in one pass over explicit stacks: an object nested thousands deep cannot overflow
 * the call stack, and no text is built. A value that contains itself throws a TypeError, as
 * `JSON.stringify` does.
 */
export const toJson = <A>(value: A): A => {
  const onPath = new Set<object>();
  // Two stacks in step, with no pair allocated per member: a source with the target to fill, or
  // a source with `LEAVE` once its members are done (it is then no longer on the path).
  const sources: object[] = [];
  const targets: Array<Container | typeof LEAVE> = [];
  const convert = (item: unknown, key: string): unknown => {
    let v = item;
    if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function')
      v = (v as { toJSON: (key: string) => unknown }).toJSON(key);
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return OMITTED;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'bigint') throw new TypeError('a BigInt is not a JSON value');
    if (typeof v !== 'object' || v === null) return v;
    if (v instanceof Number || v instanceof String || v instanceof Boolean) return v.valueOf();
    if (onPath.has(v)) throw new TypeError('a value that contains itself is not JSON');
    const target: Container = Array.isArray(v) ? [] : {};
    sources.push(v);
    targets.push(target);
    return target;
  };
  const root = convert(value, '');
  while (sources.length > 0) {
    const source = sources.pop()!;
    const target = targets.pop()!;
    if (target === LEAVE) {
      onPath.delete(source);
      continue;
    }
    onPath.add(source);
    sources.push(source);
    targets.push(LEAVE);
    if (Array.isArray(source))
      for (let i = 0; i < source.length; i++) {
        const key = String(i);
        setMember(target, key, convert(source[i], key));
      }
    else for (const key of Object.keys(source)) setMember(target, key, convert((source as Record<string, unknown>)[key], key));
  }
  return (root === OMITTED ? undefined : root) as A;
};

/**
 * Whether `value` is already what `toJson` would make of it: plain objects and arrays, strings,
 * finite numbers, booleans and null, no `undefined` member and no `toJSON`, at most
 * `MAX_JSON_DEPTH` levels deep (so a value that contains itself is not). Walks without copying.
 */
export const isPlainJson = (value: unknown): boolean => {
  const pending: unknown[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const item = pending.pop();
    const depth = depths.pop()!;
    if (item === null || typeof item === 'string' || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (Number.isFinite(item)) continue;
      return false;
    }
    if (typeof item !== 'object' || depth > MAX_JSON_DEPTH) return false;
    const prototype: unknown = Object.getPrototypeOf(item);
    if (Array.isArray(item)) {
      if (prototype !== Array.prototype) return false;
      for (let i = 0; i < item.length; i++) {
        pending.push(item[i]);
        depths.push(depth + 1);
      }
      continue;
    }
    if ((prototype !== Object.prototype && prototype !== null) || typeof (item as { toJSON?: unknown }).toJSON === 'function') return false;
    for (const key of Object.keys(item)) {
      pending.push((item as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
  }
  return true;
};

/** A deep copy that keeps nothing mutable shared with `value` (the store holds JSON values only). */
export const copy = copyJsonValue;

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;
/** Whether `object` has `key` as its own property (an inherited one does not count). */
export const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Structural equality of two JSON values; object key order does not matter. Any depth: a loop over a stack of pairs. */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b)) return false;
  const pending: unknown[] = [a, b];
  while (pending.length > 0) {
    const y = pending.pop();
    const x = pending.pop();
    if (x === y) continue;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) pending.push(x[i], y[i]);
    } else if (isRecord(x) && isRecord(y)) {
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      for (const key of keys) {
        if (!hasOwn(y, key)) return false;
        pending.push(x[key], y[key]);
      }
    } else return false;
  }
  return true;
};

/**
 * The deepest nesting of objects and arrays the API server decodes in a request body, the body
 * itself counting as the first level: its JSON decoder refuses anything deeper, and the request
 * gets 400 BadRequest.
 */
export const MAX_JSON_DEPTH = 10_000;

/** Whether `value` nests objects and arrays deeper than `limit` levels (`value` itself is level 1); stops at the first level past it. */
export const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  const pending: Array<readonly [object, number]> = isContainer(value) ? [[value, 1]] : [];
  while (pending.length > 0) {
    const [at, depth] = pending.pop()!;
    if (depth > limit) return true;
    for (const child of Array.isArray(at) ? at : Object.values(at)) if (isContainer(child)) pending.push([child, depth + 1]);
  }
  return false;
};

/**
 * The JSON text of `value`, as `JSON.stringify` writes it, at any depth: `JSON.stringify`
 * recurses and gives up some thousands of levels down, where json-ext's serializer, a loop over
 * an explicit stack, takes over.
 */
export const jsonText = (value: unknown): string => {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    let text = '';
    for (const chunk of stringifyChunked(value)) text += chunk;
    return text;
  }
};

/** The start of `value`'s JSON text, at least `length` characters of it when there are that many; the rest is never written. */
export const jsonTextStart = (value: unknown, length: number): string => {
  const first = stringifyChunked(value, { highWaterMark: length }).next();
  return first.done === true ? 'null' : first.value;
};

export { isRecord };
