/**
 * @capt-endpoint/core/json: helpers for the adapters and caches around the core, not part of
 * its domain. Copying, deep-freezing, structural sharing and string pooling of JSON values (what
 * a cache of Kubernetes objects needs to hand out objects safely, ADR 0070), JSON merge patch
 * (RFC 7386) as the API server applies it, and the wire form of timestamps.
 *
 * @packageDocumentation
 */
export { copyJsonValue, freezeJsonValue, omitKey, reuseUnchanged } from './jsonValue';
export { createStringPool, internStrings, type StringPool, type StringPoolOptions } from './stringPool';
export { isRecord } from './jsonObject';
export { applyMergePatch } from './mergePatch';
export { kubeTime } from './time';
