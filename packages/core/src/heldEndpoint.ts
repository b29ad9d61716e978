/**
 * What an object's `spec.controlPlaneEndpoint` holds: nothing (absent, or v1beta1's
 * `{host: "", port: 0}`), a well-formed endpoint, or a malformed one: set, but not an endpoint
 * by our grammar (a URL in `host`, a path, a zero port with a host, a host the parser rejects).
 * `keep` protects only a well-formed endpoint; a malformed one is repaired.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ApiEndpoint } from './apiEndpoint';
import type { StoredEndpoint } from './objects';
import { parseStoredEndpoint } from './parseEndpoint';
import { quoteValue } from './quote';

export type HeldEndpoint =
  | { readonly _tag: 'Unset' }
  | { readonly _tag: 'WellFormed'; readonly endpoint: ApiEndpoint }
  | {
      readonly _tag: 'Malformed';
      readonly host: string;
      readonly port: number | undefined;
      /** What is wrong, without quoting the value. */
      readonly problem: string;
    };

const UNSET: HeldEndpoint = { _tag: 'Unset' };

const NOT_AS_STORED = 'the host has surrounding whitespace or IPv6 brackets, which Cluster API never stores';

/**
 * Classifies a stored endpoint. A host with no port (or port 0) is malformed, not unset: someone
 * wrote it.
 * @example
 * ```ts
 * import { heldEndpointOf } from '@capt-endpoint/core/adapter';
 *
 * heldEndpointOf({ host: '', port: 0 })._tag; // 'Unset'
 * heldEndpointOf({ host: 'api.example.com', port: 443 })._tag; // 'WellFormed'
 * heldEndpointOf({ host: 'https://api.example.com', port: 443 })._tag; // 'Malformed'
 * heldEndpointOf({ host: 'api.example.com', port: 0 })._tag; // 'Malformed'
 * ```
 */
export const heldEndpointOf = (stored: StoredEndpoint | undefined): HeldEndpoint => {
  const host = stored?.host;
  if (typeof host !== 'string' || host === '') return UNSET;
  const port = typeof stored?.port === 'number' ? stored.port : undefined;
  // As parseEndpoint({ host, port: port ?? 0 }) and canonicalHost(host) read it, the host parsed once.
  const { parsed, canonical } = parseStoredEndpoint(host, port ?? 0);
  if (E.isLeft(parsed)) return { _tag: 'Malformed', host, port, problem: parsed.left.problem };
  return !canonical || port === undefined
    ? { _tag: 'Malformed', host, port, problem: NOT_AS_STORED }
    : { _tag: 'WellFormed', endpoint: { host, port } };
};

/**
 * A malformed value for a message: `host "https://…", port 443`. The host is quoted as the
 * endpoint grammar quotes values (`quoteValue`: credentials never shown).
 * @example
 * ```ts
 * import { showHeld } from '@capt-endpoint/core/adapter';
 *
 * showHeld({ host: 'https://api.example.com', port: 443 }); // 'host "https://api.example.com", port 443'
 * ```
 */
export const showHeld = (held: { readonly host: string; readonly port: number | undefined }): string =>
  `host ${quoteValue(held.host)}, port ${held.port === undefined ? '(none)' : String(held.port)}`;
