// The cached client's decode memo: what a codec decoded from an object the cache handed out
// deep-frozen is kept; anything else is checked every time.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { Cluster, Secret } from '@capt-endpoint/core';
import { decodeObject } from '@capt-endpoint/core/adapter';
import { freezeJsonValue } from '@capt-endpoint/core/json';
import { createDecodeMemo } from '../src/decodeMemo';
import { cluster } from '../../core/test/fixtures';

/** Cluster's codec, counting how often it really checks a value. */
const counting = () => {
  let checks = 0;
  const codec = new t.Type<Cluster, Cluster, unknown>(
    'CountingCluster',
    Cluster.is,
    (input, context) => {
      checks++;
      return Cluster.validate(input, context);
    },
    Cluster.encode,
  );
  return { codec, checks: () => checks };
};

/** An object frozen whole and handed out by the cache. */
const handedOut = (memo: ReturnType<typeof createDecodeMemo>, object: object) => {
  const held = freezeJsonValue(object);
  memo.vouchFor(held);
  return held;
};

describe('the cache decode memo', () => {
  it('checks an object the cache handed out once, and gives the same answer after', () => {
    const memo = createDecodeMemo();
    const { codec, checks } = counting();
    const held = handedOut(memo, cluster());
    const first = decodeObject(codec, 'Cluster team-a/demo', memo)(held);
    const second = decodeObject(codec, 'Cluster team-a/demo', memo)(held);
    expect(E.isRight(first)).toBe(true);
    expect(second).toEqual(first);
    expect(checks()).toBe(1);
  });

  it('checks again an object it did not vouch for, even frozen whole: it could differ', () => {
    const memo = createDecodeMemo();
    const { codec, checks } = counting();
    const shallow = Object.freeze(cluster());
    const frozenElsewhere = freezeJsonValue(cluster());
    for (const object of [shallow, shallow, frozenElsewhere, frozenElsewhere]) decodeObject(codec, 'Cluster team-a/demo', memo)(object);
    decodeObject(codec, 'Cluster team-a/demo', memo)(handedOut(memo, cluster()));
    decodeObject(codec, 'Cluster team-a/demo', memo)(handedOut(memo, cluster()));
    expect(checks()).toBe(6);
  });

  it('does not remember a failure: each call checks again and names the object as that caller did', () => {
    const memo = createDecodeMemo();
    const { codec, checks } = counting();
    const broken = handedOut(memo, { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' });
    const first = decodeObject(codec, 'Cluster a/x', memo)(broken);
    const second = decodeObject(codec, 'Cluster b/y', memo)(broken);
    expect(E.isLeft(first) && first.left.object).toBe('Cluster a/x');
    expect(E.isLeft(second) && second.left.object).toBe('Cluster b/y');
    expect(checks()).toBe(2);
  });

  it('keeps what one codec decided apart from another’s', () => {
    const memo = createDecodeMemo();
    const held = handedOut(memo, cluster());
    expect(E.isRight(decodeObject(Cluster, 'Cluster team-a/demo', memo)(held))).toBe(true);
    expect(E.isLeft(decodeObject(Secret, 'Secret team-a/demo', memo)(held))).toBe(true);
  });

  it('without a memo, decoding checks every time', () => {
    const { codec, checks } = counting();
    const held = freezeJsonValue(cluster());
    decodeObject(codec, 'Cluster team-a/demo')(held);
    decodeObject(codec, 'Cluster team-a/demo')(held);
    expect(checks()).toBe(2);
  });
});
