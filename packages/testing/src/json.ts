/**
 * Plain JSON values: the store keeps objects as JSON, so every object that enters is
 * normalised (class instances, Dates and `undefined` fields become plain JSON, as `JSON.stringify`
 * would make them) and every object that leaves is a fresh copy nobody else holds.
 */
import { copyJsonValue, isRecord } from '@capt-endpoint/core/json';

type Container = Record<string, unknown> | unknown[];

/** Marks a member that JSON leaves out (`undefined`, a function, a symbol). */
const OMITTED = Symbol('omitted');

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
  const work: Array<{ readonly source: object; readonly target: Container } | { readonly leave: object }> = [];
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
    work.push({ source: v, target });
    return target;
  };
  const root = convert(value, '');
  while (work.length > 0) {
    const step = work.pop()!;
    if ('leave' in step) {
      onPath.delete(step.leave);
      continue;
    }
    const { source, target } = step;
    onPath.add(source);
    work.push({ leave: source });
    if (Array.isArray(source)) for (let i = 0; i < source.length; i++) setMember(target, String(i), convert(source[i], String(i)));
    else for (const key of Object.keys(source)) setMember(target, key, convert((source as Record<string, unknown>)[key], key));
  }
  return (root === OMITTED ? undefined : root) as A;
};

/** A deep copy that keeps nothing mutable shared with `value` (the store holds JSON values only). */
export const copy = copyJsonValue;

/** Structural equality of two JSON values; object key order does not matter. */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
};

export { isRecord };
