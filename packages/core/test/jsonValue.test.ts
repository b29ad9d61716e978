import fc from 'fast-check';
import { MAX_SHARING_DEPTH, copyJsonValue, freezeJsonValue, omitKey, reuseUnchanged } from '../src/jsonValue';

/** Every object and array in a value, with the path to it. */
const containers = (value: unknown, path = '$'): Array<[string, object]> => {
  if (typeof value !== 'object' || value === null) return [];
  const inner = Object.entries(value).flatMap(([key, item]) => containers(item, `${path}.${key}`));
  return [[path, value], ...inner];
};

describe('copyJsonValue', () => {
  it('copies any JSON value to an equal value that shares no object or array with it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = copyJsonValue(value);
        expect(copy).toStrictEqual(value);
        const originals = new Set(containers(value).map(([, container]) => container));
        for (const [path, container] of containers(copy)) {
          if (originals.has(container)) throw new Error(`${path} is shared with the original`);
        }
      }),
    );
  });

  it('round-trips through JSON exactly as the original does', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => JSON.stringify(copyJsonValue(value)) === JSON.stringify(value)));
  });

  it('gives a mutable copy of a frozen value and leaves the original alone', () => {
    const labels: Record<string, string> = { a: '1' };
    const held = freezeJsonValue({ metadata: { labels }, items: [{ n: 1 }] });
    const mine = copyJsonValue(held);
    mine.metadata.labels['b'] = '2';
    mine.items[0]!.n = 2;
    mine.items.push({ n: 3 });
    expect(held).toEqual({ metadata: { labels: { a: '1' } }, items: [{ n: 1 }] });
    expect(Object.isFrozen(mine.metadata)).toBe(false);
  });

  it('keeps a __proto__ key from JSON.parse as data, without changing the copy’s prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "spec": {"__proto__": [1]}}') as Record<string, unknown>;
    const copy = copyJsonValue(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'spec']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(parsed));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('returns primitives as they are', () => {
    for (const value of ['text', 0, -1.5, true, false, null]) expect(copyJsonValue(value)).toBe(value);
  });

  it('copies own keys only, never an enumerable one inherited from the prototype', () => {
    const inherited = { spec: { replicas: 1 } };
    const value = Object.assign(Object.create(inherited) as Record<string, unknown>, { kind: 'Cluster' });
    expect(Object.keys(copyJsonValue(value))).toEqual(['kind']);
  });
});

describe('freezeJsonValue', () => {
  it('freezes every object and array in any JSON value, in place', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(freezeJsonValue(value)).toBe(value);
        for (const [path, container] of containers(value)) {
          if (!Object.isFrozen(container)) throw new Error(`${path} is not frozen`);
        }
      }),
    );
  });

  it('makes a change to a held value throw instead of happening', () => {
    const held = freezeJsonValue({ status: { conditions: [{ type: 'Ready' }] } });
    expect(() => {
      (held.status.conditions[0] as { type: string }).type = 'Other';
    }).toThrow(TypeError);
    expect(() => held.status.conditions.push({ type: 'More' })).toThrow(TypeError);
    expect(held.status.conditions).toEqual([{ type: 'Ready' }]);
  });

  it('freezes own members only, never an object inherited from the prototype', () => {
    const inherited = { spec: { replicas: 1 } };
    const value = Object.assign(Object.create(inherited) as Record<string, unknown>, { status: { phase: 'Ready' } });
    freezeJsonValue(value);
    expect(Object.isFrozen(value['status'])).toBe(true);
    expect(Object.isFrozen(inherited.spec)).toBe(false);
  });

  it('freezes the children of a value whose top level is already frozen', () => {
    const value = Object.freeze({ spec: { a: 1 } });
    freezeJsonValue(value);
    expect(Object.isFrozen(value.spec)).toBe(true);
  });
});

describe('reuseUnchanged', () => {
  /** Two values that share some of their parts: `previous`, and `next` made from edits of it. */
  const versions = fc
    .tuple(fc.jsonValue(), fc.jsonValue(), fc.array(fc.tuple(fc.nat(), fc.jsonValue()), { maxLength: 3 }))
    .map(([base, other, edits]) => {
      const previous = { base, other, items: [base, other] } as Record<string, unknown>;
      const next = copyJsonValue(previous);
      for (const [at, value] of edits) {
        const key = ['base', 'other', 'added'][at % 3]!;
        next[key] = value;
      }
      return { previous, next };
    });

  it('leaves next equal to what it was, and previous as it was', () => {
    fc.assert(
      fc.property(versions, ({ previous, next }) => {
        const nextBefore = JSON.stringify(next);
        const previousBefore = JSON.stringify(previous);
        expect(reuseUnchanged(next, freezeJsonValue(previous))).toBe(next);
        expect(JSON.stringify(next)).toBe(nextBefore);
        expect(JSON.stringify(previous)).toBe(previousBefore);
      }),
    );
  });

  it('takes previous’s part wherever the same part of next equals it', () => {
    fc.assert(
      fc.property(versions, ({ previous, next }) => {
        const unchanged = Object.keys(next).filter(
          (key) => key in previous && typeof next[key] === 'object' && next[key] !== null && JSON.stringify(next[key]) === JSON.stringify(previous[key]),
        );
        reuseUnchanged(next, previous);
        for (const key of unchanged) expect(next[key]).toBe(previous[key]);
      }),
    );
  });

  it('shares the unchanged parts of a Kubernetes object’s next version, and only those', () => {
    const held = freezeJsonValue({
      metadata: { name: 'cp', resourceVersion: '1', labels: { team: 'a' }, ownerReferences: [{ kind: 'Cluster', name: 'c' }] },
      spec: { version: '1.31', addons: [{ name: 'coredns' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    const next = copyJsonValue(held) as typeof held & { status: { conditions: Array<{ type: string; status: string }> } };
    (next.metadata as { resourceVersion: string }).resourceVersion = '2';
    next.status.conditions.push({ type: 'EndpointReady', status: 'True' });
    reuseUnchanged(next, held);
    expect(next.spec).toBe(held.spec);
    expect(next.metadata.labels).toBe(held.metadata.labels);
    expect(next.metadata.ownerReferences).toBe(held.metadata.ownerReferences);
    expect(next.status.conditions[0]).toBe(held.status.conditions[0]);
    expect(next.metadata).not.toBe(held.metadata);
    expect(next.status.conditions).not.toBe(held.status.conditions);
    expect(next.metadata.resourceVersion).toBe('2');
    expect(next.status.conditions).toHaveLength(2);
  });

  it('never takes an array for an object or an object for an array', () => {
    const next = { a: { 0: 'x' }, b: ['x'] } as Record<string, unknown>;
    const previous = { a: ['x'], b: { 0: 'x' } };
    reuseUnchanged(next, previous);
    expect(Array.isArray(next['a'])).toBe(false);
    expect(Array.isArray(next['b'])).toBe(true);
  });
});

describe('omitKey', () => {
  it('copies every other key, in order, and leaves the original alone', () => {
    const metadata = { name: 'cp', managedFields: [{ manager: 'kubectl' }], labels: { a: '1' }, uid: 'u' };
    const trimmed = omitKey(metadata, 'managedFields');
    expect(Object.keys(trimmed)).toEqual(['name', 'labels', 'uid']);
    expect(trimmed.labels).toBe(metadata.labels);
    expect(metadata.managedFields).toHaveLength(1);
  });

  it('keeps a __proto__ key from JSON.parse as data', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "managedFields": [], "name": "cp"}') as Record<string, unknown>;
    const trimmed = omitKey(parsed, 'managedFields');
    expect(Object.getPrototypeOf(trimmed)).toBe(Object.prototype);
    expect(JSON.stringify(trimmed)).toBe('{"__proto__":{"polluted":true},"name":"cp"}');
  });
});

describe('deep values', () => {
  // The API server accepts custom resources nested up to 10,000 levels; recursion over one would
  // overflow the call stack. Built with JSON.parse, which does not recurse either.
  const DEPTH = 20_000;
  const deep = (): { a: unknown } => JSON.parse(`${'{"a":'.repeat(DEPTH)}"leaf"${'}'.repeat(DEPTH)}`) as { a: unknown };

  /** Follows `a` down to the bottom, handing each level to `visit`; returns the leaf. */
  const walk = (value: unknown, visit: (level: object, depth: number) => void): unknown => {
    let at = value;
    for (let depth = 0; typeof at === 'object' && at !== null; depth++) {
      visit(at, depth);
      at = (at as { a: unknown }).a;
    }
    return at;
  };

  it('copyJsonValue copies every level of a value 20,000 deep', () => {
    const original = deep();
    const levels: object[] = [];
    walk(original, (level) => levels.push(level));
    const copy = copyJsonValue(original);
    let shared = 0;
    const leaf = walk(copy, (level, depth) => {
      if (level === levels[depth]) shared++;
    });
    expect(leaf).toBe('leaf');
    expect(shared).toBe(0);
  });

  it('freezeJsonValue freezes every level of a value 20,000 deep', () => {
    let unfrozen = 0;
    walk(freezeJsonValue(deep()), (level) => {
      if (!Object.isFrozen(level)) unfrozen++;
    });
    expect(unfrozen).toBe(0);
  });

  it('reuseUnchanged shares down to MAX_SHARING_DEPTH and leaves deeper levels as they are', () => {
    const previous = deep();
    const next = deep();
    expect(reuseUnchanged(next, previous)).toBe(next);
    const previousLevels: object[] = [];
    walk(previous, (level) => previousLevels.push(level));
    let shared = 0;
    expect(walk(next, (level, depth) => (shared += level === previousLevels[depth] ? 1 : 0))).toBe('leaf');
    expect(shared).toBe(0);
    // The same value at a shallow depth is shared.
    const holder = { spec: { nested: deep() }, status: { phase: 'x' } };
    const later = { spec: { nested: deep() }, status: { phase: 'x' } };
    reuseUnchanged(later, holder);
    expect(later.status).toBe(holder.status);
    expect(MAX_SHARING_DEPTH).toBeGreaterThanOrEqual(32);
  });
});
