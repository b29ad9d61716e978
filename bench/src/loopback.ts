/**
 * The bench's view of `@capt-endpoint/testing`'s loopback API server: start it, seed objects,
 * and turn its request log into counts. The log is emptied at every mark, so a long scale run
 * does not make the server process grow with it.
 */
import type { KubeObject } from '@capt-endpoint/core';
import { startFakeApiServer, type RecordedRequest, type StoreSnapshot } from '@capt-endpoint/testing';

/** Requests the server saw since the last mark. */
export interface RequestCount {
  readonly requests: number;
  readonly writes: number;
  /** `GET 12, PATCH 3` style tallies by method (and LIST/WATCH for collection reads). */
  readonly byVerb: Readonly<Record<string, number>>;
}

export interface BenchServer {
  addAll(objects: Iterable<KubeObject>): number;
  mark(): void;
  countSinceMark(): RequestCount;
  storeBytes(): { bytes: number; objects: number };
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

export const fakeApiServer = async (): Promise<BenchServer> => {
  const server = await startFakeApiServer();
  let seeded: StoreSnapshot | undefined;
  const plurals = new Set(['captcontrolplanes', 'workspacetemplateapplies', 'workspaces', 'secrets', 'clusters', 'events']);
  // A path ending in a plural is a collection; one ending in a name (or /status) is an object.
  const isNamed = (path: string): boolean => !plurals.has(path.split('/').pop() ?? '');
  const forgetRequests = (): void => {
    server.requests.length = 0;
  };
  return {
    addAll: (objects) => server.store.addAll(objects),
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
    snapshot: () => {
      seeded = server.store.snapshot();
    },
    restore: () => {
      if (seeded === undefined) throw new Error('no snapshot to restore');
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
