import { applyMergePatch } from '../src/mergePatch';

// The examples of RFC 7386, appendix A.
const rfcCases: Array<[unknown, unknown, unknown]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('applyMergePatch', () => {
  it.each(rfcCases)('RFC 7386 example: %j + %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('modifies neither argument', () => {
    const target = { spec: { a: 1, nested: { b: 2 } } };
    const patch = { spec: { nested: { b: null, c: 3 } } };
    const before = JSON.stringify([target, patch]);
    applyMergePatch(target, patch);
    expect(JSON.stringify([target, patch])).toBe(before);
  });

  it('treats a __proto__ key from JSON as data, never as the prototype', () => {
    const result = applyMergePatch({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(result)).toEqual(['a', '__proto__']);
  });
});

describe('applyMergePatch on values nested 10,000 deep', () => {
  // The API server takes request bodies nested up to 10,000 levels; recursion over one overflows
  // the call stack. Built with JSON.parse, which does not recurse.
  const DEPTH = 10_000;
  const objects = (depth: number, leaf: string): unknown => JSON.parse(`${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`);
  const arrays = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}"leaf"${']'.repeat(depth)}`);

  /** The value at the bottom of a chain of `a` keys, and how many levels it took. */
  const bottom = (value: unknown): { leaf: unknown; levels: number } => {
    let at = value;
    let levels = 0;
    for (; typeof at === 'object' && at !== null && !Array.isArray(at); levels++) at = (at as { a: unknown }).a;
    return { leaf: at, levels };
  };

  it('merges a patch as deep as the target at every level, leaving the target as it was', () => {
    const target = objects(DEPTH, '{"keep":1,"change":1}');
    const patch = objects(DEPTH, '{"change":2,"add":3}');
    let at = applyMergePatch(target, patch);
    for (let i = 0; i < DEPTH; i++) at = (at as { a: unknown }).a;
    expect(at).toEqual({ keep: 1, change: 2, add: 3 });
    let before = target;
    for (let i = 0; i < DEPTH; i++) before = (before as { a: unknown }).a;
    expect(before).toEqual({ keep: 1, change: 1 });
  });

  it('copies a deep array or object that replaces a field', () => {
    const replaced = applyMergePatch({ spec: 'old' }, { spec: arrays(DEPTH) }) as { spec: unknown };
    let at: unknown = replaced.spec;
    let levels = 0;
    for (; Array.isArray(at); levels++) at = at[0];
    expect([levels, at]).toEqual([DEPTH, 'leaf']);
    expect(bottom((applyMergePatch(undefined, { spec: objects(DEPTH, '"leaf"') }) as { spec: unknown }).spec)).toEqual({ leaf: 'leaf', levels: DEPTH });
  });
});
