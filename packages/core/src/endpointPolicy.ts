/** The endpoint policy (see `ENDPOINT_RANGES`). */
/** A named range of hosts the policy refuses unless allowed. */
export type EndpointRange = 'unspecified' | 'loopback' | 'link-local' | 'cloud-metadata';

/**
 * Every range, in the order they are checked.
 *
 * The endpoint policy: which hosts the library refuses to write into a control plane and its
 * Cluster, whatever a Workspace says. Components of the management cluster dial the endpoint
 * (Cluster API's controllers, CAPT, anything that builds a kubeconfig from it), so a tenant who
 * can shape a Terraform output could otherwise point them at the cloud's metadata service, at
 * the management node itself, or at an address that means "any interface".
 *
 * Refused by default, each under a named range that `allowEndpointRanges` can allow (for a
 * development cluster on a laptop, say):
 * - `unspecified`: 0.0.0.0/8, `::`;
 * - `loopback`: 127.0.0.0/8, `::1`, `localhost` and names under `.localhost` (RFC 6761);
 * - `link-local`: 169.254.0.0/16, fe80::/10;
 * - `cloud-metadata`: 169.254.169.254, fd00:ec2::254 (AWS), `metadata.google.internal` (GCP).
 *   Checked first, and allowed only by name: allowing `link-local` does not allow it.
 * IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible (`::a.b.c.d`) IPv6 addresses are judged
 * by the IPv4 address they carry, so `::ffff:a9fe:a9fe` is 169.254.169.254.
 *
 * Hosts are as `parseEndpoint` gives them: lowercase names, dotted IPv4, compressed IPv6.
 */
export const ENDPOINT_RANGES: readonly EndpointRange[] = ['cloud-metadata', 'unspecified', 'loopback', 'link-local'];

/**
 * Whether `value` names a range (for options and flags given as text).
 * @example
 * ```ts
 * import { isEndpointRange } from '@capt-endpoint/core';
 *
 * isEndpointRange('loopback'); // true
 * isEndpointRange('private'); // false
 * ```
 */
export const isEndpointRange = (value: unknown): value is EndpointRange => (ENDPOINT_RANGES as readonly unknown[]).includes(value);

/** What each range is, for messages. */
export const ENDPOINT_RANGE_DESCRIPTIONS: Readonly<Record<EndpointRange, string>> = {
  'cloud-metadata': "a cloud provider's instance metadata service",
  unspecified: 'the unspecified address (any interface)',
  loopback: 'a loopback address or localhost (the machine that dials it)',
  'link-local': 'a link-local address',
};

const METADATA_NAMES: ReadonlySet<string> = new Set(['metadata.google.internal']);

/** The four octets of a dotted IPv4 address, or undefined. */
const ipv4Octets = (host: string): readonly number[] | undefined => {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^[0-9]{1,3}$/.test(part))) return undefined;
  const octets = parts.map(Number);
  return octets.every((octet) => octet <= 255) ? octets : undefined;
};

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail allowed), or undefined. */
const ipv6Groups = (host: string): readonly number[] | undefined => {
  if (!host.includes(':')) return undefined;
  const tail = /:([0-9.]+)$/.exec(host);
  const v4 = tail?.[1]?.includes('.') ? ipv4Octets(tail[1]) : undefined;
  if (tail?.[1]?.includes('.') && v4 === undefined) return undefined;
  const hex = v4 === undefined ? host : `${host.slice(0, host.length - (tail?.[1]?.length ?? 0))}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  const halves = hex.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string | undefined): number[] | undefined => {
    if (half === undefined || half === '') return [];
    const groups = half.split(':');
    return groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group)) ? groups.map((group) => parseInt(group, 16)) : undefined;
  };
  const head = groupsOf(halves[0]);
  const rest = groupsOf(halves[1]);
  if (head === undefined || rest === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - rest.length;
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...rest] : undefined;
};

const ipv4Range = ([a, b, c, d]: readonly number[]): EndpointRange | undefined =>
  a === 169 && b === 254 && c === 169 && d === 254
    ? 'cloud-metadata'
    : a === 0
      ? 'unspecified'
      : a === 127
        ? 'loopback'
        : a === 169 && b === 254
          ? 'link-local'
          : undefined;

const ipv6Range = (groups: readonly number[]): EndpointRange | undefined => {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  const embedded = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible; :: and ::1 themselves excepted).
  if (firstFiveZero && g5 === 0xffff) return ipv4Range(embedded);
  if (firstFiveZero && g5 === 0 && (g6 !== 0 || g7 > 1)) return ipv4Range(embedded);
  if (g0 === 0xfd00 && g1 === 0x0ec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254) return 'cloud-metadata';
  if (groups.every((group) => group === 0)) return 'unspecified';
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  return undefined;
};

const nameRange = (host: string): EndpointRange | undefined =>
  METADATA_NAMES.has(host) ? 'cloud-metadata' : host === 'localhost' || host.endsWith('.localhost') ? 'loopback' : undefined;

/**
 * The range `host` falls in, or undefined for an ordinary host.
 * @example
 * ```ts
 * import { endpointRangeOf } from '@capt-endpoint/core/adapter';
 *
 * endpointRangeOf('::ffff:a9fe:a9fe'); // 'cloud-metadata' (169.254.169.254)
 * endpointRangeOf('localhost'); // 'loopback'
 * endpointRangeOf('10.0.0.10'); // undefined
 * ```
 */
export const endpointRangeOf = (host: string): EndpointRange | undefined => {
  const v4 = ipv4Octets(host);
  if (v4 !== undefined) return ipv4Range(v4);
  const v6 = ipv6Groups(host);
  return v6 !== undefined ? ipv6Range(v6) : nameRange(host);
};

/**
 * The range that refuses `host` under `allowed`, or undefined when the policy lets it through.
 * The metadata service is allowed only by its own name.
 * @example
 * ```ts
 * import { refusedRange } from '@capt-endpoint/core/adapter';
 *
 * refusedRange('127.0.0.1'); // 'loopback'
 * refusedRange('127.0.0.1', ['loopback']); // undefined
 * refusedRange('169.254.169.254', ['link-local']); // 'cloud-metadata'
 * ```
 */
export const refusedRange = (host: string, allowed: readonly EndpointRange[] = []): EndpointRange | undefined => {
  const range = endpointRangeOf(host);
  return range === undefined || allowed.includes(range) ? undefined : range;
};
