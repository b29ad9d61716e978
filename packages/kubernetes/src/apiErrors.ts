/**
 * Failed requests as core's typed `ApiError`: an HTTP status with its body, or anything a
 * request can throw (client-node's `ApiException`, fetch's network errors, aborts, timeouts).
 *
 * Secret safety: a response body is only read as a Kubernetes `Status`; its `message` and
 * `reason` are kept (scrubbed, truncated), anything else in a body is dropped. Nothing a server
 * says is trusted to be clean: a server (or a proxy in its place) may echo the request's
 * `Authorization` header, so the kept text is scrubbed of the credentials in use and of any
 * `Bearer` or `Basic` value before it reaches an error. A thrown error's own message is never
 * copied either (a JSON parse error quotes the text it choked on); only its name and system
 * error code are.
 */
import { STATUS_CODES } from 'node:http';
import type { ApiError, ApiErrorKind } from '@capt-endpoint/core';
import { apiError } from '@capt-endpoint/core/adapter';
import { isRecord } from '@capt-endpoint/core/json';

/** Longest Status message kept, in characters. */
export const MAX_MESSAGE_LENGTH = 512;

export const truncate = (text: string, max = MAX_MESSAGE_LENGTH): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** The kind of failure an HTTP status means. */
export const kindOfStatus = (code: number): ApiErrorKind => {
  if (code === 404) return 'NotFound';
  if (code === 409) return 'Conflict';
  if (code === 400 || code === 422) return 'Invalid';
  if (code === 401 || code === 403) return 'Forbidden';
  if (code === 408) return 'Timeout';
  if (code === 429 || code >= 500) return 'Unavailable';
  return 'Other';
};

interface StatusFields {
  readonly message: string | undefined;
  readonly reason: string | undefined;
  /** `details.name`: the object a failure is about. A 404 for a missing object names it. */
  readonly name: string | undefined;
}


const stringField = (record: Record<string, unknown>, key: string): string | undefined =>
  typeof record[key] === 'string' && record[key] !== '' ? record[key] : undefined;

/** Takes credentials out of text a server sent. */
export type Scrub = (text: string) => string;

/** What stands in for a credential. */
export const REDACTED = '***';

// An HTTP authorization scheme and its credentials (RFC 7235 token68, and whatever a proxy may
// have added around it): `Bearer eyJ...`, `Basic dXNlcjpwdw==`.
const AUTHORIZATION_VALUE = /\b(Bearer|Basic)(\s+)[^\s"',;)}\]]+/gi;

/** Shorter values are not hunted for exactly: they would match ordinary words. */
const MIN_SECRET_LENGTH = 6;

/**
 * A scrub that replaces each of `secrets` (the credentials the request carried) wherever it
 * appears, and any `Bearer` or `Basic` value. Longest first, so a token inside a longer secret
 * leaves no part of it behind.
 */
export const scrubberOf = (secrets: readonly (string | undefined)[]): Scrub => {
  const exact = [...new Set(secrets.filter((secret): secret is string => secret !== undefined && secret.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  return (text) => exact.reduce((scrubbed, secret) => scrubbed.split(secret).join(REDACTED), text).replace(AUTHORIZATION_VALUE, `$1$2${REDACTED}`);
};

/** The scrub that knows no credential: `Bearer` and `Basic` values only. */
export const scrubAuthorizationValues: Scrub = scrubberOf([]);

/** The message and reason of a `Status` object; nothing for any other value. */
const statusFieldsOf = (value: unknown): StatusFields | undefined =>
  isRecord(value) && value['kind'] === 'Status'
    ? {
        message: stringField(value, 'message'),
        reason: stringField(value, 'reason'),
        name: isRecord(value['details']) ? stringField(value['details'], 'name') : undefined,
      }
    : undefined;

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** A body as the API sends it (JSON text) or as some clients hand it over (already parsed). */
const statusOfBody = (body: unknown): StatusFields | undefined =>
  statusFieldsOf(typeof body === 'string' ? parseJson(body) : body);

/**
 * A 404 is about a missing object only when its Status names the object (`details.name`), as
 * the API server's NotFound for an object always does. A 404 for a resource type the server
 * does not serve names none: a Status without a name from the API's router, or the plain text
 * `404 page not found` that kube-apiserver's last handler sends for a group-version or a CRD
 * version it does not serve. Anything else that 404s is not evidence that an object is gone.
 */
const kindOf = (code: number, status: StatusFields | undefined): ApiErrorKind =>
  code === 404 && status?.name === undefined ? 'NotServed' : kindOfStatus(code);

/** The ApiError for a response with a non-success status; what the server said is scrubbed first. */
export const fromResponse = (code: number, body: unknown, scrub: Scrub = scrubAuthorizationValues): ApiError => {
  const status = statusOfBody(body);
  const message = status?.message === undefined ? `HTTP ${code} ${STATUS_CODES[code] ?? 'error'}${status ? '' : ' (no Status in the response)'}` : scrub(status.message);
  return apiError(kindOf(code, status), truncate(message), { code, statusReason: status?.reason === undefined ? undefined : scrub(status.reason) });
};

// ---------------------------------------------------------------------------------------------
// Thrown errors.

/** Codes of failures to reach the server at all or to finish the exchange with it. */
const timeoutCodes = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const nameOf = (u: unknown): string | undefined => (isRecord(u) || u instanceof Error ? stringField(u as Record<string, unknown>, 'name') : undefined);

/** The first system error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, ...) in an error's cause chain. */
export const systemCodeOf = (u: unknown, depth = 0): string | undefined => {
  if (depth > 5 || !(isRecord(u) || u instanceof Error)) return undefined;
  const record = u as Record<string, unknown>;
  const own = typeof record['code'] === 'string' ? record['code'] : undefined;
  if (own !== undefined) return own;
  const nested = Array.isArray(record['errors']) ? (record['errors'] as unknown[]) : [];
  return [record['cause'], ...nested].map((c) => systemCodeOf(c, depth + 1)).find((c) => c !== undefined);
};

/** client-node's ApiException (or anything shaped like it): an HTTP status and the raw body. */
const httpFailureOf = (u: unknown): { code: number; body: unknown } | undefined => {
  if (!isRecord(u) && !(u instanceof Error)) return undefined;
  const record = u as Record<string, unknown>;
  const code = typeof record['code'] === 'number' ? record['code'] : record['statusCode'];
  return typeof code === 'number' && code >= 100 && code < 600 ? { code, body: record['body'] } : undefined;
};

/** Why a request ended early, when its own signals say so. */
export type EarlyEnd = { readonly by: 'timeout'; readonly afterMs: number } | { readonly by: 'abort' };

export const fromEarlyEnd = (end: EarlyEnd): ApiError =>
  end.by === 'timeout'
    ? apiError('Timeout', `the request timed out after ${end.afterMs} ms`)
    : apiError('Timeout', 'the request was aborted');

/** The ApiError for anything a request threw. Never copies the thrown error's message. */
export const fromThrown = (thrown: unknown, scrub: Scrub = scrubAuthorizationValues): ApiError => {
  const http = httpFailureOf(thrown);
  if (http) return fromResponse(http.code, http.body, scrub);
  const name = nameOf(thrown);
  if (name === 'TimeoutError') return apiError('Timeout', 'the request timed out');
  if (name === 'AbortError') return fromEarlyEnd({ by: 'abort' });
  const code = systemCodeOf(thrown);
  if (code !== undefined && timeoutCodes.has(code)) return apiError('Timeout', `the request timed out (${code})`);
  if (code !== undefined) return apiError('Unavailable', `the API server could not be reached (${code})`);
  if (name === 'TypeError' && thrown instanceof Error && thrown.message === 'fetch failed')
    return apiError('Unavailable', 'the API server could not be reached');
  return apiError('Other', `the request failed (${name ?? typeof thrown})`);
};
