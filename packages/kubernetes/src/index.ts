/**
 * @capt-endpoint/kubernetes: core's ClusterClient for real clusters, over @kubernetes/client-node.
 * Plain (one request a call) or cached (informers), plus an optional, rate-limited event recorder.
 */
export { createKubernetesClient, DEFAULT_FIELD_MANAGER, DEFAULT_TIMEOUT_MS, MERGE_PATCH } from './kubernetesClient';
export type { KubernetesClient, KubernetesClientOptions } from './kubernetesClient';
export { createCachedKubernetesClient, defaultCachedKinds, CONNECTION_SECRET_SELECTOR } from './cachedClient';
export type { CachedKubernetesClient, CachedKubernetesClientOptions, CachedKind, Backoff, CacheChange, ChangeType, Retry } from './cachedClient';
export { createEventRecorder, MAX_EVENT_MESSAGE } from './eventRecorder';
export { endpointEventFor } from './endpointEvents';
export type { EventRecorder, EventRecorderOptions, EventInput, EventSink, RecordResult } from './eventRecorder';
export { fromResponse, fromThrown, kindOfStatus, MAX_MESSAGE_LENGTH } from './apiErrors';
export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_WATCH_LINE_BYTES } from './transport';
export { DEFAULT_MAX_LIST_PAGES } from './informer';
export { resourceTable, collectionPath, resolveTarget } from './resources';
export type { ResourceTable, Target } from './resources';
