/**
 * The cached client's memory of steady reconciles. The cache hands out one frozen object per
 * object version (ADR 0081), so "every object this outcome was computed from is still the one
 * the cache holds" is a few identity checks: when they all hold, `reconcileEndpoint` returns the
 * outcome it remembered instead of walking the chain and planning again. One entry per control
 * plane, replaced by its next UpToDate outcome and dropped at its first miss, so an entry never
 * keeps an object version the cache has let go of for longer than one reconcile.
 */
import type { KubeObject, ObjectRead, ObjectRef, ReconcileOutcome, SteadyMemo } from '@capt-endpoint/core';

/** A read, with the reader of what the cache holds for its reference now. */
interface Held {
  readonly object: KubeObject;
  readonly now: () => KubeObject | undefined;
}

interface Entry {
  readonly options: object;
  readonly reads: readonly Held[];
  readonly outcome: ReconcileOutcome;
}

/** The same options: the same object, or objects with the same own fields holding the same values. */
export const sameOptions = (a: object, b: object): boolean => {
  if (a === b) return true;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let fields = 0;
  for (const key in left) {
    if (!Object.hasOwn(left, key)) continue;
    if (!Object.hasOwn(right, key) || left[key] !== right[key]) return false;
    fields++;
  }
  for (const key in right) if (Object.hasOwn(right, key)) fields--;
  return fields === 0;
};

/**
 * A steady memo over `reader`, which gives, for a reference the cache can answer for, a reader of
 * the frozen object it hands out for that reference at the time of reading (undefined when it
 * holds none). Readers are made when an outcome is remembered, so a recall builds no key.
 */
export const createSteadyMemo = (reader: (ref: ObjectRef) => (() => KubeObject | undefined) | undefined): SteadyMemo => {
  const byNamespace = new Map<string, Map<string, Entry>>();
  const stillHeld = (reads: readonly Held[]): boolean => {
    for (const read of reads) if (read.now() !== read.object) return false;
    return true;
  };
  const readersOf = (reads: readonly ObjectRead[]): Held[] | undefined => {
    const held: Held[] = [];
    for (const read of reads) {
      const now = reader(read.ref);
      if (now === undefined || now() !== read.object) return undefined;
      held.push({ object: read.object, now });
    }
    return held;
  };
  return {
    recall: (ref, options) => {
      const names = byNamespace.get(ref.namespace ?? '');
      const entry = names?.get(ref.name);
      if (entry === undefined) return undefined;
      if (sameOptions(entry.options, options) && stillHeld(entry.reads)) return entry.outcome;
      names!.delete(ref.name);
      return undefined;
    },
    remember: (ref, options, reads, outcome) => {
      const held = reads.length === 0 ? undefined : readersOf(reads);
      if (held === undefined) return;
      const namespace = ref.namespace ?? '';
      const names = byNamespace.get(namespace) ?? new Map<string, Entry>();
      byNamespace.set(namespace, names);
      names.set(ref.name, { options, reads: held, outcome });
    },
  };
};
