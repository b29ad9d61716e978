/** Contested endpoints (see `ENDPOINT_WRITES_ANNOTATION`). */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { FieldWriter } from './writers';
import { kubeTimeAt } from './time';

/**
 * Our record of endpoint writes on an object: `{"writes":[RFC 3339, …],"probes":n}`.
 *
 * Never answering another writer write for write. When another field manager keeps writing an
 * object's endpoint over ours (CAPT's own controller does, every 30 seconds), the library writes
 * it at most twice within a window, then stops: the object is *contested*. It writes again only
 * once the other writer has been quiet for the window; if the other writer answers that write
 * too, the quiet needed doubles (up to 8 windows). A writer that comes back long after (not
 * within the window of our last write) starts a new count.
 *
 * The state lives in the object, so a restart keeps it and two replicas agree: the times of our
 * last two endpoint writes and the doubling step, in one annotation that rides along with each
 * endpoint patch (no write of its own), and the other writer's last write, from managedFields.
 * Pure and total: an annotation that cannot be read counts as no record.
 *
 * A contested reconcile is `Contested` with `EndpointReady=False`, reason `EndpointContested`,
 * naming the other manager, the value it writes (unless read from a Secret), when writing
 * resumes and what to do. The same rule holds under `onEndpointChange: 'update'`. A status
 * write of another writer that drops our condition is answered with one status patch.
 */
export const ENDPOINT_WRITES_ANNOTATION = 'capt-endpoint.io/endpoint-writes';

/** Ten minutes, in milliseconds. */
export const DEFAULT_CONTEST_WINDOW = 600_000;

const MAX_PROBES = 3;
const KEPT_WRITES = 2;

const WriteRecord = t.type({ writes: t.array(t.string), probes: t.number });
export type WriteRecord = t.TypeOf<typeof WriteRecord>;

const noRecord: WriteRecord = { writes: [], probes: 0 };

const isRecordObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * The record an object carries, or an empty one.
 * @example
 * ```ts
 * import { writeRecordOf } from '@capt-endpoint/core/adapter';
 *
 * writeRecordOf({ metadata: { annotations: { 'capt-endpoint.io/endpoint-writes': '{"writes":["2026-12-02T10:00:00Z"],"probes":0}' } } });
 * // { writes: ['2026-12-02T10:00:00Z'], probes: 0 }
 * writeRecordOf({ metadata: {} }); // { writes: [], probes: 0 }
 * ```
 */
export const writeRecordOf = (object: unknown): WriteRecord => {
  const metadata = isRecordObject(object) ? object['metadata'] : undefined;
  const annotations = isRecordObject(metadata) ? metadata['annotations'] : undefined;
  const text = isRecordObject(annotations) ? annotations[ENDPOINT_WRITES_ANNOTATION] : undefined;
  if (typeof text !== 'string') return noRecord;
  const decoded = E.chain((json: unknown) => WriteRecord.decode(json))(E.tryCatch(() => JSON.parse(text) as unknown, () => []));
  return E.isRight(decoded) ? { writes: decoded.right.writes.filter((w) => !Number.isNaN(Date.parse(w))), probes: Math.min(MAX_PROBES, Math.max(0, Math.trunc(decoded.right.probes) || 0)) } : noRecord;
};

/** An object's endpoint is contested: we do not write it until `resumeAt`. */
export interface Contested {
  readonly _tag: 'Contested';
  readonly writer: FieldWriter;
  /** When the other writer will have been quiet long enough (RFC 3339). */
  readonly resumeAt: string;
  /** Milliseconds from now to `resumeAt`. */
  readonly resumeAfter: number;
}

/** We may write; the annotation value to send with the write records it. */
export interface MayWrite {
  readonly _tag: 'MayWrite';
  readonly annotation: string;
}

export type WriteDecision = MayWrite | Contested;

export interface ContestSettings {
  /** Our field manager. */
  readonly fieldManager: string;
  readonly now: Date;
  /** The window in milliseconds. */
  readonly window: number;
}

/** What the record and the other writer say, in milliseconds. */
interface Standing {
  /** Another manager overwrote our last write within the window. */
  readonly answered: boolean;
  /** Our writes the other writer overwrote within the window before its own. */
  readonly strikes: number;
  readonly probes: number;
  readonly quietUntil: number;
}

const standingOf = (record: WriteRecord, writer: FieldWriter | undefined, settings: ContestSettings): Standing => {
  const now = settings.now.getTime();
  const otherWrote = writer !== undefined && writer.manager !== settings.fieldManager;
  const parsed = writer?.time === undefined ? Number.NaN : Date.parse(writer.time);
  // A writer without a readable time counts as having written just now.
  const other = Number.isNaN(parsed) ? now : parsed;
  const writes = record.writes.map((w) => Date.parse(w));
  const last = writes.length === 0 ? undefined : Math.max(...writes);
  const answered = otherWrote && last !== undefined && other - last < settings.window;
  const probes = answered ? record.probes : 0;
  return {
    answered,
    strikes: answered ? writes.filter((w) => other - w < settings.window).length : 0,
    probes,
    quietUntil: other + settings.window * 2 ** probes,
  };
};

/**
 * Whether we may write an object's endpoint now, and the record to send with the write.
 * `writer` is who last wrote the endpoint (`endpointWriter`); none when unknown or unset.
 * @example
 * ```ts
 * import { decideEndpointWrite } from '@capt-endpoint/core/adapter';
 *
 * const writer = { manager: 'manager', operation: 'Update', time: '2026-12-02T10:00:31Z' };
 * const object = { metadata: { annotations: { 'capt-endpoint.io/endpoint-writes': '{"writes":["2026-12-02T10:00:00Z","2026-12-02T10:00:30Z"],"probes":0}' } } };
 * decideEndpointWrite(object, writer, { fieldManager: 'capt-endpoint', now: new Date('2026-12-02T10:01:00Z'), window: 600_000 })._tag; // 'Contested'
 * ```
 */
export const decideEndpointWrite = (object: unknown, writer: FieldWriter | undefined, settings: ContestSettings): WriteDecision => {
  const record = writeRecordOf(object);
  const standing = standingOf(record, writer, settings);
  const now = settings.now.getTime();
  const quiet = now >= standing.quietUntil;
  // Two of our writes answered, or one answered after we had already held back: a fight.
  const fighting = standing.answered && (standing.strikes >= KEPT_WRITES || standing.probes > 0);
  if (writer !== undefined && fighting && !quiet) {
    return { _tag: 'Contested', writer, resumeAt: kubeTimeAt(standing.quietUntil), resumeAfter: Math.max(1000, standing.quietUntil - now) };
  }
  // A write after the other writer went quiet is a probe: if it is answered, wait twice as long.
  const probes = fighting ? Math.min(MAX_PROBES, standing.probes + 1) : 0;
  const writes = [...record.writes, kubeTimeAt(now)].slice(-KEPT_WRITES);
  return { _tag: 'MayWrite', annotation: JSON.stringify({ writes, probes }) };
};
