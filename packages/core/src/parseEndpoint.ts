/** The endpoint grammar (see `parseEndpoint`). */
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type { ApiEndpoint } from './apiEndpoint';
import { parseError, type EndpointParseError, type EndpointParseErrorTag } from './errors';
import { quoteValue } from './quote';

export interface ParseEndpointOptions {
  /** The port of a value that names none. 443 unless told otherwise. */
  readonly defaultPort?: number;
}

type Result<A> = E.Either<EndpointParseError, A>;

const HTTPS_PORT = 443;
const MAX_PORT = 65535;
const MAX_DNS_NAME = 253;

/** A scheme is only read before `://`; without it, `host:port` is host and port (RFC 3986 scheme syntax). */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
/** Whitespace, control and invisible format characters: the URL parser drops some of them silently. */
const UNSAFE_CHARACTER = /[\s\p{Cc}\p{Cf}]/u;
/** How the URL parser writes a host it read as IPv4. */
const SERIALISED_IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** Under a scheme the parser does not know, hosts and ports are kept as written. */
const AS_WRITTEN = 'capt-endpoint://';
const AS_HTTPS = 'https://';

const PROBLEM = {
  empty: 'the endpoint is empty',
  valueType: 'an endpoint must be a string or an object with a host and an optional port',
  characters: 'the endpoint contains whitespace or control characters',
  scheme: 'the only supported scheme is https',
  userinfo: 'user information (user:password@) is not allowed in an endpoint',
  queryOrFragment: 'a query (?) or fragment (#) is not allowed in an endpoint',
  path: 'a path is not allowed in an endpoint; only a single trailing slash is',
  noHost: 'the endpoint has no host',
  host: 'the host is neither a DNS name (labels of 1-63 letters, digits and hyphens, not starting or ending with a hyphen, 253 characters in all) nor an IP address',
  percentEncodedHost: 'the host is percent-encoded',
  ipv4Form: 'an IPv4 address must be written as four decimal numbers 0-255 without leading zeros',
  compatibilityForm: 'the host is written with Unicode compatibility characters (fullwidth or circled letters, the long s, the Kelvin sign, a non-ASCII dot) that stand for another name',
  objectHostNotBare: "the endpoint object's host must be a bare DNS name or IP address, without scheme, port, path or user information",
  objectShape: 'an endpoint object has a string host, an optional port and no other fields',
  objectUnreadable: 'the endpoint object could not be read',
  objectPortType: "the endpoint object's port must be a number or a numeric string",
  portEmpty: 'the port is empty',
  portNotDecimal: 'the port is not a decimal number',
  portLeadingZero: 'the port has a leading zero',
  portRange: 'the port is not a whole number from 1 to 65535',
  defaultPort: 'the defaultPort option is not a whole number from 1 to 65535',
} as const;

/** User information redacted, the rest cut short (see quote.ts). */
const quote = (text: string): string => quoteValue(text);

const fail = <A = never>(tag: EndpointParseErrorTag, problem: string, shown?: string): Result<A> =>
  E.left(parseError(tag, problem, shown === undefined ? undefined : quote(shown)));

const isPortNumber = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= MAX_PORT;

/** A port written as text: ASCII digits only, no sign, no leading zero, 1..65535. */
const portFromText = (text: string, shown: string): Result<number> =>
  text === ''
    ? fail('InvalidPort', PROBLEM.portEmpty, shown)
    : !/^[0-9]+$/.test(text)
      ? fail('InvalidPort', PROBLEM.portNotDecimal, shown)
      : /^0./.test(text)
        ? fail('InvalidPort', PROBLEM.portLeadingZero, shown)
        : isPortNumber(Number(text))
          ? E.right(Number(text))
          : fail('InvalidPort', PROBLEM.portRange, shown);

// ---------------------------------------------------------------------------------------------
// host[:port][/] after the scheme, the part the URL parser reads.

const parseUrl = (text: string): O.Option<URL> => O.tryCatch(() => new URL(text));

const hostnameOf = (url: O.Option<URL>): O.Option<string> => (O.isNone(url) ? url : O.some(url.value.hostname));

/**
 * The text after the authority's last colon, or `undefined` when it has none outside IPv6
 * brackets. Used only on text whose structure the parser has read (or refused), to see the
 * port as written: the parser reads `:08` as 8 and `h:` as no port.
 */
const writtenPortText = (authority: string): string | undefined => {
  const colon = authority.lastIndexOf(':');
  return colon > authority.lastIndexOf(']') ? authority.slice(colon + 1) : undefined;
};

/** The parser refused the text: blame a port that is not 1..65535, else the host. */
const refusal = (authority: string, shown: string): EndpointParseError => {
  const portText = writtenPortText(authority);
  const port = portText === undefined ? E.right(0) : portFromText(portText, shown);
  return E.isLeft(port) ? port.left : parseError('InvalidHost', PROBLEM.host, quote(shown));
};

type StructureRule = readonly [(written: URL, rest: string) => boolean, EndpointParseErrorTag, string];

/** In order: the parser's view first, so that `h/a@b` is a path; then what the parser hides. */
const structureRules: readonly StructureRule[] = [
  [(written) => written.hostname === '', 'InvalidHost', PROBLEM.noHost],
  [(written) => written.username !== '' || written.password !== '', 'UserinfoNotAllowed', PROBLEM.userinfo],
  [(written) => written.search !== '' || written.hash !== '', 'QueryOrFragmentNotAllowed', PROBLEM.queryOrFragment],
  [(written) => written.pathname !== '' && written.pathname !== '/', 'PathNotAllowed', PROBLEM.path],
  // An empty `@`, `?` or `#` leaves no trace in the parsed URL.
  [(_, rest) => rest.includes('@'), 'UserinfoNotAllowed', PROBLEM.userinfo],
  [(_, rest) => rest.includes('?') || rest.includes('#'), 'QueryOrFragmentNotAllowed', PROBLEM.queryOrFragment],
  // Dot segments (`/.`, `/..`, `/%2e`) resolve to `/` or nothing.
  [(_, rest) => !/^[^/]*\/?$/.test(rest), 'PathNotAllowed', PROBLEM.path],
  // `%68ost` decodes to `host`; a hostname in an output is never percent-encoded.
  [(_, rest) => rest.includes('%'), 'InvalidHost', PROBLEM.percentEncodedHost],
];

const checkStructure = (written: URL, rest: string, shown: string): Result<URL> => {
  for (const [broken, tag, problem] of structureRules) if (broken(written, rest)) return fail(tag, problem, shown);
  return E.right(written);
};

/** Dot-separated DNS labels: 1-63 lowercase letters, digits and hyphens, no hyphen first or last. */
const DNS_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const isDnsName = (name: string): boolean => name.length <= MAX_DNS_NAME && DNS_NAME.test(name);

/** Non-empty labels of ASCII letters, digits and hyphens. */
const PLAIN_DOMAIN = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/;
/** A last label the URL parser reads as an IPv4 number (decimal, or hexadecimal after 0x). */
const NUMERIC_LAST_LABEL = /(?:^|\.)(?:[0-9]+|0[xX][0-9A-Fa-f]*)$/;
/** A label the URL parser decodes as punycode. */
const PUNYCODE_LABEL = /(?:^|\.)[xX][nN]--/;

/**
 * A host the https parser would only lowercase: plain ASCII labels, not an IPv4 address, no
 * punycode. For these the host as written, lowercased, is the canonical host, and the second
 * URL parse is not needed (the property tests hold this against the parser).
 */
export const isPlainDomain = (host: string): boolean => PLAIN_DOMAIN.test(host) && !NUMERIC_LAST_LABEL.test(host) && !PUNYCODE_LABEL.test(host);

/**
 * The canonical host. `canonical` is the https parser's host, `written` the same host as
 * written: a host the parser read as IPv4 counts only when it was written that way already.
 */
const hostFrom = (canonical: string, written: string, shown: string): Result<string> =>
  canonical.startsWith('[')
    ? E.right(canonical.slice(1, -1))
    : SERIALISED_IPV4.test(canonical)
      ? written === canonical
        ? E.right(canonical)
        : fail('InvalidHost', PROBLEM.ipv4Form, shown)
      : isDnsName(canonical)
        ? E.right(canonical)
        : fail('InvalidHost', PROBLEM.host, shown);

const isAscii = (text: string): boolean => [...text].every((character) => character.charCodeAt(0) < 0x80);

/**
 * Whether a host written with non-ASCII characters comes out of IDNA as some other name than
 * the one written: IDNA maps compatibility characters (NFKC) to plain ones, so `ｌｏｃａｌｈｏｓｔ`,
 * `ⓛocalhost`, `ſ` and the Kelvin sign become `localhost`, `s` and `k`, and `。` a dot, and what
 * a person reads is not what is dialled. A name is taken only when it is NFKC-stable, keeps its
 * labels, its ASCII labels come out as written (lowercased) and its non-ASCII ones as `xn--`.
 */
const standsForAnotherName = (written: string, canonical: string): boolean => {
  if (isAscii(written)) return false;
  if (written.normalize('NFKC') !== written) return true;
  const writtenLabels = written.split('.');
  const labels = canonical.split('.');
  return (
    writtenLabels.length !== labels.length ||
    writtenLabels.some((label, index) => (isAscii(label) ? labels[index] !== label.toLowerCase() : !labels[index]?.startsWith('xn--')))
  );
};

interface Authority {
  readonly host: string;
  /** `undefined` when no port is written. */
  readonly port: number | undefined;
}

/**
 * A plain domain, an optional port of digits and an optional trailing slash, and nothing else.
 * Under `capt-endpoint:` the URL parser reads such a text as that host, as written, and that
 * port; it refuses it only for a port above 65535, which `portFromText` refuses the same way.
 */
const PLAIN_REST = /^([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(?::([0-9]*))?\/?$/;

/**
 * `rest` is what follows `https://`, or a bare value: host[:port] and at most a trailing slash.
 * Early returns instead of Either combinators: this runs on every reconcile, and fp-ts's
 * dual-arity `chain`/`bind` cost more here than both URL parses (see docs/benchmarks.md). A
 * plain domain (`PLAIN_REST`, `isPlainDomain`), the usual endpoint, is read without the URL
 * parser, with the same answer for every text (the property tests hold one against the other).
 */
export const parseAuthority = (rest: string, shown: string): Result<Authority> => {
  const plain = PLAIN_REST.exec(rest);
  const host = plain?.[1];
  // The host matched PLAIN_DOMAIN already: what is left of `isPlainDomain` is the last label and punycode.
  return host !== undefined && !NUMERIC_LAST_LABEL.test(host) && !PUNYCODE_LABEL.test(host)
    ? parsePlainAuthority(host, plain?.[2], shown)
    : parseAuthorityByUrl(rest, shown);
};

/**
 * What `parseAuthorityByUrl` gives for a `rest` of `PLAIN_REST` whose host is a plain domain;
 * `portText` is the text after its colon (what `writtenPortText` finds), undefined without one.
 */
const parsePlainAuthority = (writtenHost: string, portText: string | undefined, shown: string): Result<Authority> => {
  const port = portText === undefined ? E.right(undefined) : portFromText(portText, shown);
  if (E.isLeft(port)) return port;
  const host = hostFrom(writtenHost.toLowerCase(), writtenHost, shown);
  return E.isLeft(host) ? host : E.right({ host: host.right, port: port.right });
};

/** `parseAuthority` through the URL parser, for any text. */
export const parseAuthorityByUrl = (rest: string, shown: string): Result<Authority> => {
  const authority = rest.split(/[/?#]/, 1)[0] ?? '';
  const portText = writtenPortText(authority);
  const written = parseUrl(AS_WRITTEN + rest);
  if (O.isNone(written)) return E.left(refusal(authority, shown));
  const structure = checkStructure(written.value, rest, shown);
  if (E.isLeft(structure)) return structure;
  const port = portText === undefined ? E.right(undefined) : portFromText(portText, shown);
  if (E.isLeft(port)) return port;
  const writtenHost = structure.right.hostname;
  const canonical = isPlainDomain(writtenHost) ? O.some(writtenHost.toLowerCase()) : hostnameOf(parseUrl(AS_HTTPS + authority));
  if (O.isNone(canonical)) return E.left(parseError('InvalidHost', PROBLEM.host, quote(shown)));
  if (standsForAnotherName(portText === undefined ? authority : authority.slice(0, -portText.length - 1), canonical.value)) {
    return fail('InvalidHost', PROBLEM.compatibilityForm, shown);
  }
  const host = hostFrom(canonical.value, writtenHost, shown);
  return E.isLeft(host) ? host : E.right({ host: host.right, port: port.right });
};

// ---------------------------------------------------------------------------------------------
// Strings: a URL, host[:port] or a bare IPv6 address.

/** Trimmed (Secret values often end in a newline), not empty, no inner whitespace or controls. */
const cleanText = (raw: string): Result<string> => {
  const text = raw.trim();
  return text === ''
    ? fail('EmptyEndpoint', PROBLEM.empty)
    : UNSAFE_CHARACTER.test(text)
      ? fail('InvalidCharacters', PROBLEM.characters, text)
      : E.right(text);
};

/** Without a scheme, more than one colon and no brackets can only be a bare IPv6 address. */
const bracketBareIpv6 = (text: string): string =>
  !text.includes('[') && text.indexOf(':') !== text.lastIndexOf(':') ? `[${text}]` : text;

const parseText = (raw: string, defaultPort: number): Result<ApiEndpoint> => {
  const cleaned = cleanText(raw);
  if (E.isLeft(cleaned)) return cleaned;
  const text = cleaned.right;
  const scheme = SCHEME.exec(text);
  const authority =
    scheme === null
      ? parseAuthority(bracketBareIpv6(text), text)
      : scheme[1]?.toLowerCase() === 'https'
        ? parseAuthority(text.slice(scheme[0].length), text)
        : fail<Authority>('UnsupportedScheme', PROBLEM.scheme, text);
  return E.isLeft(authority) ? authority : E.right({ host: authority.right.host, port: authority.right.port ?? defaultPort });
};

// ---------------------------------------------------------------------------------------------
// Objects: { host, port? }.

/** The object's host: a bare DNS name or IP address; an IPv6 address with or without brackets. */
const parseBareHost = (raw: string): Result<string> => {
  const cleaned = cleanText(raw);
  if (E.isLeft(cleaned)) return cleaned;
  const text = cleaned.right;
  if (/[/?#@]/.test(text)) return fail('InvalidHost', PROBLEM.objectHostNotBare, text);
  const bracketed = text.startsWith('[') && text.endsWith(']');
  // Every colon ends up inside brackets, so no port can be read: `h:443` is not a host.
  const authority = !bracketed && text.includes(':') ? `[${text}]` : text;
  const parsed = parseAuthority(authority, text);
  return E.isLeft(parsed) ? parsed : E.right(parsed.right.host);
};

/** Whether a host is written as Cluster API stores one: no surrounding whitespace, no IPv6 brackets. */
const asStored = (stored: string): boolean => stored === stored.trim() && !stored.startsWith('[');

/**
 * The canonical form of a host as Cluster API stores it, for comparing a stored endpoint with
 * the one parsed from the Workspace: the same validation and the same URL-parser spelling as
 * `parseEndpoint` gives (lowercase, IDNA `xn--`, compressed IPv6). `none` for anything that is
 * not a bare DNS name or IP address as Cluster API writes one: surrounding whitespace, or IPv6
 * in brackets, which `APIEndpoint.String()` (net.JoinHostPort) would bracket a second time.
 * @example
 * ```ts
 * import { canonicalHost } from '@capt-endpoint/core/adapter';
 *
 * canonicalHost('2001:0DB8:0000:0000:0000:0000:0000:0001'); // some('2001:db8::1')
 * canonicalHost('API.Example.COM'); // some('api.example.com')
 * canonicalHost('[2001:db8::1]'); // none: Cluster API never stores the brackets
 * ```
 */
export const canonicalHost = (stored: string): O.Option<string> =>
  typeof stored !== 'string' || !asStored(stored) ? O.none : O.fromEither(parseBareHost(stored));

/**
 * A stored endpoint read as `parseEndpoint({ host, port })` reads it, and whether its host has
 * a canonical form (`canonicalHost`), with the host parsed once for both. Not exported from the
 * package: `heldEndpointOf` reads every object's endpoint this way on every reconcile.
 */
export const parseStoredEndpoint = (host: string, port: number): { readonly parsed: Result<ApiEndpoint>; readonly canonical: boolean } => {
  const bare = parseBareHost(host);
  if (E.isLeft(bare)) return { parsed: bare, canonical: false };
  const parsed: Result<ApiEndpoint> = isPortNumber(port) ? E.right({ host: bare.right, port }) : fail('InvalidPort', PROBLEM.portRange, String(port));
  return { parsed, canonical: asStored(host) };
};

const parseObjectPort = (port: unknown, defaultPort: number): Result<number> => {
  // Terraform gives an unset optional object attribute as null.
  if (port === undefined || port === null) return E.right(defaultPort);
  if (typeof port === 'number') return isPortNumber(port) ? E.right(port) : fail('InvalidPort', PROBLEM.portRange, String(port));
  // As written: ' 6443' and '6443\n' are not plain ASCII digits, whatever Number() makes of them.
  if (typeof port === 'string') return portFromText(port, port);
  return E.left(parseError('MalformedEndpointObject', PROBLEM.objectPortType, `port is ${typeof port}`));
};

/** Reads a caller's object: getters and proxies may throw, and nothing may escape. */
const guarded = <A>(read: () => A): Result<A> =>
  E.tryCatch(read, () => parseError('MalformedEndpointObject', PROBLEM.objectUnreadable));

const parseObject = (raw: object, defaultPort: number): Result<ApiEndpoint> => {
  const keys = guarded(() => Object.keys(raw));
  if (E.isLeft(keys)) return keys;
  const unexpected = keys.right.filter((key) => key !== 'host' && key !== 'port');
  if (unexpected.length > 0 || !keys.right.includes('host')) {
    return E.left(parseError('MalformedEndpointObject', PROBLEM.objectShape, unexpected.length > 0 ? `unexpected ${unexpected.map(quote).join(', ')}` : 'no host'));
  }
  const fields = guarded(() => ({ host: (raw as { host?: unknown }).host, port: (raw as { port?: unknown }).port }));
  if (E.isLeft(fields)) return fields;
  const { host, port } = fields.right;
  if (typeof host !== 'string') return E.left(parseError('MalformedEndpointObject', PROBLEM.objectShape, `host is ${typeof host}`));
  // Both are read; the host's error comes first.
  const parsedHost = parseBareHost(host);
  const parsedPort = parseObjectPort(port, defaultPort);
  if (E.isLeft(parsedHost)) return parsedHost;
  return E.isLeft(parsedPort) ? parsedPort : E.right({ host: parsedHost.right, port: parsedPort.right });
};

// ---------------------------------------------------------------------------------------------

const defaultPortFrom = (options: ParseEndpointOptions | undefined): Result<number> => {
  if (options === undefined || options === null) return E.right(HTTPS_PORT);
  const port = E.tryCatch(
    () => options.defaultPort,
    () => parseError('InvalidPort', PROBLEM.defaultPort),
  );
  if (E.isLeft(port)) return port;
  return port.right === undefined
    ? E.right(HTTPS_PORT)
    : typeof port.right === 'number' && isPortNumber(port.right)
      ? E.right(port.right)
      : fail('InvalidPort', PROBLEM.defaultPort);
};

const unsupportedType = (type: string): Result<never> =>
  E.left(parseError('UnsupportedValueType', PROBLEM.valueType, `got ${type}`));

const isArray = (raw: object): Result<boolean> => guarded(() => Array.isArray(raw));

const parseValue = (raw: unknown, defaultPort: number): Result<ApiEndpoint> => {
  if (raw === undefined || raw === null) return fail('EmptyEndpoint', PROBLEM.empty);
  if (typeof raw === 'string') return parseText(raw, defaultPort);
  if (typeof raw !== 'object') return unsupportedType(typeof raw);
  const array = isArray(raw);
  if (E.isLeft(array)) return array;
  return array.right ? unsupportedType('array') : parseObject(raw, defaultPort);
};

/**
 * Parses an endpoint as Terraform outputs hold it: `https://host[:port][/]` (scheme in any
 * case), `host[:port][/]`, an IPv4 or IPv6 address (IPv6 in brackets when a port follows), or
 * an object `{ host, port? }` (port a number, a numeric string, null or absent; the host bare,
 * IPv6 with or without brackets). Surrounding whitespace is trimmed. Hosts come out lowercase,
 * IDNA `xn--` form and IPv6 compressed without brackets (an embedded IPv4 in hex:
 * `::ffff:a00:1`); a value without a port gets `defaultPort` (443), an explicit port is kept.
 *
 * The platform's WHATWG URL parser decides the structure. It reads the value twice: once under
 * a scheme it does not know (`capt-endpoint:`), which keeps the host and an explicit port as
 * written, and once as `https:`, which gives the canonical host (lowercase, IDNA `xn--` form,
 * compressed IPv6). Checks on the raw text only catch what the parser hides: whitespace it
 * strips, an empty `@`, `?`, `#` or port it drops, dot segments it resolves, percent-encoding
 * it decodes and old IPv4 forms it rewrites. A plain host (`isPlainDomain`), which the parser
 * reads as written and only lowercases, is read without it (`parseAuthority`), to the same
 * answer (the property tests hold the two readings against each other).
 *
 * Total: returns an `Either` for any input and never throws; every property read of a caller's
 * object is guarded. `problem` never quotes the value; `message` does (shortened, its user
 * information redacted).
 *
 * Refused, by tag: `EmptyEndpoint` (empty, whitespace, null, undefined, an object with an empty
 * host: v1beta1's "unset"); `UnsupportedScheme` (any but https); `UserinfoNotAllowed` (even an
 * empty `@`); `PathNotAllowed` (a path but `/`, dot segments, `//`); `QueryOrFragmentNotAllowed`
 * (even empty); `InvalidCharacters` (inner whitespace, controls, invisible format characters
 * that IDNA would drop); `InvalidPort` (0, over 65535, a leading zero, a sign, not decimal,
 * empty after `:`, `https:h` read as host `https` and port `h`, a `defaultPort` outside
 * 1..65535, object port text not plain ASCII digits); `InvalidHost` (no host, a bad DNS label,
 * a trailing dot, a label over 63 or a name over 253 characters, a numeric last label, `%`,
 * bad punycode, a host IDNA maps to another name such as fullwidth letters, the long s or the
 * Kelvin sign, IPv4 not in dotted-decimal form or with an octet over 255, an IPv6 zone id,
 * unbracketed IPv6 with a scheme or port, a backslash, an object host with a scheme, port,
 * path or userinfo, a bracketed IPv4); `UnsupportedValueType` (a number, boolean, bigint,
 * symbol, function or array); `MalformedEndpointObject` (no string host, fields other than
 * `host` and `port` such as a misspelt `prot`, a port neither number nor string, fields that
 * cannot be read). docs/endpoint-grammar.md gives examples and the reasons.
 */
export const parseEndpoint = (raw: unknown, options?: ParseEndpointOptions): E.Either<EndpointParseError, ApiEndpoint> => {
  const defaultPort = defaultPortFrom(options);
  return E.isLeft(defaultPort) ? defaultPort : parseValue(raw, defaultPort.right);
};
