/**
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

// A path to a field, its segments joined by NUL (field names cannot hold it).
type FieldPath = string;
const SEP = '\u0000';

/** Metadata fields the server sets, which no manager owns. */
const unowned = new Set([
  'apiVersion',
  'kind',
  `metadata${SEP}name`,
  `metadata${SEP}namespace`,
  `metadata${SEP}uid`,
  `metadata${SEP}resourceVersion`,
  `metadata${SEP}generation`,
  `metadata${SEP}creationTimestamp`,
  `metadata${SEP}deletionTimestamp`,
  `metadata${SEP}deletionGracePeriodSeconds`,
  `metadata${SEP}managedFields`,
  `metadata${SEP}selfLink`,
]);

/** Every owned field of `value`: objects (as nodes) and their leaves, with their values. */
const fieldsOf = (value: unknown): Map<FieldPath, unknown> => {
  const fields = new Map<FieldPath, unknown>();
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [key, child] of Object.entries(node)) {
      const path = prefix ? `${prefix}${SEP}${key}` : key;
      if (unowned.has(path) || child === undefined) continue;
      // metadata is always there: its fields are owned, never the object itself.
      if (path !== 'metadata') fields.set(path, isRecord(child) ? NODE : child);
      if (isRecord(child)) walk(child, path);
    }
  };
  if (isRecord(value)) walk(value, '');
  return fields;
};

/** Stands for "an object is here" in a field map: its children are fields of their own. */
const NODE = Symbol('object');

const pathsOfFieldsV1 = (fieldsV1: unknown): Set<FieldPath> => {
  const paths = new Set<FieldPath>();
  const walk = (node: unknown, prefix: string): void => {
    if (!isRecord(node)) return;
    for (const [key, child] of Object.entries(node)) {
      if (key === '.') {
        if (prefix) paths.add(prefix);
        continue;
      }
      const name = key.startsWith('f:') ? key.slice(2) : key;
      const path = prefix ? `${prefix}${SEP}${name}` : name;
      if (isRecord(child) && Object.keys(child).length > 0) walk(child, path);
      else paths.add(path);
    }
  };
  walk(fieldsV1, '');
  return paths;
};

const fieldsV1Of = (paths: ReadonlySet<FieldPath>): FieldsV1 => {
  const root: Record<string, Record<string, unknown>> = {};
  for (const path of [...paths].sort()) {
    let node: Record<string, unknown> = root;
    for (const segment of path.split(SEP)) {
      const key = `f:${segment}`;
      node[key] = isRecord(node[key]) ? node[key] : {};
      node = node[key] as Record<string, unknown>;
    }
    // An owned object that also has owned children says so with `.`.
    if ([...paths].some((other) => other.startsWith(`${path}${SEP}`))) node['.'] = {};
  }
  return root as FieldsV1;
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
 * writer owns what it changed or created, the others keep what it left alone.
 */
export const managedFieldsAfter = (before: unknown, after: unknown, writer: FieldWriter): ManagedFieldsEntry[] => {
  const old = fieldsOf(before);
  const now = fieldsOf(after);
  const changed = new Set<FieldPath>();
  for (const [path, value] of now) {
    const was = old.get(path);
    if (value === NODE ? was !== NODE : !old.has(path) || !jsonEqual(was, value)) changed.add(path);
  }
  const gone = new Set([...old.keys()].filter((path) => !now.has(path) || (old.get(path) === NODE) !== (now.get(path) === NODE)));
  const lost = (path: FieldPath): boolean => changed.has(path) || gone.has(path);
  const entries = entriesOf(before).map((entry) => {
    const kept = new Set([...pathsOfFieldsV1(entry.fieldsV1)].filter((path) => !lost(path) && now.has(path)));
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
      fieldsV1: fieldsV1Of(kept),
      ...((touched ? writer.subresource : entry.subresource) ? { subresource: touched ? writer.subresource : entry.subresource } : {}),
    }));
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
  const wanted = path.split('.').join(SEP);
  return entriesOf(object).filter((entry) =>
    [...pathsOfFieldsV1(entry.fieldsV1)].some((owned) => owned === wanted || owned.startsWith(`${wanted}${SEP}`)),
  );
};

/** The manager that last wrote the field at `path` (or anything inside it), or undefined when no one owns it. */
export const lastWriterOf = (object: unknown, path: string): string | undefined => {
  const owners = fieldOwners(object, path);
  // Times have second precision, as the API server's: of equal times, the later entry in the list wins.
  return owners.reduce<ManagedFieldsEntry | undefined>((last, entry) => (last === undefined || entry.time >= last.time ? entry : last), undefined)?.manager;
};
