/**
 * The bench's view of `@capt-endpoint/testing`'s loopback API server: start it, seed objects,
 * and read its request log as counts. The one place that knows the server's interface.
 */
import type { KubeObject } from '@capt-endpoint/core';
import type { RequestCount } from './server';

/** What the bench needs of `startFakeApiServer()` (as documented by @capt-endpoint/testing). */
interface FakeApiServer {
  readonly requests: ReadonlyArray<{ readonly method: string; readonly path?: string; readonly url?: string }>;
  readonly store: { add(object: KubeObject): unknown; all(): KubeObject[] };
  kubeConfigYaml(): string;
  close(): Promise<void>;
}

export interface BenchServer {
  add(object: KubeObject): number;
  requestCount(): number;
  countSince(mark: number): RequestCount;
  storeBytes(): { bytes: number; objects: number };
  kubeConfigYaml(): string;
  close(): Promise<void>;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** GET on a collection is a LIST, or a WATCH with `watch=true`: named apart from object reads. */
const verbOf = (request: FakeApiServer['requests'][number]): string => {
  const target = request.path ?? request.url ?? '';
  if (request.method !== 'GET') return request.method;
  if (/[?&]watch=(true|1)/.test(target)) return 'WATCH';
  return 'GET';
};

export const fakeApiServer = async (): Promise<BenchServer> => {
  const testing = (await import('@capt-endpoint/testing')) as unknown as { startFakeApiServer?: () => Promise<FakeApiServer> };
  if (typeof testing.startFakeApiServer !== 'function') {
    throw new Error('@capt-endpoint/testing has no startFakeApiServer yet (branch h/testing has not landed it)');
  }
  const server = await testing.startFakeApiServer();
  return {
    add: (object) => {
      server.store.add(object);
      return 1;
    },
    requestCount: () => server.requests.length,
    countSince: (mark) => {
      const byVerb: Record<string, number> = {};
      let writes = 0;
      const recent = server.requests.slice(mark);
      for (const request of recent) {
        const verb = verbOf(request);
        byVerb[verb] = (byVerb[verb] ?? 0) + 1;
        if (WRITES.has(request.method)) writes++;
      }
      return { requests: recent.length, writes, byVerb };
    },
    storeBytes: () => {
      const objects = server.store.all();
      return { bytes: objects.reduce((sum, object) => sum + JSON.stringify(object).length, 0), objects: objects.length };
    },
    kubeConfigYaml: () => server.kubeConfigYaml(),
    close: () => server.close(),
  };
};
