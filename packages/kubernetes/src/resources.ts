/**
 * REST mapping: from an object's apiVersion and kind to the request path the API serves it at.
 * The table is core's KNOWN_RESOURCES plus whatever the caller registers; no discovery request
 * is made (ADR 0030), so a kind missing from the table is a typed error, never a guess.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ApiError, ObjectRef } from '@capt-endpoint/core';
import { KNOWN_RESOURCES, apiError, type ResourceInfo } from '@capt-endpoint/core/adapter';

/** Finds the resource for an apiVersion and kind. */
export type ResourceTable = (apiVersion: string, kind: string) => ResourceInfo | undefined;

const keyOf = (group: string, version: string, kind: string): string => `${group ? `${group}/` : ''}${version}/${kind}`;

/** core's KNOWN_RESOURCES, with `extra` entries added (an extra entry for a known kind replaces it). */
export const resourceTable = (extra: readonly ResourceInfo[] = []): ResourceTable => {
  const byKey = new Map([...KNOWN_RESOURCES, ...extra].map((r) => [keyOf(r.group, r.version, r.kind), r]));
  return (apiVersion, kind) => byKey.get(`${apiVersion}/${kind}`);
};

/** The apiVersion a resource is served under (`v1` for the core group). */
export const apiVersionOf = (resource: ResourceInfo): string =>
  resource.group ? `${resource.group}/${resource.version}` : resource.version;

/** `/api/v1` for the core group, `/apis/<group>/<version>` for every other. */
const groupVersionPath = (resource: ResourceInfo): string =>
  resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;

/**
 * Segments a path is never built from: the URL parser resolves `.` and `..` (`%2e` included), so
 * `/namespaces/ns/secrets/.` would be a LIST of the namespace's Secrets, and an empty segment
 * changes which resource a path names. The core refuses such names first (InvalidName); this is
 * the adapter's own guard.
 */
export const isUnsafeSegment = (segment: string): boolean => segment === '' || /^(\.|%2e){1,2}$/i.test(segment);

const segment = encodeURIComponent;

/** An error for a reference whose name or namespace cannot be a path segment. */
const unsafeSegment = (what: string, kind: string, value: string): ApiError =>
  apiError('Invalid', `the reference to a ${kind} has ${value === '' ? `an empty ${what}` : `the ${what} ${JSON.stringify(value)}`}, which cannot be part of a request path`);

/**
 * The collection path; for a namespaced resource without a namespace, every namespace's.
 * Callers pass a namespace that passed `isUnsafeSegment` (resolveTarget checks it; the transport
 * refuses any path with a dot segment regardless).
 */
export const collectionPath = (resource: ResourceInfo, namespace?: string): string =>
  resource.namespaced && namespace
    ? `${groupVersionPath(resource)}/namespaces/${segment(namespace)}/${resource.plural}`
    : `${groupVersionPath(resource)}/${resource.plural}`;

/** A resolved request target: the resource and the object's path (optionally a subresource). */
export interface Target {
  readonly resource: ResourceInfo;
  readonly path: string;
}

/**
 * The resource of an apiVersion and kind, checked to be usable in `namespace`. This and
 * `resolveTarget` run on every request: plain branches rather than `E.filterOrElse`, whose
 * `dual` in fp-ts 2.16 showed in cold-start profiles.
 */
export const resolveResource =
  (table: ResourceTable) =>
  (apiVersion: string, kind: string, namespace: string | undefined): E.Either<ApiError, ResourceInfo> => {
    const resource = table(apiVersion, kind);
    if (resource === undefined) return E.left(apiError('Invalid', `no REST mapping for kind ${kind} in ${apiVersion}: register it with the 'resources' option`));
    if (resource.namespaced && !namespace) return E.left(apiError('Invalid', `${resource.kind} is namespaced but no namespace was given`));
    return E.right(resource);
  };

/**
 * Resolves a reference to its path. A namespaced kind needs a namespace; a cluster-scoped kind
 * ignores one (references built from owner references may carry the owner's namespace).
 */
export const resolveTarget =
  (table: ResourceTable) =>
  (ref: ObjectRef, subresource?: 'status'): E.Either<ApiError, Target> => {
    const resolved = resolveResource(table)(ref.apiVersion, ref.kind, ref.namespace);
    if (E.isLeft(resolved)) return resolved;
    const resource = resolved.right;
    if (isUnsafeSegment(ref.name)) return E.left(unsafeSegment('name', ref.kind, ref.name));
    if (resource.namespaced && isUnsafeSegment(ref.namespace ?? '')) return E.left(unsafeSegment('namespace', ref.kind, ref.namespace ?? ''));
    return E.right({
      resource,
      path: `${collectionPath(resource, ref.namespace)}/${segment(ref.name)}${subresource ? `/${subresource}` : ''}`,
    });
  };
