import fc from 'fast-check';
import { createStringPool, internStrings } from '../src/stringPool';

describe('createStringPool and internStrings', () => {
  // A string is a primitive: JavaScript cannot tell two equal strings apart, so these tests
  // watch what the pool holds (size) rather than string identity. The bench measures the memory.

  it('holds one string per value and place, however often it is asked', () => {
    const pool = createStringPool();
    for (let i = 0; i < 5; i++) expect(pool.intern('metadata', 'namespace', `team-${'a'}`)).toBe('team-a');
    pool.intern('spec', 'namespace', 'team-a');
    expect(pool.size()).toEqual({ places: 2, values: 2 });
  });

  it('gives up a place whose values keep differing, drops what it held there, and keeps other places', () => {
    const pool = createStringPool({ maxValuesPerPlace: 3 });
    pool.intern('', 'kind', 'Secret');
    for (let i = 0; i < 3; i++) pool.intern('metadata', 'uid', `uid-${i}`);
    expect(pool.size()).toEqual({ places: 2, values: 4 });
    expect(pool.intern('metadata', 'uid', 'uid-3')).toBe('uid-3');
    expect(pool.size()).toEqual({ places: 1, values: 1 });
    pool.intern('metadata', 'uid', 'uid-0');
    expect(pool.size()).toEqual({ places: 1, values: 1 });
  });

  it('never pools a string longer than maxLength', () => {
    const pool = createStringPool({ maxLength: 8 });
    expect(pool.intern('data', 'ca.crt', 'x'.repeat(9))).toBe('x'.repeat(9));
    pool.intern('data', 'short', 'x'.repeat(8));
    expect(pool.size()).toEqual({ places: 1, values: 1 });
  });

  it('leaves any JSON value equal to what it was', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const before = JSON.stringify(value);
        const pool = createStringPool({ maxValuesPerPlace: 2 });
        expect(internStrings(value, pool)).toBe(value);
        expect(JSON.stringify(value)).toBe(before);
      }),
    );
  });

  it('pools every string of an object by its place: a second equal object adds nothing', () => {
    const pool = createStringPool();
    const object = () =>
      JSON.parse('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a","finalizers":["keep","x"],"ownerReferences":[{"kind":"Workspace","name":"ws"}]}}') as unknown;
    internStrings(object(), pool);
    // apiVersion, kind, metadata.name, the two finalizers, the owner's kind and name.
    expect(pool.size()).toEqual({ places: 6, values: 7 });
    internStrings(object(), pool);
    expect(pool.size()).toEqual({ places: 6, values: 7 });
  });
});

describe('createStringPool, bounded by places', () => {
  it('pools at no new place past maxPlaces, given-up places included, and keeps pooling at known ones', () => {
    const pool = createStringPool({ maxPlaces: 2, maxValuesPerPlace: 1 });
    pool.intern('', 'kind', 'Secret');
    pool.intern('metadata', 'uid', 'a');
    pool.intern('metadata', 'uid', 'b'); // given up, still counted
    pool.intern('annotations', 'generated-key-1', 'x');
    expect(pool.size()).toEqual({ places: 1, values: 1 });
    pool.intern('', 'kind', 'Secret');
    expect(pool.size()).toEqual({ places: 1, values: 1 });
  });
});

describe('internStrings on deep values', () => {
  it('pools the strings of a value 20,000 deep without overflowing the stack', () => {
    const DEPTH = 20_000;
    const value = JSON.parse(`${'{"kind":"Deep","a":'.repeat(DEPTH)}"leaf"${'}'.repeat(DEPTH)}`) as unknown;
    const pool = createStringPool();
    expect(internStrings(value, pool)).toBe(value);
    // One place per parent key: the top level, and `a` for every level below it.
    expect(pool.size()).toEqual({ places: 3, values: 3 });
  });
});
