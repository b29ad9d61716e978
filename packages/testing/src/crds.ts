/**
 * CustomResourceDefinitions for the fake: what the API server learns from a CRD (the kind's
 * scope, plural, served versions, storage version, schemas and status subresource) and the
 * conversion between versions. Given as CRD objects (apiextensions.k8s.io/v1) or as
 * multi-document YAML text, exactly as `kubectl get crd -o yaml` or `config/crd/bases` has them.
 */
import type { KubeObject } from '@capt-endpoint/core';
import { groupOf, type ResourceInfo } from '@capt-endpoint/core/adapter';
import { isRecord, toJson } from './json';
import { objectsFromYaml } from './yaml';
import type { JsonSchema } from './schema';

/** A CustomResourceDefinition as the fake reads it (the fields it needs; others are ignored). */
export interface CustomResourceDefinition {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string; readonly [key: string]: unknown };
  readonly spec: {
    readonly group: string;
    readonly names: { readonly kind: string; readonly plural: string; readonly [key: string]: unknown };
    readonly scope: 'Namespaced' | 'Cluster';
    readonly versions: ReadonlyArray<{
      readonly name: string;
      readonly served: boolean;
      readonly storage: boolean;
      readonly deprecated?: boolean;
      readonly schema?: { readonly openAPIV3Schema: JsonSchema };
      readonly subresources?: { readonly status?: Record<string, never> | object; readonly [key: string]: unknown };
      readonly [key: string]: unknown;
    }>;
    readonly conversion?: { readonly strategy: string; readonly [key: string]: unknown };
    readonly [key: string]: unknown;
  };
}

/** CRDs as objects (`CustomResourceDefinition` or plain parsed JSON) or as multi-document YAML text. */
export type CrdSource = string | ReadonlyArray<CustomResourceDefinition | KubeObject>;

/**
 * Turns an object read at one version of a custom resource into another served version. It gets
 * a copy it may change and the apiVersion wanted; the fake sets `apiVersion` on what it returns.
 * The default is the API server's conversion strategy `None`: only apiVersion changes.
 */
export type CustomResourceConverter = (object: KubeObject, toApiVersion: string) => KubeObject;

export interface CrdVersion {
  readonly name: string;
  readonly apiVersion: string;
  readonly served: boolean;
  readonly schema: JsonSchema | undefined;
  readonly statusSubresource: boolean;
}

/** One custom resource kind, as the API server serves it. */
export interface CustomResource {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly versions: ReadonlyMap<string, CrdVersion>;
  /** The apiVersion objects are stored at. */
  readonly storageApiVersion: string;
}

const groupKindKey = (group: string, kind: string): string => `${group}/${kind}`;

const problem = (name: string, what: string): Error => new Error(`CustomResourceDefinition ${name}: ${what}`);

const customResourceOf = (input: unknown): CustomResource => {
  if (!isRecord(input) || input['kind'] !== 'CustomResourceDefinition' || input['apiVersion'] !== 'apiextensions.k8s.io/v1')
    throw new Error('a CRD must be an apiextensions.k8s.io/v1 CustomResourceDefinition');
  const crd = input as unknown as CustomResourceDefinition;
  const name = typeof crd.metadata?.name === 'string' ? crd.metadata.name : '(no name)';
  const spec = crd.spec;
  if (!isRecord(spec) || typeof spec.group !== 'string' || !isRecord(spec.names) || typeof spec.names.kind !== 'string' || typeof spec.names.plural !== 'string')
    throw problem(name, 'spec.group, spec.names.kind and spec.names.plural are required');
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') throw problem(name, 'spec.scope must be Namespaced or Cluster');
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) throw problem(name, 'spec.versions must list at least one version');
  // Array.isArray widens a readonly array to any[]: name the declared element type again.
  const declared: CustomResourceDefinition['spec']['versions'] = spec.versions;
  const storage = declared.filter((v) => v.storage === true);
  if (storage.length !== 1) throw problem(name, 'exactly one version must be the storage version');
  const apiVersionOf = (version: string): string => `${spec.group}/${version}`;
  const versions = new Map<string, CrdVersion>(
    declared.map((v) => [
      apiVersionOf(v.name),
      {
        name: v.name,
        apiVersion: apiVersionOf(v.name),
        served: v.served === true,
        schema: v.schema?.openAPIV3Schema,
        statusSubresource: isRecord(v.subresources) && v.subresources['status'] !== undefined,
      },
    ]),
  );
  return {
    group: spec.group,
    kind: spec.names.kind,
    plural: spec.names.plural,
    namespaced: spec.scope === 'Namespaced',
    versions,
    storageApiVersion: apiVersionOf((storage[0] as { name: string }).name),
  };
};

/** The CRD objects of a `CrdSource` (YAML text is parsed; a `v1 List` stands for its items). */
export const crdObjectsOf = (source: CrdSource): unknown[] => (typeof source === 'string' ? objectsFromYaml(source) : source.map(toJson));

/** Sets the apiVersion, as conversion strategy None does and every converter's result gets. */
export const convertNone: CustomResourceConverter = (object, toApiVersion) => ({ ...object, apiVersion: toApiVersion });

/** The custom resources a store knows, by group and kind. */
export class CustomResources {
  private readonly byGroupKind = new Map<string, CustomResource>();

  constructor(
    source: CrdSource = [],
    private readonly converter: CustomResourceConverter = convertNone,
  ) {
    for (const crd of crdObjectsOf(source)) {
      const resource = customResourceOf(crd);
      this.byGroupKind.set(groupKindKey(resource.group, resource.kind), resource);
    }
  }

  get size(): number {
    return this.byGroupKind.size;
  }

  /** The custom resource for an object's apiVersion and kind (at any version, served or not). */
  of(apiVersion: string, kind: string): CustomResource | undefined {
    // Asked several times per request: without CRDs, no key is built.
    return this.byGroupKind.size === 0 ? undefined : this.byGroupKind.get(groupKindKey(groupOf(apiVersion), kind));
  }

  all(): CustomResource[] {
    return [...this.byGroupKind.values()];
  }

  /** `object` at `toApiVersion`, through the converter; a copy when the version is the same. */
  convert(object: KubeObject, toApiVersion: string): KubeObject {
    if (object.apiVersion === toApiVersion) return object;
    return { ...this.converter(toJson(object), toApiVersion), apiVersion: toApiVersion };
  }

  /** The REST resources of every served version, for the loopback server's routes. */
  servedResources(): ResourceInfo[] {
    return this.all().flatMap((resource) =>
      [...resource.versions.values()]
        .filter((v) => v.served)
        .map((v) => ({ group: resource.group, version: v.name, kind: resource.kind, plural: resource.plural, namespaced: resource.namespaced })),
    );
  }
}
