/**
 * A cached object answered at another version of its kind than the one the cache lists (ADR
 * 0092). Conversion strategy None, as a CRD without a conversion webhook: only `apiVersion`
 * changes. For a Cluster, also Cluster API's spelling of an unset endpoint, the one field the
 * library reads: `{host: "", port: 0}` at v1beta1, absent at v1beta2 (the conversion maps one to
 * the other). Every other field is as the cached version has it.
 */
import { CLUSTER_GROUP, type KubeObject } from '@capt-endpoint/core';
import { isRecord } from '@capt-endpoint/core/json';

const V1BETA1 = `${CLUSTER_GROUP}/v1beta1`;
const V1BETA2 = `${CLUSTER_GROUP}/v1beta2`;

const isUnset = (endpoint: Record<string, unknown>): boolean => !endpoint['host'] && !endpoint['port'];

/** A Cluster's spec as Cluster API converts it to `apiVersion`; the same object when nothing changes. */
const clusterSpecAt = (spec: Record<string, unknown>, apiVersion: string): Record<string, unknown> => {
  const endpoint = spec['controlPlaneEndpoint'];
  if (apiVersion === V1BETA2 && isRecord(endpoint) && isUnset(endpoint)) {
    const { controlPlaneEndpoint: _, ...rest } = spec;
    return Object.freeze(rest);
  }
  if (apiVersion === V1BETA1 && (endpoint === undefined || (isRecord(endpoint) && !('host' in endpoint && 'port' in endpoint))))
    return Object.freeze({ ...spec, controlPlaneEndpoint: Object.freeze({ host: '', port: 0, ...endpoint }) });
  return spec;
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
      ? { ...object, apiVersion, spec: clusterSpecAt(spec, apiVersion) }
      : { ...object, apiVersion };
  return Object.freeze(converted);
};
