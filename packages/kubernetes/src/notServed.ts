/**
 * What the API server said it does not serve: a `NotServed` answer (a 404 for the resource type,
 * ADR 0091) named after the type it is about, and remembered per apiVersion and kind for a while
 * so that steady state does not ask again. One memory per client, shared by its requests and,
 * in the cached client, by its informers' lists.
 */
import type { ApiError } from '@capt-endpoint/core';
import type { ResourceInfo } from '@capt-endpoint/core/adapter';
import { truncate } from './apiErrors';
import { apiVersionOf } from './resources';

export interface NotServedMemory {
  /** The remembered answer for this resource type, while it has not expired. */
  recall(resource: ResourceInfo): ApiError | undefined;
  /** Remembers a NotServed answer; any other answer about the type (`undefined`: it answered) ends what was remembered. */
  note(resource: ResourceInfo, error: ApiError | undefined): void;
}

/**
 * The resource types the server said it does not serve, each until its answer expires. Bounded
 * by the resource table: one entry per apiVersion and kind at most.
 */
export const notServedMemory = (memoryMs: number): NotServedMemory => {
  const until = new Map<string, { readonly error: ApiError; readonly expires: number }>();
  const keyOf = (resource: ResourceInfo): string => `${apiVersionOf(resource)}/${resource.kind}`;
  return {
    recall: (resource) => {
      const held = until.get(keyOf(resource));
      if (held === undefined || Date.now() < held.expires) return held?.error;
      until.delete(keyOf(resource));
      return undefined;
    },
    note: (resource, error) => {
      if (error?.kind === 'NotServed' && memoryMs > 0) until.set(keyOf(resource), { error, expires: Date.now() + memoryMs });
      else until.delete(keyOf(resource));
    },
  };
};

/** A NotServed answer names the resource type it is about; the server's answer names none. */
export const notServedNamed = (resource: ResourceInfo, error: ApiError): ApiError =>
  error.kind !== 'NotServed'
    ? error
    : { ...error, message: truncate(`the API server does not serve ${resource.plural}${resource.group ? `.${resource.group}` : ''} at ${apiVersionOf(resource)}: ${error.message}`) };
