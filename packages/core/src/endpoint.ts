/**
 * The endpoint value itself: Cluster API's APIEndpoint `{ host, port }`, and the small total
 * functions that compare, test and print it. `host` is a bare DNS name or IP address (IPv6
 * without brackets), never a URL.
 */
import type { StoredEndpoint } from './objects';

export interface ApiEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Cluster API's "valid": both host and port set (v1beta1 writes `{host: "", port: 0}` for unset). */
export const isEndpointSet = (stored: StoredEndpoint | undefined): stored is ApiEndpoint =>
  stored !== undefined && typeof stored.host === 'string' && stored.host !== '' && typeof stored.port === 'number' && stored.port !== 0;

/** Equal when the ports match and the hosts match without regard to case. */
export const endpointsEqual = (a: ApiEndpoint, b: ApiEndpoint): boolean =>
  a.port === b.port && a.host.toLowerCase() === b.host.toLowerCase();

/** `host:port`, with an IPv6 host in brackets. */
export const formatHostPort = (endpoint: ApiEndpoint): string =>
  `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;

/** The URL a kubeconfig would use: `https://host:port`. */
export const endpointUrl = (endpoint: ApiEndpoint): string => `https://${formatHostPort(endpoint)}`;
