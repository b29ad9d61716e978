/**
 * How a value we refused is shown in a message (and from there in a condition, an Event, a log
 * line, `explain`): user information is replaced by `***` (`https://admin:PASSWORD@host` is
 * shown as `"https://***@host"`), and the rest is cut to a bounded length. Anyone who can read
 * the control plane reads its conditions and Events; a credential in a wrong output must not
 * reach them. Quoted as JSON, then made inert (`inert`), so no control or bidirectional
 * character of the value reaches a reader raw.
 *
 * Total: any input gives a string, and it never throws.
 */
import { inert } from './inert';

/** Longer values are cut: enough to recognise, not a wall of text. */
export const MAX_QUOTED = 200;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * `text` with everything between its scheme (if any) and its last `@` replaced by `***`. The
 * last `@` anywhere, not only in the authority: a password may hold `/`, `?` or `#`, which would
 * end the authority early, and a value we refuse has no path worth keeping.
 */
export const redactUserinfo = (text: string): string => {
  const at = text.lastIndexOf('@');
  if (at === -1) return text;
  const scheme = SCHEME.exec(text)?.[0] ?? '';
  return `${scheme}***${text.slice(at)}`;
};

const textOf = (value: unknown): string => {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return `a ${typeof value}`;
  }
};

/**
 * @example
 * ```ts
 * import { quoteValue } from '@capt-endpoint/core/adapter';
 *
 * quoteValue('https://admin:PASSWORD@api.example.com'); // '"https://***@api.example.com"'
 * quoteValue('x'.repeat(1000)).length; // 203: 200 characters, an ellipsis and the quotes
 * ```
 */
export const quoteValue = (value: unknown): string => {
  const text = redactUserinfo(textOf(value));
  return inert(JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text));
};
