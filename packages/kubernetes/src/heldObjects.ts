/**
 * The objects an informer holds for one resource, and nothing else: no requests, no timers.
 * The list/watch loop (informer.ts) hands it what the server sent; it decides what to keep and
 * tells `onChange` what changed.
 *
 * Each object is held complete (apiVersion and kind filled in, `metadata.managedFields` dropped
 * unless asked for), its repeated strings pooled, its unchanged parts shared with the version it
 * replaces, and deep-frozen (ADR 0070). A read hands out a copy the caller owns or, `shared`, the
 * frozen object itself. An object older than the one held is ignored.
 */
import type { ChangeType, KubeObject } from '@capt-endpoint/core';
import type { ResourceInfo } from '@capt-endpoint/core/adapter';
import { copyJsonValue, freezeJsonValue, internStrings, omitKey, reuseUnchanged, type StringPool } from '@capt-endpoint/core/json';
import { apiVersionOf } from './resources';

export interface Versioned {
  readonly metadata: { readonly namespace?: string | undefined; readonly name?: string | undefined; readonly resourceVersion?: string | undefined };
}

/** An object as the store holds it: complete, deep-frozen, and referenced by nobody outside. */
export type Held = KubeObject;

export interface HeldObjectsOptions {
  readonly resource: ResourceInfo;
  /** Hold `metadata.managedFields` too (dropped by default). */
  readonly keepManagedFields?: boolean | undefined;
  /** Where repeated strings are pooled; none: not pooled (Secrets). */
  readonly strings?: StringPool | undefined;
  /** Told of each object added, modified or deleted. */
  readonly onChange: (type: ChangeType, object: Versioned) => void;
}

export interface HeldObjects {
  /** The object, when held: a fresh copy, or with `shared` the held object itself (deep-frozen). */
  get(namespace: string | undefined, name: string, shared?: boolean): KubeObject | undefined;
  /** Every object held, shared and deep-frozen. */
  list(): Held[];
  /** A reader of what is held under this name, whatever version that is when it is called. */
  heldAt(namespace: string | undefined, name: string): () => Held | undefined;
  /**
   * Holds an object from a list or a watch event, parsed for us alone (`owned`), so it is frozen
   * in place; or one our write returned, which its caller holds too, so it is copied first.
   */
  upsert(incoming: KubeObject, owned: boolean): void;
  remove(object: Versioned): void;
  /** A listed object as it would be held: the held one when it is at that version. */
  listed(incoming: KubeObject): Held;
  /**
   * Replaces what is held with a full list taken at `listVersion`: objects not in it go, unless
   * our own writes made them newer than the list.
   */
  replace(items: ReadonlyMap<string, Held>, listVersion: string | undefined): void;
}

export const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

const keyOfObject = (object: Versioned): string => keyOf(object.metadata.namespace, object.metadata.name ?? '');

/**
 * Whether `incoming` is older than `held`. resourceVersions are opaque strings to clients, but
 * every API server in use issues integers (etcd revisions); when either is not one, nothing is
 * treated as older, so the newest-arriving copy wins.
 */
export const isOlder = (incoming: Versioned, held: Versioned | undefined): boolean => {
  const a = incoming.metadata.resourceVersion;
  const b = held?.metadata.resourceVersion;
  if (a === undefined || b === undefined || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
};

export const createHeldObjects = (options: HeldObjectsOptions): HeldObjects => {
  const { resource, strings } = options;
  const apiVersion = apiVersionOf(resource);
  const store = new Map<string, Held>();

  /**
   * Lists and watches carry objects without apiVersion and kind (core-group lists omit them);
   * managedFields, often the largest part of an object, are read by nothing in a reconcile. It
   * changes `object`, which must be ours alone; the metadata is rebuilt by `omitKey`, not with a
   * rest spread or `delete`, whose objects cost memory again once frozen.
   */
  const complete = (object: KubeObject): KubeObject => {
    if (!options.keepManagedFields && object.metadata.managedFields !== undefined) object.metadata = omitKey(object.metadata, 'managedFields');
    object.apiVersion ??= apiVersion;
    object.kind ??= resource.kind;
    return object;
  };

  /** An object of ours as it will be held: complete, pooled, sharing what did not change, frozen. */
  const toHeld = (object: KubeObject, previous: Held | undefined): Held => {
    const completed = complete(object);
    return freezeJsonValue(reuseUnchanged(strings === undefined ? completed : internStrings(completed, strings), previous));
  };

  /** Holds `object` unless the store holds it at the same or a newer version; `hold` (given what it replaces) runs only then. */
  const put = (object: KubeObject, hold: (previous: Held | undefined) => Held): void => {
    const key = keyOfObject(object);
    const held = store.get(key);
    if (isOlder(object, held)) return;
    if (held !== undefined && held.metadata.resourceVersion === object.metadata.resourceVersion) return;
    store.set(key, hold(held));
    options.onChange(held === undefined ? 'added' : 'modified', object);
  };

  const remove = (object: Versioned): void => {
    const key = keyOfObject(object);
    const held = store.get(key);
    if (held === undefined || isOlder(object, held)) return;
    store.delete(key);
    options.onChange('deleted', held);
  };

  return {
    get: (namespace, name, shared = false) => {
      const held = store.get(keyOf(resource.namespaced ? namespace : undefined, name));
      return held === undefined || shared ? held : copyJsonValue(held);
    },
    list: () => [...store.values()],
    heldAt: (namespace, name) => {
      const key = keyOf(resource.namespaced ? namespace : undefined, name);
      return () => store.get(key);
    },
    upsert: (incoming, owned) => put(incoming, (previous) => toHeld(owned ? incoming : copyJsonValue(incoming), previous)),
    remove,
    listed: (incoming) => {
      const held = store.get(keyOfObject(incoming));
      return held !== undefined && held.metadata.resourceVersion === incoming.metadata.resourceVersion ? held : toHeld(incoming, held);
    },
    replace: (items, listVersion) => {
      const snapshot = { metadata: { resourceVersion: listVersion } };
      for (const [key, held] of store) if (!items.has(key) && !isOlder(snapshot, held)) remove(held);
      for (const item of items.values()) put(item, () => item);
    },
  };
};
