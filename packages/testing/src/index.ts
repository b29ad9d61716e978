/**
 * @capt-endpoint/testing: an in-memory Kubernetes API for tests. `ObjectStore` holds the API
 * server's semantics; `createFakeClient` puts the core's `ClusterClient` in front of it, with
 * error injection and call recording; `startFakeApiServer` serves the same store over loopback
 * HTTP so the real `@kubernetes/client-node` can talk to it.
 *
 * @packageDocumentation
 */
export { createFakeClient, FakeClient, type FakeClientOptions, type RecordedCall } from './fakeClient';
export type {
  Call,
  CallMatch,
  Failure,
  FailureHandle,
  FailureRule,
  FailureShorthand,
  RandomFailures,
  Verb,
  VerbSelector,
} from './faults';
export {
  ObjectStore,
  type Change,
  type KindFilter,
  type ObjectList,
  type ObjectStoreOptions,
  type WriteOptions,
  type StoreSnapshot,
  type WatchEvent,
  type WatchEventType,
  type WatchListener,
} from './store';
export {
  startFakeApiServer,
  type FakeApiServer,
  type FakeApiServerOptions,
  type InjectedResponse,
  type RecordedRequest,
  type RequestInjection,
} from './server';
export { objectsFromYaml, YamlDocumentError, DEFAULT_YAML_LIMITS, type YamlLimits, type YamlProblem } from './yaml';
export { startHostileApiServer, type HostileApiServer, type HostileEcho, type HostileServerOptions, type HostileList, type HostileWatch } from './hostileServer';
export {
  captEndpointCrds,
  captControlPlaneCrd,
  workspaceTemplateApplyCrd,
  clusterCrd,
  clusterCrdWith,
  workspaceCrd,
  namespacedWorkspaceCrd,
  clusterEndpointConverter,
  CONDITION_TYPE_PATTERN,
} from './crdFixtures';
export {
  convertNone,
  type CrdSource,
  type CrdVersion,
  type CustomResource,
  type CustomResourceConverter,
  type CustomResourceDefinition,
  type CustomResources,
} from './crds';
export { isNotServed, isInvalidObjectError, type InvalidObjectError } from './apiErrors';
export { fieldOwners, lastWriterOf, managedFieldsAfter, type FieldsV1, type FieldWriter, type ManagedFieldsEntry } from './managedFields';
export type { JsonSchema, StatusCause } from './schema';
export { CaptSimulator, CAPT_FIELD_MANAGER, type CaptPass, type CaptSimulatorOptions } from './captSimulator';
export { answerAccessReview, SUBJECT_ACCESS_REVIEWS_PATH, TOKEN_REVIEWS_PATH, type AccessReviews, type ReviewedAccess, type ReviewUser } from './accessReviews';
