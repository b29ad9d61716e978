/**
 * The Kubernetes REST paths the loopback server answers, parsed into what they address:
 *   /api/v1[/namespaces/{ns}]/{plural}[/{name}[/status]]
 *   /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/status]]
 * A namespaced resource can be listed or watched across namespaces at its cluster path; a
 * cluster-scoped one has no namespaced path. Anything else is not a route (404).
 */
import type { ResourceInfo } from '@capt-endpoint/core/adapter';

export interface Route {
  readonly resource: ResourceInfo;
  readonly apiVersion: string;
  /** Undefined for a cluster-scoped resource and for a list or watch across namespaces. */
  readonly namespace?: string;
  /** Undefined for the collection. */
  readonly name?: string;
  readonly subresource?: 'status';
}

const decode = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

/** The route for a URL path, or undefined when the server does not serve it. */
export const routeOf = (pathname: string, resources: readonly ResourceInfo[]): Route | undefined => {
  const segments = pathname.split('/').filter((s) => s !== '').map(decode);
  if (segments.some((s) => s === undefined)) return undefined;
  const parts = segments as string[];
  const [group, version, rest] =
    parts[0] === 'api' ? ['', parts[1], parts.slice(2)] : parts[0] === 'apis' ? [parts[1], parts[2], parts.slice(3)] : [undefined, undefined, []];
  if (group === undefined || version === undefined) return undefined;
  const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
  const [namespace, plural, name, subresource, ...extra] = namespaced ? rest.slice(1) : [undefined, ...rest];
  if (!plural || extra.length > 0 || (subresource !== undefined && subresource !== 'status')) return undefined;
  const resource = resources.find((r) => r.group === group && r.version === version && r.plural === plural);
  if (!resource) return undefined;
  if (namespaced && !resource.namespaced) return undefined;
  if (!namespaced && resource.namespaced && name !== undefined) return undefined;
  return {
    resource,
    apiVersion: group ? `${group}/${version}` : version,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource === 'status' ? { subresource } : {}),
  };
};
