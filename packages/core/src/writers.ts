/**
 * Who last wrote an object's `spec.controlPlaneEndpoint`, read from `metadata.managedFields`
 * (the API server's record of field owners): the manager whose entry owns the endpoint or one
 * of its fields, its operation and when. Another controller that writes the endpoint (CAPT's
 * own does, as field manager `manager`) is named from here in drift, repair and contest
 * reports. Total: managedFields is read as untyped JSON and anything unexpected is skipped.
 */
import * as O from 'fp-ts/lib/Option.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as A from 'fp-ts/lib/ReadonlyArray.js';

/** One field manager's last write, as managedFields records it. */
export interface FieldWriter {
  /** The field manager, e.g. `manager` for a kubebuilder binary, `kubectl-edit`, `capt-endpoint`. */
  readonly manager: string;
  /** `Update` or `Apply`, when recorded. */
  readonly operation: string | undefined;
  /** When that manager last changed its fields (RFC 3339), when recorded. */
  readonly time: string | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const textOr = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The entry's fieldsV1 names spec.controlPlaneEndpoint (the whole object or one of its fields). */
const ownsEndpoint = (entry: Record<string, unknown>): boolean => {
  const fields = entry['fieldsV1'];
  const spec = isRecord(fields) ? fields['f:spec'] : undefined;
  return entry['subresource'] === undefined && isRecord(spec) && isRecord(spec['f:controlPlaneEndpoint']);
};

const writerOf = (entry: Record<string, unknown>): O.Option<FieldWriter> =>
  pipe(
    O.fromNullable(textOr(entry['manager'])),
    O.map((manager) => ({ manager, operation: textOr(entry['operation']), time: textOr(entry['time']) })),
  );

const timeOf = (writer: FieldWriter): number => {
  const ms = writer.time === undefined ? Number.NaN : Date.parse(writer.time);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
};

/**
 * The later of two writers. managedFields times have whole seconds, so two writes in the same
 * second tie; then the writer is the other manager, not `ours`: the value in place is the one
 * written over ours (an Update sets the whole object, so the other writer came second).
 */
const later =
  (ours: string | undefined) =>
  (best: O.Option<FieldWriter>, next: FieldWriter): O.Option<FieldWriter> => {
    if (O.isNone(best)) return O.some(next);
    const [was, now] = [timeOf(best.value), timeOf(next)];
    const overOurs = now === was && best.value.manager === ours && next.manager !== ours;
    return now > was || overOurs ? O.some(next) : best;
  };

/**
 * metadata.managedFields as an array, or none when the object came without them.
 * @example
 * ```ts
 * import { managedFieldsOf } from '@capt-endpoint/core/adapter';
 *
 * managedFieldsOf({ metadata: { name: 'demo-cp' } }); // none: a cache dropped them
 * managedFieldsOf({ metadata: { managedFields: [] } }); // some([])
 * ```
 */
export const managedFieldsOf = (object: unknown): O.Option<readonly unknown[]> => {
  const metadata = isRecord(object) ? object['metadata'] : undefined;
  const entries = isRecord(metadata) ? metadata['managedFields'] : undefined;
  return Array.isArray(entries) ? O.some(entries) : O.none;
};

/**
 * The field manager that last wrote `spec.controlPlaneEndpoint`: of the entries that own it
 * (an Update and an Apply can share a field), the one written last; at the same second, the one
 * that is not `ours` (our field manager, when given). `none` when the object has no
 * managedFields (a cache may drop them) or no entry owns the endpoint.
 * @example
 * ```ts
 * import { endpointWriter } from '@capt-endpoint/core/adapter';
 *
 * const object = {
 *   metadata: {
 *     managedFields: [
 *       { manager: 'manager', operation: 'Update', time: '2026-12-02T10:00:30Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:controlPlaneEndpoint': { 'f:host': {} } } } },
 *     ],
 *   },
 * };
 * endpointWriter(object); // some({ manager: 'manager', operation: 'Update', time: '2026-12-02T10:00:30Z' })
 * ```
 */
export const endpointWriter = (object: unknown, ours?: string): O.Option<FieldWriter> =>
  pipe(
    managedFieldsOf(object),
    O.map(A.filter(isRecord)),
    O.map(A.filter(ownsEndpoint)),
    O.map(A.filterMap(writerOf)),
    O.chain(A.reduce<FieldWriter, O.Option<FieldWriter>>(O.none, later(ours))),
  );

/**
 * `field manager "manager" (Update at 2026-12-02T10:00:30Z)`, for messages.
 * @example
 * ```ts
 * import { describeWriter } from '@capt-endpoint/core/adapter';
 *
 * describeWriter({ manager: 'manager', operation: 'Update', time: '2026-12-02T10:00:30Z' }); // 'field manager "manager" (Update at 2026-12-02T10:00:30Z)'
 * ```
 */
export const describeWriter = (writer: FieldWriter): string => {
  const when = [writer.operation, writer.time === undefined ? undefined : `at ${writer.time}`].filter((part) => part !== undefined).join(' ');
  return `field manager ${JSON.stringify(writer.manager)}${when === '' ? '' : ` (${when})`}`;
};
