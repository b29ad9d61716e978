/**
 * The bench's view of `@capt-endpoint/testing`'s loopback API server: start it, seed objects,
 * and turn its request log into counts. The log is emptied at every mark, so a long scale run
 * does not make the server process grow with it.
 */
import type { KubeObject } from '@capt-endpoint/core';
import { startFakeApiServer, type FakeApiServer, type RecordedRequest, type StoreSnapshot } from '@capt-endpoint/testing';

/** Requests the server saw since the last mark. */
export interface RequestCount {
  readonly requests: number;
  readonly writes: number;
  /** `GET 12, PATCH 3` style tallies by method (and LIST/WATCH for collection reads); by `verb group/resource` where an audit log counts them. */
  readonly byVerb: Readonly<Record<string, number>>;
}

export interface BenchServer {
  addAll(objects: Iterable<KubeObject>): number;
  mark(): void;
  countSinceMark(): RequestCount;
  storeBytes(): { bytes: number; objects: number };
  /** Control planes, and those whose endpoint is written on the control plane and its Cluster with `EndpointReady` True. */
  endpointsSet(): { controlPlanes: number; set: number };
  /** Remembers the objects as they are now (after seeding). */
  snapshot(): void;
  /** Back to the snapshot: objects as they were, open watches ended, the request log emptied. */
  restore(): void;
  kubeConfigYaml(): string;
  close(): Promise<void>;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A GET is an object read, a LIST (collection) or a WATCH (`watch=true`): named apart. */
const verbOf = (request: RecordedRequest, namedPath: boolean): string => {
  if (request.method !== 'GET') return request.path.endsWith('/status') ? `${request.method} status` : request.method;
  if (request.query['watch'] === 'true' || request.query['watch'] === '1') return 'WATCH';
  return namedPath ? 'GET' : 'LIST';
};

const hasEndpoint = (object: KubeObject): boolean => {
  const spec = object['spec'] as { controlPlaneEndpoint?: { host?: unknown } } | undefined;
  return typeof spec?.controlPlaneEndpoint?.host === 'string' && spec.controlPlaneEndpoint.host !== '';
};

const isReady = (object: KubeObject): boolean => {
  const status = object['status'] as { conditions?: ReadonlyArray<{ type?: unknown; status?: unknown }> } | undefined;
  return status?.conditions?.some((c) => c.type === 'EndpointReady' && c.status === 'True') ?? false;
};

const CONTROL_PLANES = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane' } as const;
const CLUSTERS = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' } as const;

const keyOf = (object: KubeObject): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

/**
 * Which control planes have their endpoint set, kept up to date from the store's own change
 * feed, so that polling it costs the server no copy of every object (the fixtures name each
 * Cluster as its control plane).
 */
const endpointTracker = (server: FakeApiServer): { count: () => { controlPlanes: number; set: number }; stop: () => void } => {
  const controlPlanes = new Set<string>();
  const readyControlPlanes = new Set<string>();
  const readyClusters = new Set<string>();
  const note = (object: KubeObject, deleted: boolean): void => {
    const key = keyOf(object);
    if (object.kind === CONTROL_PLANES.kind) {
      if (deleted) controlPlanes.delete(key);
      else controlPlanes.add(key);
      if (!deleted && hasEndpoint(object) && isReady(object)) readyControlPlanes.add(key);
      else readyControlPlanes.delete(key);
    } else if (!deleted && hasEndpoint(object)) readyClusters.add(key);
    else readyClusters.delete(key);
  };
  const stops = [CONTROL_PLANES, CLUSTERS].map((kind) => server.store.watch((event) => note(event.object, event.type === 'DELETED'), kind));
  for (const kind of [CONTROL_PLANES, CLUSTERS]) for (const object of server.store.list(kind.apiVersion, kind.kind).items) note(object, false);
  return {
    count: () => {
      let set = 0;
      for (const key of readyControlPlanes) if (readyClusters.has(key)) set++;
      return { controlPlanes: controlPlanes.size, set };
    },
    stop: () => stops.forEach((stop) => stop()),
  };
};

export const fakeApiServer = async (): Promise<BenchServer> => {
  const server = await startFakeApiServer();
  let seeded: StoreSnapshot | undefined;
  // Started at the first count after seeding or restoring, so seeding pays nothing for it.
  let tracker: ReturnType<typeof endpointTracker> | undefined;
  const forgetTracker = (): void => {
    tracker?.stop();
    tracker = undefined;
  };
  const plurals = new Set(['captcontrolplanes', 'workspacetemplateapplies', 'workspaces', 'secrets', 'clusters', 'events']);
  // A path ending in a plural is a collection; one ending in a name (or /status) is an object.
  const isNamed = (path: string): boolean => !plurals.has(path.split('/').pop() ?? '');
  const forgetRequests = (): void => {
    server.requests.length = 0;
  };
  return {
    addAll: (objects) => {
      forgetTracker();
      return server.store.addAll(objects);
    },
    mark: forgetRequests,
    countSinceMark: () => {
      const byVerb: Record<string, number> = {};
      let writes = 0;
      for (const request of server.requests) {
        const verb = verbOf(request, isNamed(request.path));
        byVerb[verb] = (byVerb[verb] ?? 0) + 1;
        if (WRITES.has(request.method)) writes++;
      }
      return { requests: server.requests.length, writes, byVerb };
    },
    storeBytes: () => {
      const objects = server.store.all();
      return { bytes: objects.reduce((sum, object) => sum + JSON.stringify(object).length, 0), objects: objects.length };
    },
    endpointsSet: () => (tracker ??= endpointTracker(server)).count(),
    snapshot: () => {
      seeded = server.store.snapshot();
    },
    restore: () => {
      if (seeded === undefined) throw new Error('no snapshot to restore');
      forgetTracker();
      server.store.restore(seeded);
      // Nothing of the previous process's lists and watches carries over.
      server.dropWatches();
      server.expireContinueTokens();
      forgetRequests();
    },
    kubeConfigYaml: () => server.kubeConfigYaml(),
    close: () => server.close(),
  };
};
