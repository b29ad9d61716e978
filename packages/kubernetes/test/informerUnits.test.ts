import * as E from 'fp-ts/lib/Either.js';
import type { ApiError, KubeObject } from '@capt-endpoint/core';
import { apiError } from '@capt-endpoint/core/adapter';
import { createStringPool, type StringPool } from '@capt-endpoint/core/json';
import { DEFAULT_PAGE_SIZE, backoffDelay, isOlder, pageSizeOf, startInformer } from '../src/informer';
import { resourceTable } from '../src/resources';
import type { LineStream, Transport } from '../src/transport';

const at = (resourceVersion?: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a', ...(resourceVersion ? { resourceVersion } : {}) } });

describe('isOlder', () => {
  it('compares integer resourceVersions as numbers', () => {
    expect(isOlder(at('9'), at('10'))).toBe(true);
    expect(isOlder(at('10'), at('9'))).toBe(false);
    expect(isOlder(at('10'), at('10'))).toBe(false);
    expect(isOlder(at('99999999999999999998'), at('99999999999999999999'))).toBe(true);
  });

  it('treats nothing as older when a version is missing or not an integer', () => {
    expect(isOlder(at('9'), undefined)).toBe(false);
    expect(isOlder(at(), at('10'))).toBe(false);
    expect(isOlder(at('abc'), at('10'))).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the maximum', () => {
    const backoff = { initialMs: 100, maxMs: 1000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, backoff))).toEqual([0, 100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(1, {}, () => 0)).toBe(1000);
    expect(backoffDelay(10, {}, () => 0)).toBe(30_000);
  });

  it('takes a random share of up to `jitter` (default a half) off each delay', () => {
    expect([0, 0.5, 0.999].map((r) => backoffDelay(3, { initialMs: 100 }, () => r))).toEqual([400, 300, 200]);
    expect([0, 0.5].map((r) => backoffDelay(3, { initialMs: 100, jitter: 0.1 }, () => r))).toEqual([400, 380]);
    const delays = Array.from({ length: 200 }, () => backoffDelay(2, { initialMs: 1000 }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2000);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });
});

describe('pageSizeOf', () => {
  it("defaults to client-go's 500, keeps 0 (one request) and any positive integer", () => {
    expect([pageSizeOf(undefined), pageSizeOf(0), pageSizeOf(1), pageSizeOf(10_000)]).toEqual([DEFAULT_PAGE_SIZE, 0, 1, 10_000]);
    expect(DEFAULT_PAGE_SIZE).toBe(500);
  });

  it('throws a RangeError for a negative, fractional or non-finite size', () => {
    for (const size of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => pageSizeOf(size)).toThrow(RangeError);
  });
});

/** Watches that fail at once: lists go through the test's transport, watches are retried. */
const nowhere: LineStream = async () => ({ _tag: 'Failed', error: apiError('Unavailable', 'the API server could not be reached (ECONNREFUSED)') });

const secretList = (resourceVersion: string) =>
  `{"apiVersion":"v1","kind":"SecretList","metadata":{"resourceVersion":"${resourceVersion}"},"items":[{"metadata":{"name":"a","namespace":"ns","resourceVersion":"${resourceVersion}"},"type":"Opaque"}]}`;

describe('an informer whose parts break their contracts', () => {
  it('retries a list that throws instead of failing, and reports it', async () => {
    const errors: ApiError[] = [];
    let calls = 0;
    const transport: Transport = () => async () => {
      calls++;
      if (calls === 1) throw new TypeError('a transport that throws');
      return E.right({ code: 200, text: secretList('7') });
    };
    const informer = startInformer(
      { resource: resourceTable()('v1', 'Secret')! },
      { watch: nowhere, transport, backoff: { initialMs: 10, maxMs: 10 }, onChange: () => undefined, onError: (error) => errors.push(error) },
    );
    try {
      await informer.synced();
      expect(informer.hasSynced()).toBe(true);
      expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('7');
      expect(errors[0]).toMatchObject({ _tag: 'ApiError' });
      expect(calls).toBeGreaterThanOrEqual(2);
    } finally {
      await informer.stop();
    }
  });

  it('keeps going when the host’s onChange and onError throw', async () => {
    let failedLists = 0;
    let calls = 0;
    const transport: Transport = () => async () => {
      calls++;
      return calls === 1 ? E.left(apiError('Unavailable', 'the server is starting')) : E.right({ code: 200, text: secretList('8') });
    };
    const informer = startInformer(
      { resource: resourceTable()('v1', 'Secret')! },
      {
        watch: nowhere,
        transport,
        backoff: { initialMs: 10, maxMs: 10 },
        onChange: () => {
          throw new Error('a listener that throws');
        },
        onError: () => {
          failedLists++;
          throw new Error('an error handler that throws');
        },
      },
    );
    try {
      await informer.synced();
      expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('8');
      informer.accept({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a', namespace: 'ns', resourceVersion: '9' } });
      expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('9');
      expect(failedLists).toBeGreaterThanOrEqual(1);
    } finally {
      await informer.stop();
    }
  });
});

describe('the string pool', () => {
  const syncOnce = async (apiVersion: string, kind: string, list: string, strings: StringPool): Promise<void> => {
    const transport: Transport = () => async () => E.right({ code: 200, text: list });
    const informer = startInformer(
      { resource: resourceTable()(apiVersion, kind)! },
      { watch: nowhere, transport, strings, backoff: { initialMs: 10, maxMs: 10 }, onChange: () => undefined, onError: () => undefined },
    );
    try {
      await informer.synced();
      expect(informer.get('ns', 'a')).toBeDefined();
    } finally {
      await informer.stop();
    }
  };

  it('pools the strings of the kinds it holds, and never a Secret’s', async () => {
    const strings = createStringPool();
    await syncOnce('v1', 'Secret', secretList('7'), strings);
    expect(strings.size()).toEqual({ places: 0, values: 0 });
    const controlPlanes = `{"apiVersion":"controlplane.cluster.x-k8s.io/v1beta1","kind":"CAPTControlPlaneList","metadata":{"resourceVersion":"3"},"items":[{"metadata":{"name":"a","namespace":"ns","resourceVersion":"3"},"spec":{"version":"1.31"}}]}`;
    await syncOnce('controlplane.cluster.x-k8s.io/v1beta1', 'CAPTControlPlane', controlPlanes, strings);
    expect(strings.size().values).toBeGreaterThan(0);
  });
});

describe('an informer holding an object nested 20,000 deep', () => {
  // The API server accepts custom resources nested up to 10,000 levels. Holding, reading and
  // accepting such an object must not overflow the call stack (which would end the informer).
  const DEPTH = 20_000;
  const deepJson = `${'{"a":'.repeat(DEPTH)}"leaf"${'}'.repeat(DEPTH)}`;
  const depthOf = (value: unknown): number => {
    let depth = 0;
    for (let at = value; typeof at === 'object' && at !== null; at = (at as { a: unknown }).a) depth++;
    return depth;
  };

  it('lists it, hands out copies and the frozen object, and accepts a newer version', async () => {
    const list = `{"apiVersion":"v1","kind":"SecretList","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"deep","namespace":"ns","resourceVersion":"5","managedFields":[{"manager":"m"}]},"data":${deepJson}}]}`;
    const transport: Transport = () => async () => E.right({ code: 200, text: list });
    const informer = startInformer(
      { resource: resourceTable()('v1', 'Secret')! },
      { watch: nowhere, transport, backoff: { initialMs: 50, maxMs: 50 }, onChange: () => undefined, onError: () => undefined },
    );
    try {
      await informer.synced();
      const copy = informer.get('ns', 'deep') as KubeObject & { data: unknown };
      expect(copy.metadata).toEqual({ name: 'deep', namespace: 'ns', resourceVersion: '5' });
      expect(depthOf(copy.data)).toBe(DEPTH);
      const shared = informer.get('ns', 'deep', true) as KubeObject & { data: unknown };
      expect(Object.isFrozen(shared.data)).toBe(true);
      expect(copy.data).not.toBe(shared.data);

      const newer = JSON.parse(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"deep","namespace":"ns","resourceVersion":"6"},"data":${deepJson}}`) as KubeObject;
      informer.accept(newer);
      const held = informer.get('ns', 'deep', true) as KubeObject & { data: unknown };
      expect(held.metadata.resourceVersion).toBe('6');
      expect(depthOf(held.data)).toBe(DEPTH);
      expect(Object.isFrozen(newer['data'])).toBe(false);
    } finally {
      await informer.stop();
    }
  });
});
