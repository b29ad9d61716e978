/**
 * Plain JSON values: the store keeps objects as JSON, so every object that enters is
 * normalised (class instances, Dates and `undefined` fields from client-node's loader become
 * plain JSON) and every object that leaves is a fresh copy nobody else holds.
 */
import { copyJsonValue } from '@capt-endpoint/core';

/** A JSON copy of `value`: drops `undefined` fields and functions, turns Dates into strings. */
export const toJson = <A>(value: A): A => JSON.parse(JSON.stringify(value)) as A;

/** A deep copy that keeps nothing mutable shared with `value` (the store holds JSON values only). */
export const copy = copyJsonValue;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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
