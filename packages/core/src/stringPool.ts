/**
 * String pooling for caches of parsed JSON (ADR 0070): strings that repeat across objects are
 * held once, in a pool bounded by the places they occur rather than by the number of objects.
 */
import { isObject, setOwn } from './jsonObject';

/**
 * A pool of strings for a cache of JSON objects: a value repeated across objects (an
 * apiVersion, a kind, a condition's reason, a template's name, a namespace) is held once instead
 * of once per object: parsed JSON gives every object its own copy of each string value
 * (docs/benchmarks.md has what that costs a cache).
 *
 * Values are pooled per place: the key they are under and the key of the object holding that
 * (`ownerReferences`' `kind`, `metadata`'s `namespace`; an array item counts as under the array's
 * key). A place that shows more than `maxValuesPerPlace` distinct values (a uid, a name, a
 * resourceVersion, a timestamp) is given up for good and its values are dropped from the pool,
 * so the pool never grows with the number of objects, only with the number of places; and past
 * `maxPlaces` places (objects whose keys are themselves unique), no new place is pooled.
 */
export interface StringPool {
  /** The pooled string equal to `value` at this place, pooling `value` if the place allows. */
  intern(parentKey: string, key: string, value: string): string;
  /** How many distinct places hold pooled values, and how many values in all (for tests and metrics). */
  size(): { readonly places: number; readonly values: number };
}

export interface StringPoolOptions {
  /** Distinct values a place may have before it is given up. Default 128. */
  readonly maxValuesPerPlace?: number | undefined;
  /** Longer strings are never pooled (a certificate, a kubeconfig: unique, and large). Default 256. */
  readonly maxLength?: number | undefined;
  /** Places the pool keeps track of, given-up ones included; strings at any further place are not pooled. Default 4096. */
  readonly maxPlaces?: number | undefined;
}

/**
 * A new, empty pool. One pool per cache: its memory is bounded by the places it has seen.
 * @example
 * ```ts
 * import { createStringPool } from '@capt-endpoint/core/json';
 *
 * const pool = createStringPool();
 * const a = pool.intern('metadata', 'namespace', 'team-a');
 * pool.intern('metadata', 'namespace', `team-${'a'}`) === a; // true: the same string object
 * ```
 */
export const createStringPool = (options: StringPoolOptions = {}): StringPool => {
  const maxValues = options.maxValuesPerPlace ?? 128;
  const maxLength = options.maxLength ?? 256;
  const maxPlaces = options.maxPlaces ?? 4096;
  // parentKey -> key -> value -> the pooled value; `null` marks a place given up.
  const places = new Map<string, Map<string, Map<string, string> | null>>();
  let placeCount = 0;
  return {
    intern: (parentKey, key, value) => {
      if (value.length > maxLength) return value;
      let byKey = places.get(parentKey);
      let values = byKey?.get(key);
      if (values === null) return value;
      if (byKey === undefined || values === undefined) {
        if (placeCount >= maxPlaces) return value;
        placeCount++;
        if (byKey === undefined) places.set(parentKey, (byKey = new Map<string, Map<string, string> | null>()));
        byKey.set(key, (values = new Map()));
      }
      const pooled = values.get(value);
      if (pooled !== undefined) return pooled;
      if (values.size >= maxValues) {
        byKey.set(key, null);
        return value;
      }
      values.set(value, value);
      return value;
    },
    size: () => {
      let live = 0;
      let valueCount = 0;
      for (const byKey of places.values())
        for (const values of byKey.values())
          if (values !== null) {
            live++;
            valueCount += values.size;
          }
      return { places: live, values: valueCount };
    },
  };
};

/**
 * Replaces, in place, every string in `value` (which must be yours alone, and not frozen) with
 * `pool`'s string for its place, and returns `value`. It still equals what it was.
 * @example
 * ```ts
 * import { createStringPool, internStrings } from '@capt-endpoint/core/json';
 *
 * const pool = createStringPool();
 * const a = internStrings({ apiVersion: 'v1', kind: 'Secret' }, pool);
 * const b = internStrings({ apiVersion: 'v1', kind: 'Secret' }, pool);
 * a.kind === b.kind; // true, and held once
 * ```
 */
export const internStrings = <A>(value: A, pool: StringPool): A => {
  // A loop over explicit stacks, not recursion, so that any depth is safe.
  const containers: unknown[] = [value];
  const parentKeys: string[] = [''];
  while (containers.length > 0) {
    const container = containers.pop();
    const parentKey = parentKeys.pop()!;
    if (!isObject(container)) continue;
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const item = container[i];
        if (typeof item === 'string') container[i] = pool.intern(parentKey, '[]', item);
        else if (isObject(item)) {
          containers.push(item);
          parentKeys.push(parentKey);
        }
      }
      continue;
    }
    for (const key of Object.keys(container)) {
      const item = container[key];
      if (typeof item === 'string') setOwn(container, key, pool.intern(parentKey, key, item));
      else if (isObject(item)) {
        containers.push(item);
        parentKeys.push(key);
      }
    }
  }
  return value;
};
