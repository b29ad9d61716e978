// The values the admission policy and the core must judge alike: the endpoint grammar's table
// as stored endpoints, the forms only a stored endpoint has, and the address policy's cases; the
// core's verdict on each, and the differences we know of, each with its reason.
import * as O from 'fp-ts/lib/Option.js';
import { canonicalHost, heldEndpointOf, refusedRange, type StoredEndpoint } from '@capt-endpoint/core/adapter';
import { grammarCases } from '../../packages/core/test/grammarCases';

export type Verdict = 'admitted' | 'refused';

export interface Row {
  readonly label: string;
  readonly endpoint: StoredEndpoint;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A grammar value as a stored endpoint, when a CRD can hold it: a string becomes the host (as
 * CAPT's controller stores its raw output) with port 443; an object with only a string host and
 * an int32 port (or none) is stored as it is. Anything else (a number, a string port, an extra
 * field) the CRD schema refuses or prunes before admission: no verdict of the policy's to compare.
 */
/** The CRDs' port: an integer of format int32. */
const isInt32 = (port: unknown): port is number => typeof port === 'number' && Number.isInteger(port) && port >= -(2 ** 31) && port < 2 ** 31;

const storedFrom = (raw: unknown): StoredEndpoint | undefined => {
  if (typeof raw === 'string') return { host: raw, port: 443 };
  if (!isPlainObject(raw) || typeof raw['host'] !== 'string' || Object.keys(raw).some((key) => key !== 'host' && key !== 'port')) return undefined;
  const port = raw['port'];
  return port === undefined || port === null ? { host: raw['host'] } : isInt32(port) ? { host: raw['host'], port } : undefined;
};

const host = (label: string, value: string, port = 6443): Row => ({ label, endpoint: { host: value, port } });

/** What only a stored endpoint can be, and the endpoint policy's ranges. */
const storedRows: readonly Row[] = [
  { label: "v1beta1's unset", endpoint: { host: '', port: 0 } },
  { label: 'a host without a port', endpoint: { host: 'api.example.com' } },
  { label: 'a port without a host', endpoint: { port: 6443 } },
  { label: 'an empty host with a port', endpoint: { host: '', port: 6443 } },
  host('port 0 with a host', 'api.example.com', 0),
  host('a negative port', 'api.example.com', -1),
  host('port 65536', 'api.example.com', 65536),
  host('port 65535', 'api.example.com', 65535),
  host('port 1', 'api.example.com', 1),
  host('uncompressed IPv6', '2001:0db8:0000:0000:0000:0000:0000:0001'),
  host('IPv6 in capitals', '2001:DB8::1'),
  host('IPv6 in brackets', '[2001:db8::1]'),
  host('IPv6 with an embedded IPv4 address', '64:ff9b::10.0.0.1'),
  host('IPv6 with a zone', 'fe80::1%eth0'),
  host('surrounding space', ' api.example.com'),
  host('a trailing newline', 'api.example.com\n'),
  host('a DNS name in capitals', 'API.Example.COM'),
  host('a Unicode name', 'bücher.example'),
  host('fullwidth letters that map to localhost', '\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54'),
  host('a hexadecimal last label', 'example.0x1f'),
  host('a label that is not valid punycode', 'xn--a.example.com'),
  // CAPTControlPlane's host has no maxLength: the policy must answer with its rule, not a cost error.
  host('a million characters', `${'a.'.repeat(500_000)}com`),
  host('an IPv4-mapped address, dotted', '::ffff:10.0.0.1'),
  host('an IPv4-mapped address, hex', '::ffff:a00:1'),
  host('an IPv4-mapped address, uncompressed', '0:0:0:0:0:ffff:a00:1'),
  host('a public IPv4 address', '8.8.8.8'),
  host('a private IPv4 address', '10.0.0.1'),
  host('a name that starts with localhost', 'localhost.example.com'),
  host('loopback', '127.0.0.1'),
  host('loopback elsewhere in 127/8', '127.1.2.3'),
  host('IPv6 loopback', '::1'),
  host('localhost', 'localhost'),
  host('LOCALHOST', 'LOCALHOST'),
  host('a name under localhost', 'api.localhost'),
  host('unspecified', '0.0.0.0'),
  host('IPv6 unspecified', '::'),
  host('link-local', '169.254.1.1'),
  host('the metadata address', '169.254.169.254'),
  host('IPv6 link-local', 'fe80::1'),
  host("GCP's metadata name", 'metadata.google.internal'),
  host("AWS's IPv6 metadata address", 'fd00:ec2::254'),
  host('the metadata address, IPv4-mapped', '::ffff:169.254.169.254'),
  host('the metadata address, IPv4-mapped in hex', '::ffff:a9fe:a9fe'),
  host('unspecified elsewhere in 0/8', '0.1.2.3'),
  host('loopback, IPv4-compatible', '::127.0.0.1'),
  host('a private address, IPv4-compatible', '::10.0.0.1'),
];

/** Every row once (the first label of a value wins), and the grammar values no CRD can hold. */
export const agreementRows = (): { readonly rows: readonly Row[]; readonly notStorable: readonly string[] } => {
  const fromGrammar = grammarCases.flatMap(([label, raw, expected]): Row[] => {
    const stored = storedFrom(raw);
    const parsed = typeof expected === 'object' ? [{ label: `parsed: ${label}`, endpoint: expected }] : [];
    return [...(stored === undefined ? [] : [{ label: `as stored: ${label}`, endpoint: stored }]), ...parsed];
  });
  const seen = new Set<string>();
  const rows = [...fromGrammar, ...storedRows].filter((row) => {
    const key = JSON.stringify([row.endpoint.host, row.endpoint.port]);
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const notStorable = grammarCases.filter(([, raw]) => storedFrom(raw) === undefined).map(([label]) => label);
  return { rows, notStorable };
};

/**
 * The core's verdict: a stored endpoint it reads as malformed, or whose host its endpoint policy
 * refuses to write (with no range allowed), would be refused.
 */
export const coreVerdict = (endpoint: StoredEndpoint): Verdict => {
  const held = heldEndpointOf(endpoint);
  if (held._tag === 'Malformed') return 'refused';
  if (held._tag === 'Unset') return 'admitted';
  return refusedRange(O.getOrElse(() => held.endpoint.host)(canonicalHost(held.endpoint.host))) === undefined ? 'admitted' : 'refused';
};

/** Non-ASCII (and control characters, which both refuse). */
const BEYOND_PRINTABLE_ASCII = /[^\u0020-\u007e]/;
const MAPPED = /^(?:(?:0{1,4}:){5}|(?:0{1,4}:){1,4}:|::)ffff:/i;
/** `::a.b.c.d`, the rows' only IPv4-compatible spelling. */
const COMPATIBLE = /^::[0-9]+\./;

export interface KnownDifference {
  readonly name: string;
  readonly reason: string;
  readonly applies: (endpoint: StoredEndpoint, policy: Verdict, core: Verdict) => boolean;
}

export const knownDifferences: readonly KnownDifference[] = [
  {
    name: 'port without host',
    reason: 'the core reads an empty host as unset whatever the port (it writes over it); at admission a port without a host is a writer\'s mistake: both or neither',
    applies: (e, policy, core) => (e.host ?? '') === '' && (e.port ?? 0) !== 0 && policy === 'refused' && core === 'admitted',
  },
  {
    name: 'Unicode host',
    reason: 'CEL has no IDNA: the policy asks for the xn-- form that DNS and TLS see; the core maps Unicode to it, fullwidth compatibility forms included (issue 22, finding 8)',
    applies: (e, policy, core) => BEYOND_PRINTABLE_ASCII.test(e.host ?? '') && policy === 'refused' && core === 'admitted',
  },
  {
    name: 'invalid punycode',
    reason: 'CEL cannot decode punycode: an xn-- label that is not valid punycode passes the policy; the core\'s URL parser refuses it',
    applies: (e, policy, core) => /(?:^|\.)xn--/i.test(e.host ?? '') && policy === 'admitted' && core === 'refused',
  },
  {
    name: 'IPv4-mapped or -compatible IPv6',
    reason: "the policy refuses every IPv4-mapped or -compatible IPv6 address (CEL's ip() refuses the mapped ones, and CEL cannot take the IPv4 address out of the hex form); the core judges them by the IPv4 address they carry",
    applies: (e, policy, core) => (MAPPED.test(e.host ?? '') || COMPATIBLE.test(e.host ?? '')) && policy === 'refused' && core === 'admitted',
  },
];
