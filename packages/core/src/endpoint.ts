/**
 * The endpoint value itself: Cluster API's APIEndpoint `{ host, port }`, and the small total
 * functions that compare, test and print it. `host` is a bare DNS name or IP address (IPv6
 * without brackets), never a URL.
 */
import * as O from 'fp-ts/lib/Option.js';
import type { ApiEndpoint } from './apiEndpoint';
import type { StoredEndpoint } from './objects';
import { canonicalHost } from './parseEndpoint';

/**
 * Cluster API's "valid": both host and port set (v1beta1 writes `{host: "", port: 0}` for unset).
 * @example
 * ```ts
 * import { isEndpointSet } from '@capt-endpoint/core';
 *
 * isEndpointSet({ host: '', port: 0 }); // false: v1beta1's "unset"
 * isEndpointSet(undefined); // false: v1beta2's "unset"
 * isEndpointSet({ host: 'api.example.com', port: 6443 }); // true
 * ```
 */
export const isEndpointSet = (stored: StoredEndpoint | undefined): stored is ApiEndpoint =>
  stored !== undefined && typeof stored.host === 'string' && stored.host !== '' && typeof stored.port === 'number' && stored.port !== 0;

/** Hosts name the same server: equal as stored, or equal in canonical form (both must have one). */
const sameHost = (a: string, b: string): boolean => {
  if (a === b) return true;
  const canonicalA = canonicalHost(a);
  const canonicalB = canonicalHost(b);
  return O.isSome(canonicalA) && O.isSome(canonicalB) && canonicalA.value === canonicalB.value;
};

/**
 * Equal when the ports match and the hosts are the same after canonicalising (`canonicalHost`):
 * case does not count, nor how an IPv6 address is spelt (`::ffff:10.0.0.1` is `::ffff:a00:1`),
 * nor Unicode against its `xn--` form. A host that has no canonical form (` h`, `h.`, `h_x`)
 * equals only itself, exactly as written; a bracketed stored IPv6 host is not equal to the bare
 * one, as Cluster API joins host and port with brackets of its own. Identical strings compare
 * equal without parsing, so a steady state costs no URL parse. Never throws.
 * @example
 * ```ts
 * import { endpointsEqual } from '@capt-endpoint/core';
 *
 * endpointsEqual({ host: 'API.example.com', port: 443 }, { host: 'api.example.com', port: 443 }); // true
 * endpointsEqual({ host: '2001:0db8:0000:0000:0000:0000:0000:0001', port: 6443 }, { host: '2001:db8::1', port: 6443 }); // true
 * endpointsEqual({ host: 'api.example.com', port: 443 }, { host: 'api.example.com', port: 6443 }); // false
 * ```
 */
export const endpointsEqual = (a: ApiEndpoint, b: ApiEndpoint): boolean => a.port === b.port && sameHost(a.host, b.host);

/**
 * `host:port`, with an IPv6 host in brackets.
 * @example
 * ```ts
 * import { formatHostPort } from '@capt-endpoint/core';
 *
 * formatHostPort({ host: 'api.example.com', port: 6443 }); // 'api.example.com:6443'
 * formatHostPort({ host: '2001:db8::1', port: 6443 }); // '[2001:db8::1]:6443'
 * ```
 */
export const formatHostPort = (endpoint: ApiEndpoint): string =>
  `${isIpv6Literal(endpoint.host) ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;

/** An IPv6 address as written in a host: hex digits, colons (and a dotted IPv4 tail), that the URL parser takes in brackets. */
const isIpv6Literal = (host: string): boolean => {
  if (!host.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(host)) return false;
  try {
    return new URL(`http://[${host}]/`).hostname.startsWith('[');
  } catch {
    return false;
  }
};

/**
 * The URL a kubeconfig would use: `https://host:port`.
 * @example
 * ```ts
 * import { endpointUrl } from '@capt-endpoint/core';
 *
 * endpointUrl({ host: '10.0.0.10', port: 6443 }); // 'https://10.0.0.10:6443'
 * ```
 */
export const endpointUrl = (endpoint: ApiEndpoint): string => `https://${formatHostPort(endpoint)}`;
