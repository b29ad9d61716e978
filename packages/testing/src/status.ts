/**
 * The API server's error body: a `Status` object (kind Status, apiVersion v1, status Failure,
 * message, reason, code, details), built from an `ApiError` or from an injected status code.
 */
import type { ApiError } from '@capt-endpoint/core';
import { isInvalidObjectError } from './apiErrors';
import type { StatusCause } from './schema';

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  /** The resource's plural, as the API server puts it (the kind, for a 422 Invalid). */
  readonly kind?: string;
  /** Each field a 422 Invalid rejected. */
  readonly causes?: readonly StatusCause[];
}

export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: string;
  readonly code: number;
  readonly details?: StatusDetails;
}

/** The reason the API server gives for each status code it uses. */
const reasons: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export const reasonFor = (code: number): string => reasons[code] ?? 'Unknown';

export const status = (code: number, message: string, reason = reasonFor(code), details?: StatusDetails): Status => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
  ...(details ? { details } : {}),
});

/** The Status a server answers for `error`; an error without a code (a timeout) becomes 504. */
export const statusOfError = (error: ApiError, details?: StatusDetails): Status => {
  const code = error.code ?? 504;
  const invalid = isInvalidObjectError(error) ? { ...error.details, causes: error.causes } : undefined;
  return status(code, error.message, error.statusReason ?? reasonFor(code), invalid ?? details);
};
