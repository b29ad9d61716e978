/** Field ownership in `metadata.managedFields`, as the API server records it (see `managedFieldsAfter`). */
import { isRecord, jsonEqual } from './json';

/** `fieldsV1`: `f:<field>` for a field, `.` for an object owned itself (created by the writer). */
export interface FieldsV1 {
  readonly [key: string]: FieldsV1;
}

export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: 'Update' | 'Apply';
  readonly apiVersion: string;
  readonly time: string;
  readonly fieldsType: 'FieldsV1';
  readonly fieldsV1: FieldsV1;
  readonly subresource?: string;
}

/** Who writes, at which version, to which subresource. */
export interface FieldWriter {
  readonly manager: string;
  readonly apiVersion: string;
  readonly subresource?: 'status' | undefined;
  readonly time: string;
}

/**
 * A path to a field: one node per path in a tree of the field names met in one computation, so
 * that the same path is the same node wherever it was found (in an object or in a `fieldsV1`),
 * and a path costs one node however deep it is.
 */
interface FieldPath {
  readonly parent: FieldPath | undefined;
  readonly name: string;
  readonly children: Map<string, FieldPath>;
}

const newRoot = (): FieldPath => ({ parent: undefined, name: '', children: new Map() });

const childOf = (parent: FieldPath, name: string): FieldPath => {
  let child = parent.children.get(name);
  if (!child) {
    child = { parent, name, children: new Map() };
    parent.children.set(name, child);
  }
  return child;
};

/** Fields the server sets, which no manager owns: at the root, and in metadata. */
const unownedAtRoot = new Set(['apiVersion', 'kind']);
const unownedInMetadata = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

const isUnowned = (path: FieldPath): boolean => {
  const parent = path.parent;
  if (parent?.parent === undefined) return unownedAtRoot.has(path.name);
  return parent.name === 'metadata' && parent.parent.parent === undefined && unownedInMetadata.has(path.name);
};

/** Stands for "an object is here" in a field map: its children are fields of their own. */
const NODE = Symbol('object');

/** Every owned field of `value`: objects (as nodes) and their leaves, with their values. A loop over a stack: any depth. */
const fieldsOf = (value: unknown, root: FieldPath): Map<FieldPath, unknown> => {
  const fields = new Map<FieldPath, unknown>();
  const pending: Array<readonly [Record<string, unknown>, FieldPath]> = isRecord(value) ? [[value, root]] : [];
  while (pending.length > 0) {
    const [node, at] = pending.pop()!;
    for (const [key, child] of Object.entries(node)) {
      const path = childOf(at, key);
      if (child === undefined || isUnowned(path)) continue;
      // metadata is always there: its fields are owned, never the object itself.
      const isMetadata = at === root && key === 'metadata';
      if (!isMetadata) fields.set(path, isRecord(child) ? NODE : child);
      if (isRecord(child)) pending.push([child, path]);
    }
  }
  return fields;
};

/** The paths a `fieldsV1` owns: `f:<name>` leads to a field, `.` owns the object it is in. */
const pathsOfFieldsV1 = (fieldsV1: unknown, root: FieldPath): Set<FieldPath> => {
  const paths = new Set<FieldPath>();
  const pending: Array<readonly [unknown, FieldPath]> = [[fieldsV1, root]];
  while (pending.length > 0) {
    const [node, at] = pending.pop()!;
    if (!isRecord(node)) continue;
    for (const [key, child] of Object.entries(node)) {
      if (key === '.') {
        if (at !== root) paths.add(at);
        continue;
      }
      const path = childOf(at, key.startsWith('f:') ? key.slice(2) : key);
      if (isRecord(child) && Object.keys(child).length > 0) pending.push([child, path]);
      else paths.add(path);
    }
  }
  return paths;
};

/** The `fieldsV1` of `paths`, fields in name order, written depth first over a stack. */
const fieldsV1Of = (paths: ReadonlySet<FieldPath>, root: FieldPath): FieldsV1 => {
  // Every owned path and the objects on the way to it; each ancestor is visited once.
  const written = new Set<FieldPath>();
  for (const path of paths) for (let at: FieldPath | undefined = path; at && at !== root && !written.has(at); at = at.parent) written.add(at);
  const out: Record<string, unknown> = {};
  const pending: Array<readonly [FieldPath, Record<string, unknown>]> = [[root, out]];
  while (pending.length > 0) {
    const [at, into] = pending.pop()!;
    const names = [...at.children.keys()].filter((name) => written.has(at.children.get(name)!)).sort();
    // An owned object that also has owned children says so with `.`.
    if (names.length > 0 && paths.has(at)) into['.'] = {};
    for (const name of names) {
      const child: Record<string, unknown> = {};
      into[`f:${name}`] = child;
      pending.push([at.children.get(name)!, child]);
    }
  }
  return out as FieldsV1;
};

const entriesOf = (object: unknown): ManagedFieldsEntry[] => {
  const metadata = isRecord(object) ? object['metadata'] : undefined;
  const entries = isRecord(metadata) ? metadata['managedFields'] : undefined;
  return Array.isArray(entries) ? (entries.filter(isRecord) as unknown as ManagedFieldsEntry[]) : [];
};

const sameSlot = (entry: ManagedFieldsEntry, writer: FieldWriter): boolean =>
  entry.manager === writer.manager && entry.operation === 'Update' && (entry.subresource ?? undefined) === writer.subresource;

/**
 * The `managedFields` after `writer` turned `before` (undefined for a create) into `after`: the
 * writer owns what it changed or created, the others keep what it left alone; a write that
 * changes nothing records nothing.
 *
 * Field ownership, as the API server records it in `metadata.managedFields` for Update and Patch
 * requests: the writer (its field manager) takes ownership of every field its write changed or
 * created, other managers lose those fields, removed fields leave every set, and a manager left
 * owning nothing is dropped. Each entry names the manager, the operation, the apiVersion the
 * write was made at, its time, the subresource (`status`) and the fields as `fieldsV1`.
 *
 * Lists are owned whole, as an atomic list is (the API server keys the items of a map or set
 * list separately); server-set metadata (uid, resourceVersion, generation, timestamps) is owned
 * by no one.
 */
export const managedFieldsAfter = (before: unknown, after: unknown, writer: FieldWriter): ManagedFieldsEntry[] => {
  const root = newRoot();
  const old = fieldsOf(before, root);
  const now = fieldsOf(after, root);
  const changed = new Set<FieldPath>();
  for (const [path, value] of now) {
    const was = old.get(path);
    if (value === NODE ? was !== NODE : !old.has(path) || !jsonEqual(was, value)) changed.add(path);
  }
  const gone = new Set([...old.keys()].filter((path) => !now.has(path) || (old.get(path) === NODE) !== (now.get(path) === NODE)));
  const lost = (path: FieldPath): boolean => changed.has(path) || gone.has(path);
  const entries = entriesOf(before).map((entry) => {
    const kept = new Set([...pathsOfFieldsV1(entry.fieldsV1, root)].filter((path) => !lost(path) && now.has(path)));
    if (sameSlot(entry, writer)) for (const path of changed) kept.add(path);
    const touched = sameSlot(entry, writer) && changed.size > 0;
    return { entry, kept, touched };
  });
  if (changed.size > 0 && !entries.some(({ entry }) => sameSlot(entry, writer)))
    entries.push({
      entry: { manager: writer.manager, operation: 'Update', apiVersion: writer.apiVersion, time: writer.time, fieldsType: 'FieldsV1', fieldsV1: {} },
      kept: changed,
      touched: true,
    });
  return entries
    .filter(({ kept }) => kept.size > 0)
    .map(({ entry, kept, touched }) => ({
      manager: entry.manager,
      operation: entry.operation,
      apiVersion: touched ? writer.apiVersion : entry.apiVersion,
      time: touched ? writer.time : entry.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: fieldsV1Of(kept, root),
      ...((touched ? writer.subresource : entry.subresource) ? { subresource: touched ? writer.subresource : entry.subresource } : {}),
    }));
};

/** Whether `path` is `ancestor` or inside it. */
const isWithin = (path: FieldPath, ancestor: FieldPath): boolean => {
  for (let at: FieldPath | undefined = path; at; at = at.parent) if (at === ancestor) return true;
  return false;
};

/**
 * The managedFields entries that own the field at `path` (dotted, e.g.
 * `spec.controlPlaneEndpoint.host`) or anything inside it.
 * @example
 * ```ts
 * fieldOwners(object, 'spec.controlPlaneEndpoint').map((entry) => entry.manager); // ['capt-endpoint']
 * ```
 */
export const fieldOwners = (object: unknown, path: string): ManagedFieldsEntry[] => {
  const root = newRoot();
  const wanted = path.split('.').reduce(childOf, root);
  return entriesOf(object).filter((entry) => [...pathsOfFieldsV1(entry.fieldsV1, root)].some((owned) => isWithin(owned, wanted)));
};


/** The manager that last wrote the field at `path` (or anything inside it), or undefined when no one owns it. */
export const lastWriterOf = (object: unknown, path: string): string | undefined => {
  const owners = fieldOwners(object, path);
  // Times have second precision, as the API server's: of equal times, the later entry in the list wins.
  return owners.reduce<ManagedFieldsEntry | undefined>((last, entry) => (last === undefined || entry.time >= last.time ? entry : last), undefined)?.manager;
};
