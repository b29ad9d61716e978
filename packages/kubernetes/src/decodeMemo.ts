/**
 * The cached client's memory of decoding the objects it hands out (ADR 0070). A `readOnly` read
 * gets the held object itself, deep-frozen, and the same one until the object changes, so what a
 * codec decoded from it stays true: a steady-state reconcile checks each object's shape once, not
 * on every pass. The memo keeps answers only for objects the cache vouched for (handed out
 * frozen whole); any other object is checked every time. Weak on both sides: an entry goes with
 * its codec or its object.
 */
import type { DecodeMemo } from '@capt-endpoint/core/adapter';
import type * as t from 'io-ts';

export interface CacheDecodeMemo extends DecodeMemo {
  /** The cache hands out `object`, deep-frozen: nothing in it can change any more. */
  readonly vouchFor: (object: object) => void;
}

export const createDecodeMemo = (): CacheDecodeMemo => {
  const frozen = new WeakSet<object>();
  const byCodec = new WeakMap<t.Mixed, WeakMap<object, unknown>>();
  const vouched = (input: unknown): input is object => typeof input === 'object' && input !== null && frozen.has(input);
  return {
    vouchFor: (object) => {
      frozen.add(object);
    },
    recall: (codec, input) => (vouched(input) ? byCodec.get(codec)?.get(input) : undefined),
    remember: (codec, input, decoded) => {
      if (!vouched(input)) return;
      const answers = byCodec.get(codec) ?? new WeakMap<object, unknown>();
      byCodec.set(codec, answers);
      answers.set(input, decoded);
    },
  };
};
