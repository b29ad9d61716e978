/** Field ownership in `metadata.managedFields`, as the API server records it (see `managedFieldsAfter`). */
import { hasOwn, isRecord, jsonEqual } from './json';

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
  /** Made with the first child: most paths are leaves. */
  children: Map<string, FieldPath> | undefined;
  /** The last `fieldsV1Of` that writes this path (a number per call), so that it needs no set of its own. */
  writtenBy: number;
  /** Its key in a `fieldsV1` (`f:<name>`): the one read, or made once when first written. */
  fieldKey: string | undefined;
}

const newRoot = (): FieldPath => ({ parent: undefined, name: '', children: undefined, writtenBy: 0, fieldKey: undefined });

const childOf = (parent: FieldPath, name: string, fieldKey?: string): FieldPath => {
  parent.children ??= new Map();
  let child = parent.children.get(name);
  if (!child) {
    child = { parent, name, children: undefined, writtenBy: 0, fieldKey };
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

const ownValue = (object: Record<string, unknown>, key: string): unknown => (hasOwn(object, key) ? object[key] : undefined);

/** Whether `object` has a field of its own, without making the array of its keys. */
const hasOwnFields = (object: Record<string, unknown>): boolean => {
  for (const key in object) if (hasOwn(object, key)) return true;
  return false;
};

/** metadata is always there: its fields are owned, never the object itself. */
const isMetadata = (path: FieldPath): boolean => path.name === 'metadata' && path.parent?.parent === undefined;

/**
 * The owned fields `after` changed or created over `before`: an object where there was none
 * (or a leaf), and a leaf that is new or has a new value. Both are walked together, over a stack
 * (any depth), and a part the two share (a merge patch leaves what it does not touch shared) is
 * passed over without a look inside.
 */
const changedFields = (before: unknown, after: unknown, root: FieldPath): Set<FieldPath> => {
  const changed = new Set<FieldPath>();
  // Three stacks in step (the object before, the object after, their path): nothing allocated per object.
  const befores: Array<Record<string, unknown> | undefined> = [isRecord(before) ? before : undefined];
  const afters: Array<Record<string, unknown>> = isRecord(after) ? [after] : [];
  const ats: FieldPath[] = [root];
  while (afters.length > 0) {
    const was = befores.pop();
    const node = afters.pop()!;
    const at = ats.pop()!;
    // for-in over own keys, here and below: no array of keys made per object.
    for (const key in node) {
      if (!hasOwn(node, key)) continue;
      const child = node[key];
      const old = was === undefined ? undefined : ownValue(was, key);
      if (child === undefined || child === old) continue;
      const path = childOf(at, key);
      if (isUnowned(path)) continue;
      if (isRecord(child)) {
        if (!isRecord(old) && !isMetadata(path)) changed.add(path);
        befores.push(isRecord(old) ? old : undefined);
        afters.push(child);
        ats.push(path);
      } else if (!isMetadata(path) && (old === undefined || isRecord(old) || !jsonEqual(old, child))) changed.add(path);
    }
  }
  return changed;
};

/** Stands for "any object": every path a `fieldsV1` names is held in it. */
const ANY = Symbol('any object');

/** What `ownedPaths` found. */
interface OwnedPaths {
  readonly paths: Set<FieldPath>;
  /**
   * Whether `fieldsV1Of(paths)` would write the very `fieldsV1` read: every path it names is
   * held, written as `fieldsV1Of` writes it (`.` first and only beside fields, `f:` fields in
   * name order, each an object). Such a `fieldsV1` can be kept as it is.
   */
  readonly exact: boolean;
}

/**
 * The paths a `fieldsV1` owns (`f:<name>` leads to a field, `.` owns the object it is in) that
 * `object` holds as owned fields (all of them with `ANY`). Walks the `fieldsV1` and the object
 * together, over a stack (any depth).
 */
const ownedPaths = (fieldsV1: unknown, root: FieldPath, object: unknown = ANY): OwnedPaths => {
  const paths = new Set<FieldPath>();
  let exact = true;
  // Three stacks in step: a `fieldsV1` node, its path, and the object's value there (undefined where it holds no owned field).
  const nodes: unknown[] = [fieldsV1];
  const ats: FieldPath[] = [root];
  const values: unknown[] = [object];
  const holds = (path: FieldPath, value: unknown): boolean => path !== root && (value === ANY || (value !== undefined && !isMetadata(path)));
  while (nodes.length > 0) {
    const node = nodes.pop();
    const at = ats.pop()!;
    const value = values.pop();
    if (!isRecord(node)) {
      exact = false;
      continue;
    }
    let keys = 0;
    let dot = false;
    let previous: string | undefined;
    for (const key in node) {
      if (!hasOwn(node, key)) continue;
      keys += 1;
      const child = node[key];
      if (key === '.') {
        dot = true;
        if (keys !== 1 || !isRecord(child) || hasOwnFields(child)) exact = false;
        if (holds(at, value)) paths.add(at);
        else exact = false;
        continue;
      }
      const field = key.startsWith('f:');
      const path = field ? childOf(at, key.slice(2), key) : childOf(at, key);
      if (!field || (previous !== undefined && !(previous < path.name))) exact = false;
      previous = path.name;
      const held = value === ANY ? ANY : isRecord(value) && !isUnowned(path) ? ownValue(value, path.name) : undefined;
      if (isRecord(child) && hasOwnFields(child)) {
        nodes.push(child);
        ats.push(path);
        values.push(held);
      } else {
        // A leaf other than `{}` is owned all the same, but is not what fieldsV1Of writes.
        if (!isRecord(child)) exact = false;
        if (holds(path, held)) paths.add(path);
        else exact = false;
      }
    }
    if (dot && keys === 1) exact = false;
  }
  return { paths, exact };
};

let fieldsV1Writes = 0;

/** The `fieldsV1` of `paths`, fields in name order, written depth first over a stack. */
const fieldsV1Of = (paths: ReadonlySet<FieldPath>, root: FieldPath): FieldsV1 => {
  // Every owned path and the objects on the way to it; each ancestor is visited once.
  const write = ++fieldsV1Writes;
  for (const path of paths) for (let at: FieldPath | undefined = path; at && at !== root && at.writtenBy !== write; at = at.parent) at.writtenBy = write;
  const out: Record<string, unknown> = {};
  // Two stacks in step (a path, and the object its fields go into): no pair allocated per path.
  const pendingPaths: FieldPath[] = [root];
  const pendingObjects: Array<Record<string, unknown>> = [out];
  const written: FieldPath[] = [];
  while (pendingPaths.length > 0) {
    const at = pendingPaths.pop()!;
    const into = pendingObjects.pop()!;
    // In name order, by insertion: a path has few children, and sort and splice allocate an array per call.
    written.length = 0;
    if (at.children)
      for (const child of at.children.values()) {
        if (child.writtenBy !== write) continue;
        let i = written.length;
        written.push(child);
        for (; i > 0 && written[i - 1]!.name > child.name; i -= 1) written[i] = written[i - 1]!;
        written[i] = child;
      }
    // An owned object that also has owned children says so with `.`.
    if (written.length > 0 && paths.has(at)) into['.'] = {};
    for (const child of written) {
      const fields: Record<string, unknown> = {};
      into[(child.fieldKey ??= `f:${child.name}`)] = fields;
      pendingPaths.push(child);
      pendingObjects.push(fields);
    }
  }
  return out as FieldsV1;
};

const entriesOf = (object: unknown): ManagedFieldsEntry[] => {
  const metadata = isRecord(object) ? object['metadata'] : undefined;
  const entries = isRecord(metadata) ? metadata['managedFields'] : undefined;
  if (!Array.isArray(entries)) return [];
  return (entries.every(isRecord) ? entries : entries.filter(isRecord)) as unknown as ManagedFieldsEntry[];
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
  const changed = changedFields(before, after, root);
  const entries = entriesOf(before).map((entry) => {
    // What the entry owned and `after` still holds, less what this write changed (a removed field leaves every set).
    const { paths: kept, exact } = ownedPaths(entry.fieldsV1, root, after);
    let unchanged = exact;
    for (const path of kept)
      if (changed.has(path)) {
        kept.delete(path);
        unchanged = false;
      }
    if (sameSlot(entry, writer)) for (const path of changed) kept.add(path);
    const touched = sameSlot(entry, writer) && changed.size > 0;
    // An entry this write left as it was keeps its `fieldsV1` (a stored version is never changed): no tree is written again.
    return { entry, kept, touched, same: unchanged && !touched };
  });
  if (changed.size > 0 && !entries.some(({ entry }) => sameSlot(entry, writer)))
    entries.push({
      entry: { manager: writer.manager, operation: 'Update', apiVersion: writer.apiVersion, time: writer.time, fieldsType: 'FieldsV1', fieldsV1: {} },
      kept: changed,
      touched: true,
      same: false,
    });
  return entries
    .filter(({ kept }) => kept.size > 0)
    .map(({ entry, kept, touched, same }) => ({
      manager: entry.manager,
      operation: entry.operation,
      apiVersion: touched ? writer.apiVersion : entry.apiVersion,
      time: touched ? writer.time : entry.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: same ? entry.fieldsV1 : fieldsV1Of(kept, root),
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
  const wanted = path.split('.').reduce((at, name) => childOf(at, name), root);
  return entriesOf(object).filter((entry) => [...ownedPaths(entry.fieldsV1, root).paths].some((owned) => isWithin(owned, wanted)));
};


/** The manager that last wrote the field at `path` (or anything inside it), or undefined when no one owns it. */
export const lastWriterOf = (object: unknown, path: string): string | undefined => {
  const owners = fieldOwners(object, path);
  // Times have second precision, as the API server's: of equal times, the later entry in the list wins.
  return owners.reduce<ManagedFieldsEntry | undefined>((last, entry) => (last === undefined || entry.time >= last.time ? entry : last), undefined)?.manager;
};
