/**
 * The endpoint value: Cluster API's APIEndpoint `{ host, port }`. `host` is a bare DNS name or
 * IP address (IPv6 without brackets), never a URL. Its own module so that the grammar, which
 * produces it, and the functions that compare it depend on it and not on each other.
 */
export interface ApiEndpoint {
  readonly host: string;
  readonly port: number;
}
