/**
 * A cached object answered at another version of its kind than the one the cache lists (ADR
 * 0092). Conversion strategy None, as a CRD without a conversion webhook: only `apiVersion`
 * changes. For a Cluster, also Cluster API's spelling of an unset endpoint, the one field the
 * library reads: `{host: "", port: 0}` at v1beta1, absent at v1beta2 (the conversion maps one to
 * the other). Every other field is as the cached version has it.
 */
import type { KubeObject } from '@capt-endpoint/core';
import { CLUSTER_GROUP, clusterSpecAt } from '@capt-endpoint/core/adapter';
import { isRecord } from '@capt-endpoint/core/json';

/** `clusterSpecAt`, with the parts it makes frozen as the held object is. */
const frozenSpecAt = (spec: Record<string, unknown>, apiVersion: string): Readonly<Record<string, unknown>> => {
  const converted = clusterSpecAt(spec, apiVersion);
  if (converted === spec) return spec;
  const endpoint = converted['controlPlaneEndpoint'];
  if (endpoint !== spec['controlPlaneEndpoint'] && isRecord(endpoint)) Object.freeze(endpoint);
  return Object.freeze(converted);
};

/**
 * `object` as it reads at `apiVersion`: a new object with that apiVersion, sharing everything
 * that does not change with `object`. The parts it makes are frozen, so a frozen object gives a
 * frozen one.
 */
export const convertTo = (object: KubeObject, apiVersion: string): KubeObject => {
  if (object.apiVersion === apiVersion) return object;
  const spec = object['spec'];
  const converted =
    object.kind === 'Cluster' && apiVersion.startsWith(`${CLUSTER_GROUP}/`) && isRecord(spec)
      ? { ...object, apiVersion, spec: frozenSpecAt(spec, apiVersion) }
      : { ...object, apiVersion };
  return Object.freeze(converted);
};
