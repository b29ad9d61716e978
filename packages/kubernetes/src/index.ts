/**
 * @capt-endpoint/kubernetes: core's ClusterClient for real clusters, over @kubernetes/client-node.
 * Plain (one request a call) or cached (informers), plus an optional, rate-limited event recorder.
 *
 * @packageDocumentation
 */
export { createKubernetesClient, DEFAULT_TIMEOUT_MS, type KubernetesClient, type KubernetesClientOptions } from './kubernetesClient';
export {
  createCachedKubernetesClient,
  defaultCachedKinds,
  CONNECTION_SECRET_SELECTOR,
  type Backoff,
  type CacheChange,
  type CachedKind,
  type SecretCache,
  type CachedKubernetesClient,
  type CachedKubernetesClientOptions,
  type Retry,
} from './cachedClient';
export { DEFAULT_MAX_LIST_PAGES, backoffDelay } from './informer';
export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_WATCH_LINE_BYTES, kubeConfigProblem } from './transport';
export {
  createEventRecorder,
  type EventInput,
  type EventRecorder,
  type EventRecorderOptions,
  type EventSink,
  type RecordResult,
} from './eventRecorder';
export { endpointEventFor } from './endpointEvents';
export { fromThrown as apiErrorOfThrown } from './apiErrors';
