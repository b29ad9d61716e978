/**
 * @capt-endpoint/core/adapter: what the adapters around the core and the fake API need and a
 * controller author does not: the API versions and resource table of the kinds read, the
 * finders and plans without `Either`, the write record and field-writer rules behind the plan,
 * the name checks, escaping tenant text, and the constructors of outcomes and errors an adapter
 * returns. The types a controller author names stay in `@capt-endpoint/core`.
 *
 * @packageDocumentation
 */
export { canonicalHost } from './parseEndpoint';
export { quoteValue } from './quote';
export { endpointRangeOf, refusedRange } from './endpointPolicy';
export { inert, inertDeep } from './inert';
export { checkName, isDnsLabel, isDnsSubdomain, nameRuleOf, type NameSource } from './names';
export { findInSecret, findInWorkspace, invalid, notYetAvailable } from './locate';
export { isValueError, planCleanup, planUpdate } from './plan';
export { describeWriter, endpointWriter, managedFieldsOf, type FieldWriter } from './writers';
export { decideEndpointWrite, writeRecordOf, type ContestSettings, type Contested, type MayWrite, type WriteDecision } from './contest';
export { heldEndpointOf, showHeld } from './heldEndpoint';
export { emptyOutcome } from './outcome';
export { apiError, parseError, ENDPOINT_PARSE_ERROR_TAGS } from './errors';
export { StoredEndpoint, decodeObject, type DecodeMemo } from './objects';
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
  WORKSPACE_TEMPLATE_APPLY_API_VERSION,
  type ResourceInfo,
} from './kinds';
