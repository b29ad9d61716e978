// inert: one function makes text a tenant controls safe to show. Properties over any text, then
// the core's own places a person reads: the condition message, rendered errors, quoted values.
import fc from 'fast-check';
import * as O from 'fp-ts/lib/Option.js';
import { planCondition } from '../src/condition';
import { apiError, renderError } from '../src/errors';
import { hasUnsafeCharacters, inert, inertDeep } from '../src/inert';
import { quoteValue } from '../src/quote';
import type { CAPTControlPlane } from '../src/objects';

/** Every character inert must escape, listed by hand from the Unicode tables (not from the code). */
const UNSAFE: readonly number[] = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
];
const unsafeSet = new Set(UNSAFE);
const isUnsafe = (character: string): boolean => unsafeSet.has(character.codePointAt(0)!);

/** Text that leans on the characters that matter: unsafe ones, backslashes, letters, any code point. */
const text = fc.string({
  unit: fc.oneof(fc.constantFrom(...UNSAFE.map((code) => String.fromCharCode(code))), fc.constantFrom('\\', 'x', 'n', 'u', '{', '"'), fc.integer({ min: 0, max: 0x10ffff }).filter((code) => code < 0xd800 || code > 0xdfff).map((code) => String.fromCodePoint(code))),
  maxLength: 80,
});

/** Reads the escapes back: `\n`, `\r`, `\t`, `\xHH`, `\uHHHH`. */
const unescape = (shown: string): string =>
  shown.replace(/\\(n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})/g, (_, code: string) =>
    code === 'n' ? '\n' : code === 'r' ? '\r' : code === 't' ? '\t' : String.fromCharCode(parseInt(code.slice(1), 16)),
  );

describe('inert', () => {
  it('leaves no control, bidirectional or separator character in any text', () => {
    fc.assert(fc.property(text, (value) => ![...inert(value)].some(isUnsafe)));
  });

  it('is idempotent: a layer that applies it again changes nothing', () => {
    fc.assert(fc.property(text, (value) => inert(inert(value)) === inert(value)));
  });

  it('returns text without such characters as it is, and says whether there are any', () => {
    fc.assert(fc.property(text, (value) => hasUnsafeCharacters(value) === [...value].some(isUnsafe)));
    fc.assert(fc.property(text.filter((value) => ![...value].some(isUnsafe)), (value) => inert(value) === value));
  });

  it('loses nothing: without backslashes in the input, the escapes read back to the input', () => {
    fc.assert(fc.property(text.filter((value) => !value.includes('\\')), (value) => unescape(inert(value)) === value));
  });

  it('escapes each of the characters it must, visibly', () => {
    for (const code of UNSAFE) expect(inert(String.fromCharCode(code))).toMatch(/^\\(n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})$/);
    expect(inert('a\n{"level":"info"}\u001b[2J\u009b31m\u202ecba')).toBe('a\\n{"level":"info"}\\x1b[2J\\x9b31m\\u202ecba');
  });
});

describe('inertDeep', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  /** Every string and key in a JSON-like value. */
  const stringsOf = (value: unknown): string[] =>
    typeof value === 'string'
      ? [value]
      : typeof value === 'object' && value !== null
        ? Object.entries(value).flatMap(([key, child]) => [...(Array.isArray(value) ? [] : [key]), ...stringsOf(child)])
        : [];
  const withUnsafe = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(text, tie('value'), { maxKeys: 3 })),
  })).value;

  it('leaves no unsafe character in any string or key, and keeps everything else', () => {
    fc.assert(
      fc.property(withUnsafe, (value) => stringsOf(inertDeep(value)).every((s) => ![...s].some(isUnsafe))),
    );
    fc.assert(fc.property(json, (value) => JSON.stringify(inertDeep(value)) === JSON.stringify(value)));
  });

  it('copies a value that contains itself without looping', () => {
    const looped: Record<string, unknown> = { name: 'a\nb' };
    looped['self'] = looped;
    const copy = inertDeep(looped);
    expect(copy['name']).toBe('a\\nb');
    expect(copy['self']).toBe(copy);
  });
});

describe('where the core shows text', () => {
  const controlPlane: CAPTControlPlane = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', metadata: { name: 'cp', namespace: 'a', generation: 1 } };
  const forged = 'wta\n{"level":"error","msg":"forged"}\r\u001b]0;owned\u0007\u009b2J\u202egnp.exe\u2066';

  it('the condition message holds no raw control or bidirectional character', () => {
    const update = planCondition(controlPlane, { type: 'EndpointReady', status: 'False', reason: 'InvalidName', message: forged }, new Date(0));
    expect(hasUnsafeCharacters(update.condition.message ?? '')).toBe(false);
    expect(update.condition.message).toContain('wta\\n{"level":"error","msg":"forged"}');
    expect(O.isSome(update.patch)).toBe(true);
  });

  it('a rendered error is one inert line, whatever the server said', () => {
    const rendered = renderError(apiError('Forbidden', forged, { code: 403 }));
    expect(rendered.split('\n')).toHaveLength(1);
    expect(hasUnsafeCharacters(rendered)).toBe(false);
  });

  it('a quoted value holds no raw DEL, C1 or bidirectional character (JSON quoting escapes only C0)', () => {
    fc.assert(fc.property(text, (value) => !hasUnsafeCharacters(quoteValue(value))));
    expect(quoteValue('cp\u202egnp')).toBe('"cp\\u202egnp"');
  });
});
