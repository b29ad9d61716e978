/** The store of API-server semantics shared by the fake client and the loopback server (see `ObjectStore`). */
import * as E from 'fp-ts/lib/Either.js';
import { refOf, type ApiError, type KubeObject, type MergePatch, type ObjectRef } from '@capt-endpoint/core';
import { resourceFor } from '@capt-endpoint/core/adapter';
import { applyMergePatch, freezeJsonValue, kubeTime } from '@capt-endpoint/core/json';
import { alreadyExists, badRequest, conflict, expired, invalid, invalidObject, notFound, notServed, tooDeep } from './apiErrors';
import { CustomResources, type CrdSource, type CustomResourceConverter } from './crds';
import { MAX_JSON_DEPTH, copy, isPlainJson, isRecord, jsonEqual, nestsDeeperThan, toJson } from './json';
import { managedFieldsAfter } from './managedFields';
import { applyDefaults, prune, validate, valueAtField, type JsonSchema, type StatusCause } from './schema';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

/** A write as watchers see it, with the object's state before the write (none for ADDED). */
export interface Change {
  readonly event: WatchEvent;
  readonly previous: KubeObject | undefined;
}

/** Called after every write; `previous` lets a filtered watcher see an object enter or leave its view. */
export type WatchListener = (event: WatchEvent, previous: KubeObject | undefined) => void;

/** Narrows a watch, or the changes a resumed watch reads, to one kind. */
export interface KindFilter {
  readonly apiVersion: string;
  readonly kind: string;
}

const kindKeyOf = (of: KindFilter): string => `${of.apiVersion}/${of.kind}`;

/** What `ObjectStore.snapshot` returns, for `restore`: the stored objects by key, shared with the store. */
export interface StoreSnapshot {
  readonly objects: ReadonlyMap<string, KubeObject>;
}

export interface ObjectStoreOptions {
  /** How many events of each kind are kept for watch resumption (default 1000); older resourceVersions get 410 Gone. */
  readonly historyLimit?: number;
  /** The clock for creationTimestamp and deletionTimestamp (default: the system clock). */
  readonly now?: () => Date;
  /**
   * CustomResourceDefinitions (objects, or multi-document YAML text) whose kinds the store then
   * serves as the API server does (see `ObjectStore`). Without them, every kind is kept at the
   * apiVersion it is written with, unchecked.
   *
   * Enforced: served and storage versions (an unserved version is an `ApiError` of kind
   * `NotServed`, `isNotServed`); pruning of unknown fields and disallowed `null`s, except under
   * `x-kubernetes-preserve-unknown-fields` and in an embedded resource's apiVersion, kind and
   * metadata; defaults at the version written or read; validation of type (`nullable`,
   * `x-kubernetes-int-or-string`), required, enum, pattern, min/max length, items, properties,
   * minimum/maximum (and exclusive) and `format: date-time`, each violation a cause of a 422
   * (`isInvalidObjectError` through the fake client); the status subresource only where
   * declared. Not enforced: CEL (`x-kubernetes-validations`), list types and map types, other
   * formats, `metadata` beyond a name; lists are owned whole in managedFields.
   */
  readonly crds?: CrdSource;
  /** Conversion between the served versions of a custom resource (default: strategy None, only apiVersion changes). */
  readonly convert?: CustomResourceConverter;
}

export interface WriteOptions {
  /** The writer's name in `metadata.managedFields` (default `unknown`). */
  readonly fieldManager?: string | undefined;
}

export interface PatchOptions extends WriteOptions {
  /** `'status'` writes the status subresource: only `status` changes. */
  readonly subresource?: 'status' | undefined;
}

export interface ObjectList {
  readonly items: KubeObject[];
  /** The store's resourceVersion when the list was taken: a watch from here misses nothing. */
  readonly resourceVersion: string;
}

/** How `create` treats identity fields: the API assigns them; seeding keeps what the test gave. */
type CreateMode = 'api' | 'seed';

/** Fields of metadata that only the server sets; patches and puts cannot change them. */
const serverOwnedMetadata = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields'] as const;

/** The manager of a write that names none. */
const UNKNOWN_MANAGER = 'unknown';

/** Who writes, and at which version and subresource, for managedFields. */
interface Writer {
  readonly fieldManager: string | undefined;
  readonly apiVersion: string;
  readonly subresource?: 'status' | undefined;
}


/** One key per object: each part after its length, so no two refs share a key whatever their text. */
export const keyOf = (apiVersion: string, kind: string, namespace: string, name: string): string =>
  `${apiVersion.length}:${apiVersion}${kind.length}:${kind}${namespace.length}:${namespace}${name}`;

/**
 * Whether everything except metadata (and status, when it is a subresource) is equal in the two:
 * a change there bumps generation. Compared field by field, with no copy of either.
 */
const sameSpec = (a: KubeObject, b: KubeObject, statusIsSubresource: boolean): boolean => {
  const counted = (key: string): boolean => key !== 'metadata' && !(statusIsSubresource && key === 'status');
  let fields = 0;
  for (const key of Object.keys(a)) {
    if (!counted(key)) continue;
    fields += 1;
    if (!Object.prototype.hasOwnProperty.call(b, key) || !jsonEqual(a[key], b[key])) return false;
  }
  return Object.keys(b).filter(counted).length === fields;
};

const finalizersOf = (object: KubeObject): unknown[] => {
  const finalizers = object.metadata['finalizers'];
  return Array.isArray(finalizers) ? finalizers : [];
};

// The alphabet the API server draws generateName suffixes from (no vowels, no lookalikes).
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The one copy of API-server semantics that both the in-memory fake client and the loopback
 * HTTP server use: a synchronous object store keyed by apiVersion, kind, namespace and name.
 * Reads and events hand out deep copies (`shared`, deep-frozen, excepted); nothing a test can change is shared with the store.
 *
 * What it does as a real API server does:
 * - one global resourceVersion counter, bumped by every write that changes something; a write
 *   that changes nothing returns the object and leaves its resourceVersion alone;
 * - `metadata.generation` starts at 1 and grows only when something outside metadata and
 *   status changes;
 * - a merge patch (RFC 7386) carrying `metadata.resourceVersion` (or `metadata.uid`) that no
 *   longer matches fails with 409 Conflict;
 * - a patch of the main resource cannot change status or the object's identity
 *   (name, namespace, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp);
 *   a status patch changes only status;
 * - deleting an object with finalizers only sets `deletionTimestamp`; the object goes away when
 *   a later write leaves it with no finalizers;
 * - every write that changes an object records `metadata.managedFields` (see `managedFieldsAfter`):
 *   the writer, named by its field manager (`unknown` when it gives none), owns what it set;
 * - every write is an event (ADDED, MODIFIED, DELETED) for watchers, and a bounded history of
 *   events per kind (as the API server's watch cache keeps one per resource) lets a watch resume
 *   from a resourceVersion, or get 410 Gone when it is too old: a quiet kind's watch is not
 *   expired by another kind's churn.
 *
 * Scope: a kind the core knows (`resourceFor`) has its real scope; an unknown kind is
 * namespaced when a namespace is given and cluster-scoped otherwise.
 *
 * With `crds`, each custom resource kind they define behaves as the API server serves it: one
 * object per name, stored at the storage version and read or written at any served version
 * (through the converter; strategy None by default); an unserved version is a 404 for the
 * resource type; every write is pruned, defaulted and validated against the schema of the
 * version it was made at (422 Invalid with each field's cause; a field already invalid and left
 * unchanged passes, as with the API server's validation ratcheting); `/status` exists only where
 * the CRD declares the status subresource. Seeding an object its schema rejects throws.
 *
 * Also as the API server: create assigns `uid`, `resourceVersion`, `generation: 1` and
 * `creationTimestamp` (clock `now`), supports `generateName` and refuses a duplicate with 409
 * AlreadyExists (status in a create is kept); a patch of a missing object is 404; renaming
 * (name, namespace, apiVersion, kind) is 422 Invalid; a ref to a cluster-scoped kind with a
 * namespace, or a namespaced kind without one, is 400 BadRequest, and creating a cluster-scoped
 * object drops its namespace. An object may nest 10,000 levels of objects and arrays (the API
 * server's request limit), handled by loops over explicit stacks; one level deeper is 400
 * (`exceeded max depth`). Error messages name the resource and object, never contents.
 *
 * Not modelled: admission without `crds`, grace periods, propagation policies, garbage
 * collection, namespace lifecycle (namespaces need not exist), server-side apply. Without
 * `crds`, every apiVersion is its own resource and every kind has a status subresource and a
 * generation. resourceVersions count from 1 per store; treat them as opaque.
 */
export class ObjectStore {
  private objects = new Map<string, KubeObject>();
  private readonly listeners = new Map<WatchListener, KindFilter | undefined>();
  /**
   * Per stored version (stored objects are replaced on every write, never changed in place) and
   * per apiVersion other than the stored one read at: the deep-frozen copy `shared` hands out.
   */
  private readonly frozen = new WeakMap<KubeObject, Map<string, KubeObject>>();
  /** Events by kind (`apiVersion/kind`), oldest first. */
  private readonly history = new Map<string, Array<{ readonly revision: number; readonly change: Change }>>();
  /** Per kind: the revision of the newest event no longer kept. */
  private readonly kindCompactedThrough = new Map<string, number>();
  private revision = 0;
  /** Events up to and including this revision are no longer kept. */
  private compactedThrough = 0;
  private uids = 0;
  private generatedNames = 0;
  /** The last second written as a timestamp, and its text: writes within one second share it. */
  private lastStamp: { readonly second: number; readonly text: string } | undefined;
  private readonly historyLimit: number;
  private readonly now: () => Date;
  /** The custom resources whose CRDs the store was given. */
  readonly customResources: CustomResources;

  constructor(objects: readonly KubeObject[] = [], options: ObjectStoreOptions = {}) {
    this.historyLimit = Math.max(0, options.historyLimit ?? 1000);
    this.now = options.now ?? (() => new Date());
    this.customResources = new CustomResources(options.crds, options.convert);
    for (const object of objects) this.add(object);
  }

  /** The resourceVersion of the last write. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Whether `ref` names a namespaced resource (see the module comment for unknown kinds). */
  static isNamespaced(ref: Pick<ObjectRef, 'apiVersion' | 'kind' | 'namespace'>): boolean {
    return resourceFor(ref.apiVersion, ref.kind)?.namespaced ?? Boolean(ref.namespace);
  }

  /**
   * Test setup: stores `object` as given, keeping its uid, generation, creationTimestamp and
   * deletionTimestamp when it has them (the resourceVersion is always the store's). Throws when
   * the object cannot be stored; the message names the object, never its contents.
   */
  add(object: KubeObject): KubeObject {
    return copy(this.orThrow('add', object, this.createAs('seed', object)));
  }

  /**
   * Test setup in bulk: `add` for each object, without handing a copy of each back. Returns how
   * many were stored; throws, as `add` does, at the first that cannot be (those before it stay).
   */
  addAll(objects: Iterable<KubeObject>): number {
    let stored = 0;
    for (const object of objects) {
      this.orThrow('add', object, this.createAs('seed', object));
      stored += 1;
    }
    return stored;
  }

  /** POST: creates `object`; the store assigns uid, resourceVersion, generation 1 and creationTimestamp. */
  create(object: KubeObject, options: WriteOptions = {}): E.Either<ApiError, KubeObject> {
    return E.map(copy<KubeObject>)(this.createAs('api', object, options.fieldManager));
  }

  /** A copy of the stored object, or undefined. */
  get(ref: ObjectRef): KubeObject | undefined {
    const located = this.locate(ref);
    if (E.isLeft(located)) return undefined;
    const stored = this.objects.get(this.keyFor(located.right));
    return stored && copy(this.view(stored, located.right.apiVersion));
  }

  /** The stored object (a copy); 404 NotFound when there is none, 400 when the ref's scope is wrong. */
  find(ref: ObjectRef): E.Either<ApiError, KubeObject> {
    const located = this.locate(ref);
    if (E.isLeft(located)) return located;
    const stored = this.objects.get(this.keyFor(located.right));
    return stored ? E.right(copy(this.view(stored, located.right.apiVersion))) : E.left(notFound(located.right));
  }

  /**
   * The stored object as `find` sees it, deep-frozen and shared: the same object for as long as
   * the object stays at one version, as an informer's cache hands out to read-only readers.
   */
  shared(ref: ObjectRef): E.Either<ApiError, KubeObject> {
    const located = this.locate(ref);
    if (E.isLeft(located)) return located;
    const stored = this.objects.get(this.keyFor(located.right));
    if (stored === undefined) return E.left(notFound(located.right));
    const apiVersion = located.right.apiVersion;
    // The stored version itself, frozen in place: no write changes a stored object, and what
    // leaves the store otherwise is a copy. Only `freezeJsonValue` freezes a stored object, so a
    // frozen one is frozen all through.
    if (stored.apiVersion === apiVersion) return E.right(Object.isFrozen(stored) ? stored : freezeJsonValue(stored));
    // A converted view is copied first, as a converter may hand back parts of its own.
    const versions = this.frozen.get(stored) ?? new Map<string, KubeObject>();
    this.frozen.set(stored, versions);
    const held = versions.get(apiVersion) ?? freezeJsonValue(copy(this.view(stored, apiVersion)));
    versions.set(apiVersion, held);
    return E.right(held);
  }

  /** Every object of one kind, in one namespace or (namespace omitted) in all, sorted by namespace and name. */
  list(apiVersion: string, kind: string, namespace?: string): ObjectList {
    const storedAt = this.storedApiVersion({ apiVersion, kind });
    const served = this.servedVersion({ apiVersion, kind });
    const items = [...this.objects.values()]
      .filter(
        (o) =>
          served &&
          o.apiVersion === storedAt &&
          o.kind === kind &&
          (!namespace || (o.metadata.namespace ?? '') === namespace),
      )
      .sort((a, b) => compareRefs(refOf(a), refOf(b)))
      .map((o) => copy(this.view(o, apiVersion)));
    return { items, resourceVersion: this.resourceVersion };
  }

  /** Every stored object, sorted; for test assertions and debugging. */
  all(): KubeObject[] {
    return [...this.objects.values()].sort((a, b) => compareRefs(refOf(a), refOf(b))).map(copy);
  }

  /** PATCH with a JSON merge patch, to the main resource or (`subresource: 'status'`) to status. */
  patch(ref: ObjectRef, patch: MergePatch, options: PatchOptions = {}): E.Either<ApiError, KubeObject> {
    if (!isRecord(patch)) return E.left(badRequest('a JSON merge patch must be a JSON object'));
    const statusIsSubresource = this.statusIsSubresource(ref);
    if (options.subresource === 'status' && !statusIsSubresource) return E.left(notServed());
    // Read, never kept or changed (the merge copies what it takes): JSON as it comes needs no copy.
    const body = (isPlainJson(patch) ? patch : toJson(patch)) as Record<string, unknown>;
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) return E.left(tooDeep(MAX_JSON_DEPTH));
    return this.update(ref, body['metadata'], (current) => {
      const merged = applyMergePatch(current, body) as KubeObject;
      const identity = checkIdentity(ref, current, merged);
      if (identity) return E.left(identity);
      if (options.subresource === 'status') {
        // A new metadata object: commit writes resourceVersion into it.
        const next: KubeObject = { ...current, metadata: { ...current.metadata } };
        setOrDelete(next, 'status', merged['status']);
        return E.right(next);
      }
      const next: KubeObject = {
        ...merged,
        metadata: keepServerFields(merged.metadata, current.metadata, ['deletionTimestamp', 'deletionGracePeriodSeconds']),
      };
      if (statusIsSubresource) setOrDelete(next, 'status', current['status']);
      return E.right(next);
    }, options.subresource !== 'status', { fieldManager: options.fieldManager, apiVersion: ref.apiVersion, subresource: options.subresource });
  }

  /**
   * Test setup: creates the object or replaces the stored one whole, status included (no status
   * isolation). A `metadata.resourceVersion` in `object` must match, as for an update.
   */
  put(object: KubeObject, options: WriteOptions = {}): E.Either<ApiError, KubeObject> {
    const next = toJson(object);
    if (nestsDeeperThan(next, MAX_JSON_DEPTH)) return E.left(tooDeep(MAX_JSON_DEPTH));
    const ref = normalizeRef(refOf(next));
    const located = this.locate(ref);
    if (E.isLeft(located)) return located;
    if (!this.objects.has(this.keyFor(located.right))) return E.map(copy<KubeObject>)(this.createAs('seed', next, options.fieldManager));
    return this.update(ref, next.metadata, (current) => {
      const identity = checkIdentity(ref, current, next);
      if (identity) return E.left(identity);
      return E.right({ ...next, metadata: keepServerFields(next.metadata, current.metadata, []) });
    }, true, { fieldManager: options.fieldManager, apiVersion: ref.apiVersion });
  }

  /** DELETE: removes the object, or only marks it (deletionTimestamp) while it has finalizers. */
  delete(ref: ObjectRef): E.Either<ApiError, KubeObject> {
    const located = this.locate(ref);
    if (E.isLeft(located)) return located;
    const key = this.keyFor(located.right);
    const current = this.objects.get(key);
    if (!current) return E.left(notFound(located.right));
    const seen = (object: KubeObject): KubeObject => copy(this.view(object, located.right.apiVersion));
    if (finalizersOf(current).length > 0) {
      if (current.metadata.deletionTimestamp) return E.right(seen(current));
      const next = copy(current);
      next.metadata.deletionTimestamp = this.stamp();
      next.metadata['deletionGracePeriodSeconds'] = 0;
      return E.right(seen(this.commit(key, current, next, false)));
    }
    return E.right(seen(this.remove(key, current, current)));
  }

  /**
   * Calls `listener` after every write (of one kind, with `only`) with a copy of the event;
   * returns the unsubscribe function. Narrowing by kind spares a copy of every other kind's
   * events, which the fake API server's watches, each on one resource, would only discard.
   */
  watch(listener: WatchListener, only?: KindFilter): () => void {
    // A listener added twice is still called once, as with a Set.
    this.listeners.set(listener, only);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * The events after `resourceVersion`, oldest first, for a watch that resumes there; 410 Gone
   * (reason Expired) when some of them are no longer kept.
   */
  eventsSince(resourceVersion: string): E.Either<ApiError, WatchEvent[]> {
    return E.map((changes: Change[]) => changes.map((c) => c.event))(this.changesSince(resourceVersion));
  }

  /** As `eventsSince`, with each object's state before the write; of one kind, with `only`. */
  changesSince(resourceVersion: string, only?: KindFilter): E.Either<ApiError, Change[]> {
    if (!/^\d+$/.test(resourceVersion)) return E.left(badRequest(`invalid resourceVersion: ${JSON.stringify(resourceVersion.slice(0, 40))}`));
    const from = Number(resourceVersion);
    const kinds = only === undefined ? [...this.history.keys()] : [kindKeyOf({ apiVersion: this.storedApiVersion(only), kind: only.kind })];
    const floor = Math.max(this.compactedThrough, ...kinds.map((kind) => this.kindCompactedThrough.get(kind) ?? 0));
    if (from < floor) return E.left(expired(from, floor + 1));
    const kept = kinds.flatMap((kind) => this.history.get(kind) ?? []).filter((h) => h.revision > from);
    if (kinds.length > 1) kept.sort((a, b) => a.revision - b.revision);
    if (only === undefined) return E.right(kept.map((h) => copy(h.change)));
    const seen = (object: KubeObject): KubeObject => copy(this.view(object, only.apiVersion));
    return E.right(
      kept.map(({ change: { event, previous } }) => ({ event: { type: event.type, object: seen(event.object) }, previous: previous && seen(previous) })),
    );
  }

  /** Forgets every event so far: a watch from any earlier resourceVersion gets 410 Gone. */
  compact(): void {
    this.history.clear();
    this.kindCompactedThrough.clear();
    this.compactedThrough = this.revision;
  }

  /**
   * The objects as they are now, to come back to with `restore`. Cheap: it shares the stored
   * objects (none is ever changed in place) instead of copying them.
   */
  snapshot(): StoreSnapshot {
    return { objects: new Map(this.objects) };
  }

  /**
   * Puts the objects back as they were at `snapshot`, as writes no watcher could follow:
   * resourceVersions keep counting up, and the history is compacted, so a watch from before
   * gets 410 Gone and lists again. Listeners hear nothing of it.
   */
  restore(snapshot: StoreSnapshot): void {
    this.objects = new Map(snapshot.objects);
    this.compact();
  }

  // -------------------------------------------------------------------------------------------

  private orThrow<A>(verb: string, object: KubeObject, result: E.Either<ApiError, A>): A {
    if (E.isRight(result)) return result.right;
    const what = `${object?.kind ?? '(no kind)'} ${object?.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object?.metadata?.name ?? '(no name)'}`;
    throw new Error(`ObjectStore.${verb} ${what}: ${result.left.message}`);
  }

  private locate(ref: ObjectRef): E.Either<ApiError, ObjectRef> {
    const normal = normalizeRef(ref);
    if (this.customResources.of(normal.apiVersion, normal.kind) && !this.servedVersion(normal)) return E.left(notServed());
    if (!normal.name) return E.left(badRequest('resource name may not be empty'));
    const namespaced = this.namespaced(normal);
    if (namespaced === true && !normal.namespace)
      return E.left(badRequest(`${normal.kind} ${normal.apiVersion} is namespaced: a namespace is required`));
    if (namespaced === false && normal.namespace)
      return E.left(badRequest(`${normal.kind} ${normal.apiVersion} is cluster-scoped: a request for it takes no namespace`));
    return E.right(normal);
  }

  /** The scope of a kind: its CRD's, the core's table's, or undefined for a kind the store does not know. */
  private namespaced(of: KindFilter): boolean | undefined {
    return this.customResources.of(of.apiVersion, of.kind)?.namespaced ?? resourceFor(of.apiVersion, of.kind)?.namespaced;
  }

  /** The served version of a custom resource kind, undefined when not served; any other kind is served as written. */
  private servedVersion(of: KindFilter): { readonly schema: JsonSchema | undefined; readonly statusSubresource: boolean } | undefined {
    const custom = this.customResources.of(of.apiVersion, of.kind);
    if (!custom) return { schema: undefined, statusSubresource: true };
    const version = custom.versions.get(of.apiVersion);
    return version?.served ? version : undefined;
  }

  private statusIsSubresource(of: KindFilter): boolean {
    return this.servedVersion(of)?.statusSubresource ?? true;
  }

  /** The apiVersion objects of this kind are kept at: a custom resource's storage version, else as written. */
  private storedApiVersion(of: KindFilter): string {
    return this.customResources.of(of.apiVersion, of.kind)?.storageApiVersion ?? of.apiVersion;
  }

  private keyFor(ref: ObjectRef): string {
    return keyOf(this.storedApiVersion(ref), ref.kind, ref.namespace ?? '', ref.name);
  }

  private ofKind(only: KindFilter | undefined, object: KubeObject): boolean {
    return only === undefined || (object.apiVersion === this.storedApiVersion(only) && object.kind === only.kind);
  }

  /** A stored object as a reader at `apiVersion` sees it: converted, with that version's defaults. The same object when nothing changes. */
  private view(stored: KubeObject, apiVersion: string): KubeObject {
    if (stored.apiVersion === apiVersion) return stored;
    const custom = this.customResources.of(stored.apiVersion, stored.kind);
    if (!custom) return stored;
    const converted = this.customResources.convert(stored, apiVersion);
    const schema = custom.versions.get(apiVersion)?.schema;
    return schema ? (applyDefaults(converted, schema) as KubeObject) : converted;
  }

  /**
   * A write of a custom resource as the API server admits it: pruned, defaulted and validated at
   * the version it was made at (a field left as it was in `previous` is not judged again), then
   * converted to the storage version and given that version's defaults. What the conversion
   * carries over is kept: with strategy None, a field only the request's version knows stays,
   * to be read back at that version.
   */
  private admit(object: KubeObject, previous: KubeObject | undefined): E.Either<ApiError, KubeObject> {
    const custom = this.customResources.of(object.apiVersion, object.kind);
    if (!custom) return E.right(object);
    const schema = custom.versions.get(object.apiVersion)?.schema;
    const admitted = schema ? admittedBy(schema, object) : object;
    if (schema) {
      // The old object as this version reads it, pruned and defaulted alike, so only what the write changed is judged.
      const before = previous && admittedBy(schema, previous);
      const causes = validate(admitted, schema).filter((cause) => before === undefined || !unchangedAt(judgedField(cause), admitted, before));
      if (causes.length > 0) return E.left(invalidObject(refOf(object), causes));
    }
    if (object.apiVersion === custom.storageApiVersion) return E.right(admitted);
    const stored = this.customResources.convert(admitted, custom.storageApiVersion);
    const storageSchema = custom.versions.get(custom.storageApiVersion)?.schema;
    return E.right(storageSchema ? (applyDefaults(stored, storageSchema) as KubeObject) : stored);
  }

  private createAs(mode: CreateMode, input: KubeObject, fieldManager?: string): E.Either<ApiError, KubeObject> {
    if (!isRecord(input) || typeof input.apiVersion !== 'string' || typeof input.kind !== 'string' || !isRecord(input.metadata))
      return E.left(badRequest('an object needs apiVersion, kind and metadata'));
    const object = toJson(input);
    if (nestsDeeperThan(object, MAX_JSON_DEPTH)) return E.left(tooDeep(MAX_JSON_DEPTH));
    const metadata = object.metadata;
    if (!metadata.name && typeof metadata['generateName'] === 'string' && metadata['generateName'])
      metadata.name = `${metadata['generateName']}${this.nextSuffix()}`;
    if (this.namespaced(object) === false) delete metadata.namespace;
    const ref = refOf(object);
    if (this.customResources.of(ref.apiVersion, ref.kind) && !this.servedVersion(ref)) return E.left(notServed());
    if (!ref.name) return E.left(invalid(ref, 'metadata.name: Required value: name or generateName is required'));
    const located = this.locate(ref);
    if (E.isLeft(located)) return located;
    const key = this.keyFor(located.right);
    if (this.objects.has(key)) return E.left(alreadyExists(located.right));
    const seeded = mode === 'seed';
    metadata.uid = (seeded && metadata.uid) || this.nextUid();
    // One reading of the clock for the creation time and the write's time in managedFields.
    let time: string | undefined;
    const now = (): string => (time ??= this.stamp());
    metadata['creationTimestamp'] = (seeded && metadata['creationTimestamp']) || now();
    metadata.generation = (seeded && metadata.generation) || 1;
    if (!seeded) {
      delete metadata.deletionTimestamp;
      delete metadata['deletionGracePeriodSeconds'];
      delete metadata['managedFields'];
    }
    const admitted = this.admit(object, undefined);
    if (E.isLeft(admitted)) return admitted;
    const stored = { ...admitted.right, metadata: { ...admitted.right.metadata } };
    // A seeded object keeps the managedFields the test gave it, unless a manager is named.
    if (!seeded || fieldManager !== undefined)
      stored.metadata['managedFields'] = managedFieldsAfter(undefined, stored, {
        manager: fieldManager || UNKNOWN_MANAGER,
        apiVersion: located.right.apiVersion,
        time: now(),
      });
    this.revision += 1;
    stored.metadata.resourceVersion = this.resourceVersion;
    this.objects.set(key, stored);
    this.emit('ADDED', stored);
    // The stored object itself (or its view at the version asked): callers that hand it out copy it.
    return E.right(this.view(stored, located.right.apiVersion));
  }

  /**
   * The shared path of every update: find the object, check the preconditions the caller's
   * metadata carries, compute the next state, and commit it.
   */
  private update(
    ref: ObjectRef,
    preconditions: unknown,
    next: (current: KubeObject) => E.Either<ApiError, KubeObject>,
    mayChangeSpec: boolean,
    writer: Writer,
  ): E.Either<ApiError, KubeObject> {
    const located = this.locate(ref);
    if (E.isLeft(located)) return located;
    const key = this.keyFor(located.right);
    const stored = this.objects.get(key);
    if (!stored) return E.left(notFound(located.right));
    if (isRecord(preconditions)) {
      const { resourceVersion, uid } = preconditions;
      if (typeof resourceVersion === 'string' && resourceVersion !== stored.metadata.resourceVersion)
        return E.left(conflict(located.right));
      if (typeof uid === 'string' && uid !== stored.metadata.uid) return E.left(conflict(located.right));
    }
    // No copy: `next` builds a new object (merge patches copy what they change, metadata is always
    // new) and never changes `current`; the new object may share untouched parts with it, as
    // stored objects are never changed in place.
    const current = this.view(stored, located.right.apiVersion);
    const computed = next(current);
    if (E.isLeft(computed)) return computed;
    const admitted = this.admit(computed.right, current);
    if (E.isLeft(admitted)) return admitted;
    return E.right(this.view(this.commit(key, stored, admitted.right, mayChangeSpec, writer), located.right.apiVersion));
  }

  /** Stores `next` unless it equals `current`; bumps resourceVersion (and generation on a spec change). */
  private commit(key: string, current: KubeObject, next: KubeObject, mayChangeSpec: boolean, writer?: Writer): KubeObject {
    if (jsonEqual(current, next)) return copy(current);
    if (writer)
      next.metadata['managedFields'] = managedFieldsAfter(current, next, {
        manager: writer.fieldManager || UNKNOWN_MANAGER,
        apiVersion: writer.apiVersion,
        subresource: writer.subresource,
        time: this.stamp(),
      });
    const statusIsSubresource = this.statusIsSubresource(next);
    if (mayChangeSpec && !sameSpec(current, next, statusIsSubresource))
      next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    if (next.metadata.deletionTimestamp && finalizersOf(next).length === 0) return this.remove(key, next, current);
    this.revision += 1;
    next.metadata.resourceVersion = this.resourceVersion;
    this.objects.set(key, next);
    this.emit('MODIFIED', next, current);
    return copy(next);
  }

  private remove(key: string, last: KubeObject, previous: KubeObject): KubeObject {
    this.revision += 1;
    const gone = copy(last);
    gone.metadata.resourceVersion = this.resourceVersion;
    this.objects.delete(key);
    this.emit('DELETED', gone, previous);
    return copy(gone);
  }

  /**
   * Records and announces a write. The history shares `object` and `previous` with no copy: a
   * stored object is never changed in place (every write stores a new one), and whatever leaves
   * the store, to a listener or a resumed watch, is a copy.
   */
  private emit(type: WatchEventType, object: KubeObject, previous?: KubeObject): void {
    const event: WatchEvent = { type, object };
    const change: Change = { event, previous };
    const kind = kindKeyOf(object);
    const events = this.history.get(kind) ?? [];
    this.history.set(kind, events);
    events.push({ revision: this.revision, change });
    while (events.length > this.historyLimit) {
      const dropped = events.shift();
      if (dropped) this.kindCompactedThrough.set(kind, dropped.revision);
    }
    if (this.listeners.size === 0) return;
    for (const [listener, only] of [...this.listeners]) {
      if (!this.ofKind(only, object)) continue;
      const seen = (o: KubeObject): KubeObject => copy(only ? this.view(o, only.apiVersion) : o);
      try {
        listener({ type, object: seen(object) }, change.previous && seen(change.previous));
      } catch (error) {
        // The write has happened; a failing listener must not undo it or hide from the test.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** The clock's time as the API server writes it (whole seconds). */
  private stamp(): string {
    const date = this.now();
    const second = Math.floor(date.getTime() / 1000);
    if (this.lastStamp?.second !== second) this.lastStamp = { second, text: kubeTime(date) };
    return this.lastStamp.text;
  }

  private nextUid(): string {
    this.uids += 1;
    return `00000000-0000-4000-8000-${this.uids.toString(16).padStart(12, '0')}`;
  }

  private nextSuffix(): string {
    this.generatedNames += 1;
    let n = this.generatedNames;
    let suffix = '';
    for (let i = 0; i < 5; i++) {
      suffix = suffixAlphabet[n % suffixAlphabet.length] + suffix;
      n = Math.floor(n / suffixAlphabet.length);
    }
    return suffix;
  }
}

/** `''` and a missing namespace mean the same; a cluster-scoped ref keeps whatever it was given for `locate` to judge. */
const normalizeRef = (ref: ObjectRef): ObjectRef => ({
  apiVersion: ref.apiVersion,
  kind: ref.kind,
  namespace: ref.namespace || undefined,
  name: ref.name,
});

/** The field whose value a cause judges: a missing required field is judged on the object that lacks it. */
const judgedField = (cause: StatusCause): string => (cause.reason === 'FieldValueRequired' ? cause.field.replace(/(\.[^.[\]]+|\[\d+\])$/, '') : cause.field);

const unchangedAt = (field: string, next: KubeObject, previous: KubeObject): boolean => {
  const now = valueAtField(next, field);
  return now !== undefined && jsonEqual(now, valueAtField(previous, field));
};

/** `object` pruned and defaulted by `schema`. */
const admittedBy = (schema: JsonSchema, object: KubeObject): KubeObject => applyDefaults(prune(object, schema), schema) as KubeObject;

const compareRefs = (a: ObjectRef, b: ObjectRef): number =>
  (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name);

/** A write may not move the object: same apiVersion, kind, name and namespace. */
const checkIdentity = (ref: ObjectRef, current: KubeObject, next: KubeObject): ApiError | undefined => {
  if (!isRecord(next) || !isRecord(next.metadata)) return invalid(ref, 'metadata: Required value');
  if (next.apiVersion !== current.apiVersion || next.kind !== current.kind)
    return invalid(ref, 'apiVersion and kind: field is immutable');
  if (next.metadata.name !== current.metadata.name) return invalid(ref, 'metadata.name: field is immutable');
  if ((next.metadata.namespace || undefined) !== (current.metadata.namespace || undefined))
    return invalid(ref, 'metadata.namespace: field is immutable');
  return undefined;
};

/** `wanted` metadata with the server-owned fields (and `extra`) put back as they were. */
const keepServerFields = (
  wanted: KubeObject['metadata'],
  current: KubeObject['metadata'],
  extra: readonly string[],
): KubeObject['metadata'] => {
  const metadata = { ...wanted };
  for (const field of [...serverOwnedMetadata, ...extra]) setOrDelete(metadata, field, current[field]);
  return metadata;
};

const setOrDelete = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (value === undefined) delete target[key];
  else target[key] = value;
};
