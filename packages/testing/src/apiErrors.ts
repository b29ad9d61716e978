/**
 * The API server's failures, built as core `ApiError`s with the code, Status reason and message
 * a real API server gives. Shared by the store, the fake client and the loopback server so the
 * three agree. Messages name the resource and the object, never its contents (a schema violation
 * quotes the offending value of a custom resource's field, as the API server does).
 */
import type { ApiError, ObjectRef } from '@capt-endpoint/core';
import { apiError, groupOf, resourceFor } from '@capt-endpoint/core/adapter';
import type { StatusCause } from './schema';

/** `plural.group` (or `plural` for the core group), as the API server names a resource. */
export const qualifiedResource = (apiVersion: string, kind: string): string => {
  const known = resourceFor(apiVersion, kind);
  const group = groupOf(apiVersion);
  const plural = known?.plural ?? `${kind.toLowerCase()}s`;
  return group ? `${plural}.${group}` : plural;
};

const named = (ref: ObjectRef): string => `${qualifiedResource(ref.apiVersion, ref.kind)} "${ref.name}"`;

export const notFound = (ref: ObjectRef): ApiError =>
  apiError('NotFound', `${named(ref)} not found`, { code: 404, statusReason: 'NotFound' });

export const alreadyExists = (ref: ObjectRef): ApiError =>
  apiError('Conflict', `${named(ref)} already exists`, { code: 409, statusReason: 'AlreadyExists' });

export const conflict = (ref: ObjectRef): ApiError =>
  apiError(
    'Conflict',
    `Operation cannot be fulfilled on ${named(ref)}: the object has been modified; please apply your changes to the latest version and try again`,
    { code: 409, statusReason: 'Conflict' },
  );

/** 422: the request is well formed but asks for a change the API does not allow. */
export const invalid = (ref: ObjectRef, problem: string): ApiError =>
  apiError('Invalid', `${named(ref)} is invalid: ${problem}`, { code: 422, statusReason: 'Invalid' });

/** 400: the request itself is malformed. */
export const badRequest = (message: string): ApiError =>
  apiError('Invalid', message, { code: 400, statusReason: 'BadRequest' });

/**
 * 400: a body nested deeper than the API server's JSON decoder goes (`MAX_JSON_DEPTH`); it
 * refuses such a body before reading anything in it.
 */
export const tooDeep = (limit: number): ApiError =>
  badRequest(`the request body could not be decoded: exceeded max depth (objects and arrays nested more than ${limit} levels deep)`);

/** 410: a watch asked to resume from a resourceVersion whose events are no longer kept. */
export const expired = (requested: number, oldest: number): ApiError =>
  apiError('Other', `too old resource version: ${requested} (${oldest})`, { code: 410, statusReason: 'Expired' });

export const internalError = (message = 'Internal error occurred: injected failure'): ApiError =>
  apiError('Other', message, { code: 500, statusReason: 'InternalError' });

export const serviceUnavailable = (message = 'the server is currently unable to handle the request'): ApiError =>
  apiError('Unavailable', message, { code: 503, statusReason: 'ServiceUnavailable' });

/** A request that never got an answer: the client gave up (timeout or abort). No HTTP status. */
export const requestTimeout = (message = 'the request timed out before the server answered'): ApiError =>
  apiError('Timeout', message);

export const aborted = (): ApiError => apiError('Timeout', 'the request was aborted before the server answered');

/**
 * 404 for a resource type the server does not serve (an unknown group, version or kind, or a
 * CRD version with `served: false`): the `NotServed` kind, as the Kubernetes adapter reads the
 * API server's answer (which names no object), never a missing object's `NotFound`.
 */
export const notServed = (): ApiError =>
  apiError('NotServed', NOT_SERVED_MESSAGE, { code: 404, statusReason: 'NotFound' });

export const NOT_SERVED_MESSAGE = 'the server could not find the requested resource';

/** Whether `error` is the 404 for a resource type that is not served, not for a missing object. */
export const isNotServed = (error: ApiError): boolean => error.kind === 'NotServed';

/** A 422 Invalid from schema validation: the causes are listed, as in the API server's Status details. */
export interface InvalidObjectError extends ApiError {
  readonly causes: readonly StatusCause[];
  /** The Status details the API server sends with it: the object's name, group and kind. */
  readonly details: { readonly name: string; readonly group: string; readonly kind: string };
}

const causeText = (cause: StatusCause): string => `${cause.field}: ${cause.message}`;

/** 422 with each violated field, as the API server words it: `Kind.group "name" is invalid: [field: reason, ...]`. */
export const invalidObject = (ref: ObjectRef, causes: readonly StatusCause[]): InvalidObjectError => {
  const group = groupOf(ref.apiVersion);
  const listed = causes.length === 1 ? causeText(causes[0] as StatusCause) : `[${causes.map(causeText).join(', ')}]`;
  return {
    ...apiError('Invalid', `${ref.kind}${group ? `.${group}` : ''} "${ref.name}" is invalid: ${listed}`, { code: 422, statusReason: 'Invalid' }),
    causes,
    details: { name: ref.name, group, kind: ref.kind },
  };
};

export const isInvalidObjectError = (error: ApiError): error is InvalidObjectError =>
  Array.isArray((error as Partial<InvalidObjectError>).causes);
