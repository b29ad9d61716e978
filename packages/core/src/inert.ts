/**
 * Text a tenant controls, made inert before a person reads it. Names, references, field managers
 * and server messages reach condition messages, Events, the CLI's text output, log lines and
 * rendered errors; a raw newline there forges a line, an ESC sequence rewrites a terminal, a
 * bidirectional override makes `cp-a` read as something else. `inert` writes every such
 * character as a visible escape: the C0 controls and DEL (`\n`, `\r`, `\t`, `\x1b`, ...), the C1
 * controls (`\x9b` is a one-byte CSI to many terminals), the bidirectional embeddings, overrides,
 * isolates and marks, and the line and paragraph separators.
 *
 * Idempotent (what it returns holds none of them, and text without them is returned as it is),
 * so every layer that shows text may apply it without double escaping. Total: never throws.
 */

// C0 and DEL, C1, ALM, LRM/RLM, LS/PS, LRE..RLO, LRI..PDI.
const UNSAFE_CLASS = '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]';
const UNSAFE = new RegExp(UNSAFE_CLASS, 'g');
const ANY_UNSAFE = new RegExp(UNSAFE_CLASS);

const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeOf = (character: string): string => {
  const known = named[character];
  if (known !== undefined) return known;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Whether `text` holds a character `inert` would escape. */
export const hasUnsafeCharacters = (text: string): boolean => ANY_UNSAFE.test(text);

/**
 * @example
 * ```ts
 * import { inert } from '@capt-endpoint/core/adapter';
 *
 * inert('cp-a\n{"level":"info","msg":"forged"}'); // 'cp-a\\n{"level":"info","msg":"forged"}'
 * inert('\u001b[2Jgone'); // '\\x1b[2Jgone'
 * inert('plain text'); // 'plain text', the very string
 * ```
 */
export const inert = (text: string): string => (hasUnsafeCharacters(text) ? text.replace(UNSAFE, escapeOf) : text);

/**
 * A copy of a JSON-like value with every string made inert, keys included; other values as they
 * are. For a report about to be shown as text. Walks an explicit stack, and an object met again
 * is its copy again, so neither depth nor a cycle can make it fail.
 * @example
 * ```ts
 * import { inertDeep } from '@capt-endpoint/core/adapter';
 *
 * inertDeep({ checks: ['ws\nforged'], port: 443 }); // { checks: ['ws\\nforged'], port: 443 }
 * ```
 */
export const inertDeep = <A>(value: A): A => {
  if (typeof value === 'string') return inert(value) as A;
  if (typeof value !== 'object' || value === null) return value;
  const copies = new Map<object, Record<string, unknown>>();
  const copyOf = (source: object): Record<string, unknown> => {
    const known = copies.get(source);
    if (known !== undefined) return known;
    const copy = (Array.isArray(source) ? [] : {}) as Record<string, unknown>;
    copies.set(source, copy);
    pending.push(source);
    return copy;
  };
  const pending: object[] = [];
  const root = copyOf(value);
  for (let source = pending.pop(); source !== undefined; source = pending.pop()) {
    const target = copies.get(source)!;
    for (const [key, child] of Object.entries(source) as Array<[string, unknown]>) {
      const copied: unknown = typeof child === 'string' ? inert(child) : typeof child === 'object' && child !== null ? copyOf(child) : child;
      target[Array.isArray(source) ? key : inert(key)] = copied;
    }
  }
  return root as A;
};
