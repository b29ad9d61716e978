/**
 * @capt-endpoint/core: keeps a CAPT control plane's endpoint right. What a controller author
 * calls and the types they name: the endpoint grammar, locating the endpoint in a Workspace or
 * its connection Secret, the plan, the condition, the reconcile, the errors, the port to a
 * Kubernetes API and the objects it reads. Everything here is total: functions return values,
 * `Either`s or `TaskEither`s and never throw.
 *
 * What only adapters and fakes need (API versions, resource tables, finders, plan internals,
 * name checks, escaping) lives at `@capt-endpoint/core/adapter`; JSON and cache helpers at
 * `@capt-endpoint/core/json`. This list is curated by name: a new export is a decision.
 *
 * @packageDocumentation
 */
export { parseEndpoint, type ParseEndpointOptions } from './parseEndpoint';
export { isEndpointRange, ENDPOINT_RANGES, type EndpointRange } from './endpointPolicy';
export { endpointsEqual, endpointUrl, formatHostPort, isEndpointSet } from './endpoint';
export type { ApiEndpoint } from './apiEndpoint';
export {
  locateInSecret,
  locateInWorkspace,
  DEFAULT_OUTPUT_KEYS,
  type Found,
  type Invalid,
  type LocateOptions,
  type Location,
  type NeedSecret,
  type NotYetAvailable,
  type OutputKey,
  type WaitingOn,
} from './locate';
export {
  planEndpointCleanup,
  planEndpointUpdate,
  type CleanupPlan,
  type Contest,
  type Drift,
  type EndpointObject,
  type EndpointChangePolicy,
  type EndpointPlan,
  type PlanOptions,
  type PlanTag,
  type Repair,
  type Resolution,
} from './plan';
export { DEFAULT_CONTEST_WINDOW, ENDPOINT_WRITES_ANNOTATION, type WriteRecord } from './contest';
export type { HeldEndpoint } from './heldEndpoint';
export {
  findCondition,
  planCondition,
  DEFAULT_CONDITION_TYPE,
  type ConditionStatus,
  type ConditionUpdate,
  type DesiredCondition,
} from './condition';
export { reconcileEndpoint, type ReconcileOptions, type ReconcileTarget } from './reconcile';
export type { ReconcileOutcome, ReconcileResult, WrittenObject } from './outcome';
export {
  isEndpointError,
  renderError,
  type ApiError,
  type ApiErrorKind,
  type ConflictRetriesExhausted,
  type EndpointError,
  type EndpointNotAllowed,
  type EndpointParseError,
  type EndpointSource,
  type InvalidEndpointValue,
  type InvalidName,
  type InvalidOptions,
  type NameRule,
  type ObjectDecodeError,
  type RequestFailed,
  type SecretNamespaceNotAllowed,
  type SecretRef,
  type UndecodableSecretValue,
  type ValueError,
} from './errors';
export { describeRef, refOf, DEFAULT_FIELD_MANAGER, type KubeObject, type MergePatch, type ObjectRef } from './objectRef';
export type {
  ChangeType,
  ClusterClient,
  GetOptions,
  ObjectChange,
  ObjectRead,
  PatchOptions,
  RequestOptions,
  SteadyMemo,
} from './clusterClient';
export type { Logger } from './logger';
export { CAPTControlPlane, Cluster, Condition, Secret, Workspace, WorkspaceTemplateApply } from './objects';
export { WORKSPACE_API_VERSIONS, type WorkspaceApiVersion } from './kinds';
