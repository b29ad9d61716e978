// Paged lists on the loopback server (`limit` and `continue`), spoken to with plain fetch.
import type { KubeObject } from '@capt-endpoint/core';
import { startFakeApiServer, type FakeApiServer, type FakeApiServerOptions } from '../src';
import { secret } from './fixtures';

const secrets = '/api/v1/namespaces/default/secrets';

let server: FakeApiServer;
let clock = 0;

/** Seven Secrets `s0`..`s6` in `default`, the odd ones labelled `odd=yes`, and one in another namespace. */
const objects = (): KubeObject[] => [
  ...Array.from({ length: 7 }, (_, i) => ({ ...secret(), metadata: { name: `s${i}`, namespace: 'default', ...(i % 2 ? { labels: { odd: 'yes' } } : {}) } })),
  { ...secret(), metadata: { name: 'away', namespace: 'other' } },
];

const start = async (options: FakeApiServerOptions = {}): Promise<void> => {
  clock = 0;
  server = await startFakeApiServer({ objects: objects(), pagedLists: { now: () => clock }, ...options });
};

beforeEach(() => start());
afterEach(async () => {
  await server.close();
});

interface ListBody {
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
  code?: number;
  reason?: string;
  message?: string;
}

const list = async (path: string, query: Record<string, string>): Promise<{ code: number; body: ListBody }> => {
  const response = await fetch(`${server.url}${path}?${new URLSearchParams(query)}`);
  return { code: response.status, body: (await response.json()) as ListBody };
};

const names = (body: ListBody): string[] => body.items.map((o) => o.metadata.name ?? '');

/** Every page of a list, following `continue` until it is empty. */
const allPages = async (path: string, query: Record<string, string>): Promise<ListBody[]> => {
  const pages: ListBody[] = [];
  let token: string | undefined;
  do {
    const { code, body } = await list(path, { ...query, ...(token ? { continue: token } : {}) });
    expect(code).toBe(200);
    pages.push(body);
    token = body.metadata.continue;
  } while (token);
  return pages;
};

const expectExpired = ({ code, body }: { code: number; body: ListBody }): void => {
  expect(code).toBe(410);
  expect(body).toMatchObject({
    kind: 'Status',
    code: 410,
    reason: 'Expired',
    message: expect.stringContaining('The provided continue parameter is too old to display a consistent list result'),
  });
};

describe('fake API server: paged lists', () => {
  it('serves `limit` items a page; the pages concatenate to the full list, in order, at one resourceVersion', async () => {
    const full = (await list(secrets, {})).body;
    const pages = await allPages(secrets, { limit: '3' });
    expect(pages.map(names)).toEqual([['s0', 's1', 's2'], ['s3', 's4', 's5'], ['s6']]);
    expect(pages.flatMap(names)).toEqual(names(full));
    expect(pages.map((p) => p.metadata.resourceVersion)).toEqual([full.metadata.resourceVersion, full.metadata.resourceVersion, full.metadata.resourceVersion]);
    expect(pages.map((p) => p.metadata.remainingItemCount)).toEqual([4, 1, undefined]);
    expect(pages.map((p) => p.kind)).toEqual(['SecretList', 'SecretList', 'SecretList']);
  });

  it('gives no continue token when the limit covers the list, or is 0', async () => {
    for (const limit of ['7', '500', '0']) {
      const { body } = await list(secrets, { limit });
      expect([limit, names(body).length, body.metadata]).toEqual([limit, 7, { resourceVersion: server.store.resourceVersion }]);
    }
  });

  it('serves later pages from the first page\'s snapshot: writes between pages do not show', async () => {
    const first = (await list(secrets, { limit: '3' })).body;
    const listedAt = first.metadata.resourceVersion;
    server.store.patch({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 's4' }, { metadata: { labels: { changed: 'yes' } } });
    server.store.delete({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 's5' });
    server.store.add({ ...secret(), metadata: { name: 's3a', namespace: 'default' } });
    expect(server.store.resourceVersion).not.toBe(listedAt);
    const rest = await allPages(secrets, { limit: '3', continue: first.metadata.continue! });
    expect(rest.flatMap(names)).toEqual(['s3', 's4', 's5', 's6']);
    expect(rest.flatMap((p) => p.items).find((o) => o.metadata.name === 's4')?.metadata.labels).toBeUndefined();
    expect(rest.map((p) => p.metadata.resourceVersion)).toEqual([listedAt, listedAt]);
    // A new list sees the writes.
    expect((await allPages(secrets, { limit: '3' })).flatMap(names)).toEqual(['s0', 's1', 's2', 's3', 's3a', 's4', 's6']);
  });

  it('answers 410 Expired for an unknown token, a used one, and after expireContinueTokens()', async () => {
    expectExpired(await list(secrets, { limit: '3', continue: 'bm90LWEtdG9rZW4' }));
    const first = (await list(secrets, { limit: '3' })).body;
    expect((await list(secrets, { limit: '3', continue: first.metadata.continue! })).code).toBe(200);
    expectExpired(await list(secrets, { limit: '3', continue: first.metadata.continue! }));
    const again = (await list(secrets, { limit: '3' })).body;
    server.expireContinueTokens();
    expectExpired(await list(secrets, { limit: '3', continue: again.metadata.continue! }));
  });

  it('keeps a bounded number of open lists, the newest, each for a bounded time', async () => {
    await server.close();
    await start({ pagedLists: { maxOpen: 2, ttlMs: 1000, now: () => clock } });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) tokens.push((await list(secrets, { limit: '1' })).body.metadata.continue!);
    expectExpired(await list(secrets, { limit: '1', continue: tokens[0]! })); // evicted by the third
    expect((await list(secrets, { limit: '1', continue: tokens[2]! })).code).toBe(200);
    const late = (await list(secrets, { limit: '1' })).body.metadata.continue!;
    clock += 1000;
    expectExpired(await list(secrets, { limit: '1', continue: late }));
  });

  it('counts the limit after selectors, and gives no remainingItemCount with a selector, as the API server does', async () => {
    const pages = await allPages(secrets, { limit: '2', labelSelector: 'odd=yes' });
    expect(pages.map(names)).toEqual([['s1', 's3'], ['s5']]);
    expect(pages[0]!.metadata.continue).toEqual(expect.any(String));
    expect(pages.map((p) => p.metadata.remainingItemCount)).toEqual([undefined, undefined]);
    const fields = await allPages('/api/v1/secrets', { limit: '5', fieldSelector: 'metadata.namespace!=other' });
    expect(fields.map(names)).toEqual([['s0', 's1', 's2', 's3', 's4'], ['s5', 's6']]);
  });

  it('pages a list across namespaces', async () => {
    expect((await allPages('/api/v1/secrets', { limit: '4' })).map(names)).toEqual([['s0', 's1', 's2', 's3'], ['s4', 's5', 's6', 'away']]);
  });

  it('answers 400 for a malformed limit, a token of another list, and a resourceVersion with continue', async () => {
    for (const limit of ['abc', '-1', '1.5', '']) {
      const { code, body } = await list(secrets, { limit });
      expect([limit, code]).toEqual([limit, limit === '' ? 200 : 400]);
      if (code === 400) expect(body).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: expect.stringContaining('limit') });
    }
    const first = (await list(secrets, { limit: '3' })).body;
    expect(await list('/api/v1/secrets', { limit: '3', continue: first.metadata.continue! })).toMatchObject({ code: 400, body: { reason: 'BadRequest' } });
    const other = (await list(secrets, { limit: '3' })).body;
    expect(await list(secrets, { continue: other.metadata.continue!, resourceVersion: '1' })).toMatchObject({ code: 400, body: { reason: 'BadRequest' } });
  });

  it('serves the whole rest of the list for a continue without a limit', async () => {
    const first = (await list(secrets, { limit: '2' })).body;
    const { body } = await list(secrets, { continue: first.metadata.continue! });
    expect([names(body), body.metadata.continue]).toEqual([['s2', 's3', 's4', 's5', 's6'], undefined]);
  });

  it('ignores limit on a watch, as the API server does', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}${secrets}?watch=true&limit=2`, { signal: controller.signal });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (text.split('\n').length <= 7) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += chunk.value;
    }
    controller.abort();
    expect(text.trim().split('\n').map((line) => JSON.parse(line).object.metadata.name)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
  });
});
