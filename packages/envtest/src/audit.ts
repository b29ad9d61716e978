/**
 * kube-apiserver's audit log read back: every request's user, verb, resource and answer, as the
 * server itself saw them, so a test or a benchmark counts requests without trusting the client.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** Every request's user, verb, resource and answer once answered (a watch also when it starts): pass it as `auditPolicy`. */
export const METADATA_AUDIT_POLICY = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [{ level: 'Metadata' }],
} as const;

/** One audit event (audit.k8s.io/v1 Event), the fields a count needs. */
export interface AuditEvent {
  readonly auditID: string;
  readonly stage: 'ResponseStarted' | 'ResponseComplete' | 'Panic';
  readonly verb: string;
  readonly requestURI: string;
  readonly userAgent?: string;
  readonly user: { readonly username: string; readonly extra?: Record<string, readonly string[]> };
  readonly objectRef?: {
    readonly resource?: string;
    readonly subresource?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly apiGroup?: string;
  };
  readonly responseStatus?: { readonly code?: number };
  readonly stageTimestamp: string;
}

/** The log's length in bytes now (0 when it does not exist yet): a mark to read from later. */
export const auditLogSize = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/**
 * The requests logged from byte `from` on (0: all of them), one event each (the last stage
 * seen), in the order they were received. A line still being written at the end is left out.
 */
export const readAuditLog = (path: string, from = 0): AuditEvent[] => {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  let text: string;
  try {
    const length = Math.max(0, fstatSync(fd).size - from);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    text = buffer.toString('utf8', 0, read);
  } finally {
    closeSync(fd);
  }
  const byId = new Map<string, AuditEvent>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{') || !line.endsWith('}')) continue;
    const event = JSON.parse(line) as AuditEvent;
    byId.set(event.auditID, event);
  }
  return [...byId.values()];
};

/** `group/resource[/subresource]`, the core group as ''; the path for a non-resource URL. */
export const auditResource = (event: AuditEvent): string => {
  const ref = event.objectRef;
  if (ref?.resource === undefined) return event.requestURI.split('?')[0] ?? event.requestURI;
  return `${ref.apiGroup ?? ''}/${ref.resource}${ref.subresource ? `/${ref.subresource}` : ''}`;
};

/** The verbs that change what the server stores. */
export const AUDIT_WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** Requests by `verb resource`, counted, in key order. */
export const tallyAudit = (events: readonly AuditEvent[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const event of events) {
    const key = `${event.verb} ${auditResource(event)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
};
