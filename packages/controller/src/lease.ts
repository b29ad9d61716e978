/**
 * The `coordination.k8s.io/v1` Lease as leader election reads and writes it: the record it
 * holds (who leads, for how long, since when, how many hand-overs), decoded from an object
 * whose fields may be missing or of the wrong type, and the objects and merge patches that
 * write it. A field the record does not understand reads as unset, never as an exception.
 */
import type { KubeObject, MergePatch, ObjectRef } from '@capt-endpoint/core';
import type { ResourceInfo } from '@capt-endpoint/core/adapter';

export const LEASE_API_VERSION = 'coordination.k8s.io/v1';

/** The Lease's REST mapping, for a client's `resources` option (the library's table does not hold it). */
export const LEASE_RESOURCE: ResourceInfo = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true };

/** What a Lease says about the leader, as client-go's `LeaderElectionRecord`. */
export interface LeaseRecord {
  /** Empty when nobody holds it (after a release). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  /** Milliseconds since the epoch; undefined when the Lease holds no valid time. */
  readonly acquireTime: number | undefined;
  readonly renewTime: number | undefined;
  readonly leaseTransitions: number;
}

export const leaseRef = (namespace: string, name: string): ObjectRef => ({ apiVersion: LEASE_API_VERSION, kind: 'Lease', namespace, name });

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

const wholeNumber = (u: unknown): number | undefined => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? u : undefined);

const timeOf = (u: unknown): number | undefined => {
  if (typeof u !== 'string') return undefined;
  const ms = Date.parse(u);
  return Number.isFinite(ms) ? ms : undefined;
};

/** The record a Lease object holds; missing or malformed fields read as unset (empty holder, zero counts). */
export const leaseRecordOf = (lease: KubeObject): LeaseRecord => {
  const spec = isRecord(lease['spec']) ? lease['spec'] : {};
  return {
    holderIdentity: typeof spec['holderIdentity'] === 'string' ? spec['holderIdentity'] : '',
    leaseDurationSeconds: wholeNumber(spec['leaseDurationSeconds']) ?? 0,
    acquireTime: timeOf(spec['acquireTime']),
    renewTime: timeOf(spec['renewTime']),
    leaseTransitions: wholeNumber(spec['leaseTransitions']) ?? 0,
  };
};

/** Kubernetes' MicroTime: RFC 3339 with six fractional digits. */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const specOf = (record: LeaseRecord): Record<string, unknown> => ({
  holderIdentity: record.holderIdentity,
  leaseDurationSeconds: record.leaseDurationSeconds,
  acquireTime: record.acquireTime === undefined ? null : microTime(record.acquireTime),
  renewTime: record.renewTime === undefined ? null : microTime(record.renewTime),
  leaseTransitions: record.leaseTransitions,
});

/** A new Lease holding `record`. */
export const leaseObject = (namespace: string, name: string, record: LeaseRecord): KubeObject => ({
  apiVersion: LEASE_API_VERSION,
  kind: 'Lease',
  metadata: { namespace, name },
  spec: specOf(record),
});

/**
 * The merge patch that writes `record` over the Lease at `resourceVersion`: a Lease changed
 * since it was read fails with 409 Conflict, so two candidates cannot both win one round.
 */
export const leasePatch = (record: LeaseRecord, resourceVersion: string | undefined): MergePatch => ({
  metadata: { resourceVersion: resourceVersion ?? null },
  spec: specOf(record),
});
