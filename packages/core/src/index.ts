/**
 * @capt-endpoint/core: keeps a CAPT control plane's endpoint right. The endpoint grammar,
 * locating the endpoint in a Workspace or its connection Secret, the plan, the condition, the
 * reconcile, the errors, the port to a Kubernetes API and the kinds it reads. Everything here
 * is total: functions return values, `Either`s or `TaskEither`s and never throw.
 *
 * JSON and cache helpers for adapters live at `@capt-endpoint/core/json`.
 *
 * @packageDocumentation
 */
export { parseEndpoint, canonicalHost, type ParseEndpointOptions } from './parseEndpoint';
export { quoteValue } from './quote';
export { endpointRangeOf, isEndpointRange, refusedRange, ENDPOINT_RANGES, type EndpointRange } from './endpointPolicy';
export { inert, inertDeep } from './inert';
export { checkName, isDnsLabel, isDnsSubdomain, nameRuleOf, type NameSource } from './names';
export { endpointsEqual, endpointUrl, formatHostPort, isEndpointSet } from './endpoint';
export type { ApiEndpoint } from './apiEndpoint';
export {
  findInSecret,
  findInWorkspace,
  invalid,
  locateInSecret,
  locateInWorkspace,
  notYetAvailable,
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
  isValueError,
  planCleanup,
  planEndpointCleanup,
  planEndpointUpdate,
  planUpdate,
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
export { describeWriter, endpointWriter, managedFieldsOf, type FieldWriter } from './writers';
export {
  decideEndpointWrite,
  writeRecordOf,
  DEFAULT_CONTEST_WINDOW,
  ENDPOINT_WRITES_ANNOTATION,
  type ContestSettings,
  type Contested,
  type MayWrite,
  type WriteDecision,
  type WriteRecord,
} from './contest';
export { heldEndpointOf, showHeld, type HeldEndpoint } from './heldEndpoint';
export {
  findCondition,
  planCondition,
  DEFAULT_CONDITION_TYPE,
  type ConditionStatus,
  type ConditionUpdate,
  type DesiredCondition,
} from './condition';
export { reconcileEndpoint, type ReconcileOptions, type ReconcileTarget } from './reconcile';
export { emptyOutcome, type ReconcileOutcome, type ReconcileResult, type WrittenObject } from './outcome';
export {
  apiError,
  isEndpointError,
  parseError,
  renderError,
  ENDPOINT_PARSE_ERROR_TAGS,
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
export {
  CAPTControlPlane,
  Cluster,
  Condition,
  Secret,
  StoredEndpoint,
  Workspace,
  WorkspaceTemplateApply,
  decodeObject,
  type DecodeMemo,
} from './objects';
export {
  resourceFor,
  groupOf,
  clusterSpecAt,
  CLUSTER_API_VERSIONS,
  CLUSTER_GROUP,
  CLUSTER_SCOPED_WORKSPACE_API_VERSION,
  CONTROL_PLANE_API_VERSION,
  KNOWN_RESOURCES,
  NAMESPACED_WORKSPACE_API_VERSION,
  WORKSPACE_API_VERSIONS,
  WORKSPACE_TEMPLATE_APPLY_API_VERSION,
  type ResourceInfo,
  type WorkspaceApiVersion,
} from './kinds';
