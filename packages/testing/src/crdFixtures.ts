/**
 * The CustomResourceDefinitions of the five kinds capt-endpoint reads and writes, for the fake's
 * `crds` option: CAPTControlPlane and WorkspaceTemplateApply (appthrust/capt), Cluster at
 * v1beta1 and v1beta2 (Cluster API 1.11 and later), and provider-terraform's two Workspace
 * kinds. Written for this package from the facts of the published CRDs (types, required fields,
 * patterns, enums, bounds, defaults, served and storage versions, subresources); descriptions
 * are left out.
 *
 * Trimmed where the library never looks, and said so at each place: a trimmed subtree is an
 * object that keeps whatever it holds (`x-kubernetes-preserve-unknown-fields`), so a test can
 * still write it, but its inner rules are not checked.
 */
import { clusterSpecAt } from '@capt-endpoint/core/adapter';
import type { CustomResourceConverter, CustomResourceDefinition } from './crds';
import { isRecord } from './json';
import type { JsonSchema } from './schema';

// ---- schema builders ------------------------------------------------------------------------

const string = (rules: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'string', ...rules });
const integer = (rules: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'integer', ...rules });
const boolean = (rules: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'boolean', ...rules });
const arrayOf = (items: JsonSchema, rules: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'array', items, ...rules });
const object = (properties: Record<string, JsonSchema>, required: readonly string[] = [], rules: Partial<JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  ...rules,
});
const mapOf = (values: JsonSchema): JsonSchema => ({ type: 'object', additionalProperties: values });
/** A subtree the fixture does not spell out: kept whole, its inner rules unchecked. */
const trimmed = (rules: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...rules });
const dateTime = (): JsonSchema => string({ format: 'date-time' });

/** The root of every version's schema: the kind's own fields beside apiVersion, kind and metadata. */
const root = (properties: Record<string, JsonSchema>, required: readonly string[] = []): JsonSchema =>
  object({ apiVersion: string(), kind: string(), metadata: { type: 'object' }, ...properties }, required);

interface VersionFacts {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly deprecated?: boolean;
  readonly schema: JsonSchema;
}

const crd = (group: string, kind: string, plural: string, scope: 'Namespaced' | 'Cluster', versions: readonly VersionFacts[]): CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
    scope,
    versions: versions.map((v) => ({
      name: v.name,
      served: v.served,
      storage: v.storage,
      ...(v.deprecated ? { deprecated: true } : {}),
      schema: { openAPIV3Schema: v.schema },
      subresources: { status: {} },
    })),
  },
});

// ---- shared pieces --------------------------------------------------------------------------

/** The Kubernetes condition-type pattern (metav1.Condition.type, and Cluster API's availability gates). */
export const CONDITION_TYPE_PATTERN =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$';

/** metav1.Condition: five required fields; type and reason have patterns. */
const metav1Condition = object(
  {
    type: string({ maxLength: 316, pattern: CONDITION_TYPE_PATTERN }),
    status: string({ enum: ['True', 'False', 'Unknown'] }),
    observedGeneration: integer({ format: 'int64', minimum: 0 }),
    lastTransitionTime: dateTime(),
    reason: string({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
    message: string({ maxLength: 32768 }),
  },
  ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
);

/** Crossplane's and CAPT's looser condition: four required fields, no patterns. */
const looseCondition = object(
  { type: string(), status: string(), observedGeneration: integer({ format: 'int64' }), lastTransitionTime: dateTime(), reason: string(), message: string() },
  ['type', 'status', 'lastTransitionTime', 'reason'],
);

const nameAndNamespace = (required: readonly string[]): JsonSchema => object({ name: string(), namespace: string() }, required);

// ---- CAPT ---------------------------------------------------------------------------------

/** CAPTControlPlane, controlplane.cluster.x-k8s.io/v1beta1 (namespaced; appthrust/capt config/clusterapi/controlplane/bases). */
export const captControlPlaneCrd: CustomResourceDefinition = crd('controlplane.cluster.x-k8s.io', 'CAPTControlPlane', 'captcontrolplanes', 'Namespaced', [
  {
    name: 'v1beta1',
    served: true,
    storage: true,
    schema: root({
      spec: object(
        {
          version: string(),
          workspaceTemplateRef: nameAndNamespace(['name']),
          workspaceTemplateApplyName: string(),
          controlPlaneEndpoint: object({ host: string(), port: integer({ format: 'int32' }) }, ['host', 'port']),
          additionalTags: mapOf(string()),
          controlPlaneConfig: object(
            {
              region: string({ pattern: '^[a-z]{2}-[a-z]+-[0-9]$' }),
              endpointAccess: object({ public: boolean(), private: boolean(), publicCIDRs: arrayOf(string()) }),
              addons: arrayOf(object({ name: string(), version: string(), configurationValues: string() }, ['name'])),
              timeouts: object({
                controlPlaneTimeout: integer({ minimum: 1, default: 30 }),
                vpcReadyTimeout: integer({ minimum: 1, default: 15 }),
              }),
            },
            ['region'],
          ),
        },
        ['version', 'workspaceTemplateRef'],
      ),
      status: object({
        conditions: arrayOf(metav1Condition),
        ready: boolean(),
        initialized: boolean(),
        phase: string({ enum: ['Creating', 'Ready', 'Failed'] }),
        failureReason: string(),
        failureMessage: string(),
        secretsReady: boolean({ default: false }),
        workspaceStatus: object({ ready: boolean(), state: string(), atProvider: trimmed() }),
        workspaceTemplateStatus: object({
          ready: boolean(),
          state: string(),
          lastAppliedRevision: string(),
          lastFailedRevision: string(),
          lastFailureMessage: string(),
          outputs: mapOf(string()),
        }),
      }),
    }),
  },
]);

/** WorkspaceTemplateApply, infrastructure.cluster.x-k8s.io/v1beta1 (namespaced; appthrust/capt config/clusterapi/infrastructure/bases). */
export const workspaceTemplateApplyCrd: CustomResourceDefinition = crd(
  'infrastructure.cluster.x-k8s.io',
  'WorkspaceTemplateApply',
  'workspacetemplateapplies',
  'Namespaced',
  [
    {
      name: 'v1beta1',
      served: true,
      storage: true,
      schema: root({
        spec: object(
          {
            templateRef: nameAndNamespace(['name']),
            variables: mapOf(string()),
            writeConnectionSecretToRef: nameAndNamespace(['name', 'namespace']),
            retainWorkspaceOnDelete: boolean(),
            waitForSecrets: arrayOf(nameAndNamespace(['name', 'namespace'])),
            waitForWorkspaces: arrayOf(nameAndNamespace(['name'])),
          },
          ['templateRef'],
        ),
        status: object({
          applied: boolean(),
          workspaceName: string(),
          lastAppliedTime: dateTime(),
          conditions: arrayOf(looseCondition),
        }),
      }),
    },
  ],
);

// ---- provider-terraform -------------------------------------------------------------------

const keyRef = (withNamespace: boolean): JsonSchema =>
  withNamespace
    ? object({ key: string(), name: string(), namespace: string() }, ['key', 'name', 'namespace'])
    : object({ key: string(), name: string() }, ['key', 'name']);

const forProvider = (refsWithNamespace: boolean): JsonSchema =>
  object(
    {
      source: string({ enum: ['Remote', 'Inline', 'Flux'] }),
      module: string(),
      inlineFormat: string({ enum: ['HCL', 'JSON'] }),
      entrypoint: string({ default: '' }),
      remotePullPolicy: string({ enum: ['Always', 'IfNotPresent'], default: 'Always' }),
      enableTerraformCLILogging: boolean(),
      vars: arrayOf(object({ key: string(), value: string() }, ['key', 'value'])),
      varmap: trimmed(),
      varFiles: arrayOf(
        object(
          {
            source: string({ enum: ['ConfigMapKey', 'SecretKey'] }),
            format: string({ enum: ['HCL', 'JSON'], default: 'HCL' }),
            configMapKeyRef: keyRef(refsWithNamespace),
            secretKeyRef: keyRef(refsWithNamespace),
          },
          ['source'],
        ),
      ),
      env: arrayOf(
        object({ name: string(), value: string(), configMapKeyRef: keyRef(refsWithNamespace), secretKeyRef: keyRef(refsWithNamespace) }, ['name']),
      ),
      initArgs: arrayOf(string()),
      planArgs: arrayOf(string()),
      applyArgs: arrayOf(string()),
      destroyArgs: arrayOf(string()),
    },
    ['module', 'source'],
  );

const managementPolicies = arrayOf(string({ enum: ['Observe', 'Create', 'Update', 'Delete', 'LateInitialize', '*'] }), { default: ['*'] });

const workspaceStatus = object({
  atProvider: object({
    checksum: string(),
    remoteSource: string(),
    // Each output keeps its native JSON value: string, number, bool, list or object.
    outputs: mapOf({ 'x-kubernetes-preserve-unknown-fields': true }),
  }),
  conditions: arrayOf(looseCondition, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  observedGeneration: integer({ format: 'int64' }),
  lastHandledReconcileAt: string(),
});

/**
 * Workspace, tf.upbound.io/v1beta1 (cluster-scoped; provider-terraform package/crds). Carries
 * the fields of both release lines: `publishConnectionDetailsTo` exists up to 0.x (Crossplane
 * v1) and was removed in 1.x; `remotePullPolicy` came in 1.x.
 */
export const workspaceCrd: CustomResourceDefinition = crd('tf.upbound.io', 'Workspace', 'workspaces', 'Cluster', [
  {
    name: 'v1beta1',
    served: true,
    storage: true,
    schema: root(
      {
        spec: object(
          {
            forProvider: forProvider(true),
            deletionPolicy: string({ enum: ['Orphan', 'Delete'], default: 'Delete' }),
            managementPolicies,
            providerConfigRef: object({ name: string(), policy: trimmed() }, ['name'], { default: { name: 'default' } }),
            writeConnectionSecretToRef: nameAndNamespace(['name', 'namespace']),
            publishConnectionDetailsTo: object(
              {
                name: string(),
                configRef: object({ name: string(), policy: trimmed() }, ['name'], { default: { name: 'default' } }),
                metadata: object({ labels: mapOf(string()), annotations: mapOf(string()), type: string() }),
              },
              ['name'],
            ),
          },
          ['forProvider'],
        ),
        status: workspaceStatus,
      },
      ['spec'],
    ),
  },
]);

/** Workspace, tf.m.upbound.io/v1beta1 (namespaced, Crossplane v2; provider-terraform package/crds). The Secret is in the Workspace's namespace. */
export const namespacedWorkspaceCrd: CustomResourceDefinition = crd('tf.m.upbound.io', 'Workspace', 'workspaces', 'Namespaced', [
  {
    name: 'v1beta1',
    served: true,
    storage: true,
    schema: root(
      {
        spec: object(
          {
            forProvider: forProvider(false),
            managementPolicies,
            providerConfigRef: object({ kind: string(), name: string() }, ['kind', 'name'], {
              default: { kind: 'ClusterProviderConfig', name: 'default' },
            }),
            writeConnectionSecretToRef: object({ name: string() }, ['name']),
          },
          ['forProvider'],
        ),
        status: workspaceStatus,
      },
      ['spec'],
    ),
  },
]);

// ---- Cluster API --------------------------------------------------------------------------

const dnsSubdomain = (maxLength: number): JsonSchema =>
  string({ minLength: 1, maxLength, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' });

const availabilityGates = (rules: Partial<JsonSchema>): JsonSchema =>
  arrayOf(
    object(
      {
        conditionType: string({ minLength: 1, maxLength: 316, pattern: CONDITION_TYPE_PATTERN }),
        polarity: string({ enum: ['Positive', 'Negative'] }),
      },
      ['conditionType'],
    ),
    { maxItems: 32, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['conditionType'], ...rules },
  );

const cidrBlocks = (rules: Partial<JsonSchema>): JsonSchema =>
  object({ cidrBlocks: arrayOf(string({ minLength: 1, maxLength: 43 }), { maxItems: 100, ...rules }) }, ['cidrBlocks']);

const clusterPhase = string({ enum: ['Pending', 'Provisioning', 'Provisioned', 'Deleting', 'Failed', 'Unknown'] });

/** v1beta1: references are full object references; the endpoint has no lower bounds, so "unset" is `{host: "", port: 0}`. */
const clusterV1beta1 = root({
  spec: object({
    paused: boolean(),
    availabilityGates: availabilityGates({}),
    clusterNetwork: object({
      apiServerPort: integer({ format: 'int32' }),
      serviceDomain: string({ minLength: 1, maxLength: 253 }),
      pods: cidrBlocks({}),
      services: cidrBlocks({}),
    }),
    controlPlaneEndpoint: object({ host: string({ maxLength: 512 }), port: integer({ format: 'int32' }) }),
    controlPlaneRef: object(
      { apiVersion: string(), kind: string(), name: string(), namespace: string(), uid: string(), resourceVersion: string(), fieldPath: string() },
      [],
      { 'x-kubernetes-map-type': 'atomic' },
    ),
    infrastructureRef: object(
      { apiVersion: string(), kind: string(), name: string(), namespace: string(), uid: string(), resourceVersion: string(), fieldPath: string() },
      [],
      { 'x-kubernetes-map-type': 'atomic' },
    ),
    // Trimmed: the managed topology (class, version, workers, variables).
    topology: trimmed(),
  }),
  status: object({
    conditions: arrayOf(
      object(
        {
          type: string({ minLength: 1, maxLength: 256 }),
          status: string(),
          severity: string({ maxLength: 32 }),
          lastTransitionTime: dateTime(),
          reason: string({ minLength: 1, maxLength: 256 }),
          message: string({ minLength: 1, maxLength: 10240 }),
        },
        ['type', 'status', 'lastTransitionTime'],
      ),
    ),
    phase: clusterPhase,
    controlPlaneReady: boolean(),
    infrastructureReady: boolean(),
    observedGeneration: integer({ format: 'int64' }),
    failureReason: string(),
    failureMessage: string({ minLength: 1, maxLength: 10240 }),
    // Trimmed: failure domains and the v1beta2 conditions carried in v1beta1.
    failureDomains: trimmed(),
    v1beta2: trimmed(),
  }),
});

const contractReference = object({ apiGroup: dnsSubdomain(253), kind: string({ minLength: 1, maxLength: 63, pattern: '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$' }), name: dnsSubdomain(253) }, [
  'apiGroup',
  'kind',
  'name',
]);

/** v1beta2: references name an API group; the endpoint is bounded, so "unset" can only be absent. */
const clusterV1beta2 = root(
  {
    spec: object(
      {
        paused: boolean(),
        availabilityGates: availabilityGates({ minItems: 1 }),
        clusterNetwork: object(
          {
            apiServerPort: integer({ format: 'int32', minimum: 1, maximum: 65535 }),
            serviceDomain: string({ minLength: 1, maxLength: 253 }),
            pods: cidrBlocks({ minItems: 1, 'x-kubernetes-list-type': 'atomic' }),
            services: cidrBlocks({ minItems: 1, 'x-kubernetes-list-type': 'atomic' }),
          },
          [],
          { minProperties: 1 },
        ),
        controlPlaneEndpoint: object(
          { host: string({ minLength: 1, maxLength: 512 }), port: integer({ format: 'int32', minimum: 1, maximum: 65535 }) },
          [],
          { minProperties: 1 },
        ),
        controlPlaneRef: contractReference,
        infrastructureRef: contractReference,
        // Trimmed: the managed topology (classRef, version, workers, variables).
        topology: trimmed(),
      },
      [],
      { minProperties: 1 },
    ),
    status: object(
      {
        conditions: arrayOf(metav1Condition, { maxItems: 32, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
        phase: clusterPhase,
        observedGeneration: integer({ format: 'int64', minimum: 1 }),
        initialization: object({ infrastructureProvisioned: boolean(), controlPlaneInitialized: boolean() }, [], { minProperties: 1 }),
        // Trimmed: replica counters, failure domains and the deprecated v1beta1 fields.
        controlPlane: trimmed(),
        workers: trimmed(),
        failureDomains: arrayOf(trimmed(), { minItems: 1, maxItems: 100 }),
        deprecated: trimmed(),
      },
      [],
      { minProperties: 1 },
    ),
  },
  ['spec'],
);

/**
 * Cluster, cluster.x-k8s.io (namespaced; kubernetes-sigs/cluster-api core/config/crd/bases):
 * served at v1beta1 (deprecated) and v1beta2, stored at v1beta2, as since Cluster API 1.11.
 * `clusterCrdWith` gives other served/storage choices (v1beta1 stops being served in 1.16).
 */
export const clusterCrdWith = (served: { readonly v1beta1: boolean; readonly v1beta2: boolean } = { v1beta1: true, v1beta2: true }): CustomResourceDefinition =>
  crd('cluster.x-k8s.io', 'Cluster', 'clusters', 'Namespaced', [
    { name: 'v1beta1', served: served.v1beta1, storage: false, deprecated: true, schema: clusterV1beta1 },
    { name: 'v1beta2', served: served.v1beta2, storage: true, schema: clusterV1beta2 },
  ]);

export const clusterCrd: CustomResourceDefinition = clusterCrdWith();

/**
 * The five kinds, for `crds`: `createFakeClient(objects, { crds: captEndpointCrds })`. Written
 * from the published CRDs (types, required fields, patterns, enums, bounds, defaults, served and
 * storage versions; no descriptions); subtrees the library never reads (a Cluster's topology,
 * failure domains) are trimmed to objects that keep whatever they hold, unchecked.
 */
export const captEndpointCrds: readonly CustomResourceDefinition[] = [
  captControlPlaneCrd,
  workspaceTemplateApplyCrd,
  clusterCrd,
  workspaceCrd,
  namespacedWorkspaceCrd,
];

/**
 * Cluster API's conversion of the one field the library writes: an unset endpoint is
 * `{host: "", port: 0}` at v1beta1 and absent at v1beta2. Everything else converts as with
 * strategy None (field names that differ between the versions, such as the references, are
 * not converted). Pass it as `convert` beside `clusterCrd`.
 */
export const clusterEndpointConverter: CustomResourceConverter = (object, toApiVersion) => {
  const spec = object['spec'];
  if (!isRecord(spec) || object.kind !== 'Cluster') return object;
  return { ...object, spec: { ...clusterSpecAt(spec, toApiVersion) } };
};
