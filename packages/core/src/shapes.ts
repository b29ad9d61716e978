/**
 * Guards for the shapes of the objects a reconcile reads on every pass, written out by hand:
 * for each codec of objects.ts, a function that answers true exactly when that codec's `decode`
 * succeeds and hands back its input itself, reading the same fields in the same way (each
 * field once; an array by its length and index, holes included; a record by `Object.keys`). A
 * guard that holds stands for the decode; one that does not sends the object to the codec,
 * which names what is wrong (or, for a NaN, which io-ts counts as a changed value, decodes it
 * to a copy). `codec.is` will not do: it skips the holes of a sparse array, which `decode`
 * refuses.
 *
 * The property tests hold each guard against its codec. Not exported from the package.
 */

type Guard = (u: unknown) => boolean;

/** io-ts `UnknownRecord`. */
const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === 'object' && !Array.isArray(u);

const isString = (u: unknown): boolean => typeof u === 'string';
/** A number decode keeps as it is: io-ts copies the object around a NaN (NaN !== NaN). */
const isNumber = (u: unknown): boolean => typeof u === 'number' && !Number.isNaN(u);
const isBoolean = (u: unknown): boolean => typeof u === 'boolean';

/** A `t.partial` field: absent (undefined), or of its type. */
const optional = (u: unknown, guard: Guard): boolean => u === undefined || guard(u);

/** `t.array(item)`, as decode reads it: every index below `length`. */
const arrayOf =
  (item: Guard): Guard =>
  (u) => {
    if (!Array.isArray(u)) return false;
    const items: readonly unknown[] = u;
    const length = items.length;
    for (let i = 0; i < length; i++) if (!item(items[i])) return false;
    return true;
  };

/** `t.record(t.string, t.string)`. */
const isStringRecord: Guard = (u) => {
  if (!isRecord(u)) return false;
  for (const key of Object.keys(u)) if (typeof u[key] !== 'string') return false;
  return true;
};

/** `t.record(t.string, t.unknown)`: anything goes, but for a NaN (see `isNumber`). */
const isRecordOfAnything: Guard = (u) => {
  if (!isRecord(u)) return false;
  for (const key of Object.keys(u)) if (Number.isNaN(u[key])) return false;
  return true;
};

const isOwnerReference: Guard = (u) =>
  isRecord(u) && isString(u['apiVersion']) && isString(u['kind']) && isString(u['name']) && optional(u['uid'], isString) && optional(u['controller'], isBoolean);

const isOwnerReferences = arrayOf(isOwnerReference);

const isMetadata: Guard = (u) =>
  isRecord(u) &&
  isString(u['name']) &&
  optional(u['namespace'], isString) &&
  optional(u['resourceVersion'], isString) &&
  optional(u['generation'], isNumber) &&
  optional(u['uid'], isString) &&
  optional(u['deletionTimestamp'], isString) &&
  optional(u['labels'], isStringRecord) &&
  optional(u['annotations'], isStringRecord) &&
  optional(u['ownerReferences'], isOwnerReferences);

/** `StoredEndpoint`. */
const isStoredEndpoint: Guard = (u) => isRecord(u) && optional(u['host'], isString) && optional(u['port'], isNumber);

/** `Condition`. */
const isCondition: Guard = (u) =>
  isRecord(u) &&
  isString(u['type']) &&
  isString(u['status']) &&
  optional(u['reason'], isString) &&
  optional(u['message'], isString) &&
  optional(u['lastTransitionTime'], isString) &&
  optional(u['observedGeneration'], isNumber);

/** The Workspace's conditions: type, status and reason only. */
const isWorkspaceCondition: Guard = (u) => isRecord(u) && isString(u['type']) && isString(u['status']) && optional(u['reason'], isString);

/** `object(apiVersion, kind, props)` of objects.ts: the identity fields, then the kind's own. */
const kubeObject =
  (apiVersions: readonly string[], kind: string, props: (u: Record<string, unknown>) => boolean): Guard =>
  (u) =>
    isRecord(u) && apiVersions.includes(u['apiVersion'] as string) && u['kind'] === kind && isMetadata(u['metadata']) && props(u);

const record =
  (props: (u: Record<string, unknown>) => boolean): Guard =>
  (u) =>
    isRecord(u) && props(u);

const controlPlaneSpec = record((spec) => optional(spec['workspaceTemplateApplyName'], isString) && optional(spec['controlPlaneEndpoint'], isStoredEndpoint));
const controlPlaneStatus = record((status) => optional(status['conditions'], arrayOf(isCondition)));

export const isCAPTControlPlane = kubeObject(
  ['controlplane.cluster.x-k8s.io/v1beta1'],
  'CAPTControlPlane',
  (u) => optional(u['spec'], controlPlaneSpec) && optional(u['status'], controlPlaneStatus),
);

const clusterSpec = record((spec) => optional(spec['controlPlaneEndpoint'], isStoredEndpoint));

export const isCluster = kubeObject(['cluster.x-k8s.io/v1beta1', 'cluster.x-k8s.io/v1beta2'], 'Cluster', (u) => optional(u['spec'], clusterSpec));

const applyStatus = record((status) => optional(status['workspaceName'], isString));

export const isWorkspaceTemplateApply = kubeObject(['infrastructure.cluster.x-k8s.io/v1beta1'], 'WorkspaceTemplateApply', (u) => optional(u['status'], applyStatus));

const isSecretRef = record((ref) => isString(ref['name']) && optional(ref['namespace'], isString));
const workspaceSpec = record((spec) => {
  // `t.unknown`: anything goes, but for a NaN (see `isNumber`).
  return optional(spec['writeConnectionSecretToRef'], isSecretRef) && !Number.isNaN(spec['publishConnectionDetailsTo']);
});
const atProvider = record((at) => optional(at['outputs'], isRecordOfAnything));
const workspaceStatus = record((status) => optional(status['atProvider'], atProvider) && optional(status['conditions'], arrayOf(isWorkspaceCondition)));

export const isWorkspace = kubeObject(['tf.upbound.io/v1beta1', 'tf.m.upbound.io/v1beta1'], 'Workspace', (u) => optional(u['spec'], workspaceSpec) && optional(u['status'], workspaceStatus));
