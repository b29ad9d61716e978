// The loopback server's wire behaviour, spoken to with plain fetch.
import { startFakeApiServer, type FakeApiServer } from '../src';
import { controlPlane, secret, workspace } from './fixtures';

const cpPath = '/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/default/captcontrolplanes/cp';
const wsPath = '/apis/tf.upbound.io/v1beta1/workspaces/ws';
const secretPath = '/api/v1/namespaces/default/secrets/conn';

let server: FakeApiServer;

beforeEach(async () => {
  server = await startFakeApiServer({ objects: [controlPlane(), workspace(), secret()] });
});

afterEach(async () => {
  await server.close();
});

const call = async (method: string, path: string, body?: unknown, contentType = 'application/merge-patch+json') => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body !== undefined
      ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': contentType } }
      : {}),
  });
  const type = response.headers.get('content-type');
  const text = await response.text();
  return { code: response.status, type, text, body: (type === 'application/json' ? JSON.parse(text) : {}) as Record<string, any> };
};

const expectStatus = (body: Record<string, unknown>, code: number, reason: string) =>
  expect(body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: expect.any(String) });

describe('fake API server: reads', () => {
  it('listens on loopback', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('gets a namespaced custom resource, a cluster-scoped one and a core Secret', async () => {
    expect(await call('GET', cpPath)).toMatchObject({ code: 200, type: 'application/json', body: { kind: 'CAPTControlPlane', metadata: { name: 'cp' } } });
    expect(await call('GET', wsPath)).toMatchObject({ code: 200, body: { kind: 'Workspace', status: { atProvider: expect.any(Object) } } });
    expect(await call('GET', secretPath)).toMatchObject({ code: 200, body: { data: secret()['data'] } });
    expect(await call('GET', `${cpPath}/status`)).toMatchObject({ code: 200, body: { kind: 'CAPTControlPlane' } });
  });

  it('answers 404 with a Status naming the resource for a missing object', async () => {
    const { code, body } = await call('GET', '/api/v1/namespaces/default/secrets/missing');
    expect(code).toBe(404);
    expectStatus(body, 404, 'NotFound');
    expect(body).toMatchObject({ message: 'secrets "missing" not found', details: { name: 'missing', group: '', kind: 'secrets' } });
  });

  it('answers 404 for paths it does not serve: plain text for a group-version it serves nothing of, as the API server does', async () => {
    for (const path of ['/apis/example.com/v1/namespaces/default/things/x', '/apis/cluster.x-k8s.io/v1alpha4/namespaces/default/clusters/c']) {
      const { code, type, text } = await call('GET', path);
      expect([path, code, type, text]).toEqual([path, 404, 'text/plain; charset=utf-8', '404 page not found\n']);
    }
    for (const path of [
      '/apis/tf.upbound.io/v1beta1/namespaces/default/workspaces/ws', // cluster-scoped kind under a namespace
      '/apis/controlplane.cluster.x-k8s.io/v1beta1/captcontrolplanes/cp', // namespaced kind without one
      `${cpPath}/scale`,
      '/healthz',
    ]) {
      const { code, body } = await call('GET', path);
      expect([path, code]).toEqual([path, 404]);
      expectStatus(body, 404, 'NotFound');
    }
  });

  it('lists one namespace or all, with the List resourceVersion', async () => {
    server.store.add({ ...secret(), metadata: { name: 'other', namespace: 'elsewhere' } });
    const one = await call('GET', '/api/v1/namespaces/default/secrets');
    expect(one.body).toMatchObject({ kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '4' } });
    expect(one.body['items'].map((o: any) => o.metadata.name)).toEqual(['conn']);
    const all = await call('GET', '/api/v1/secrets');
    expect(all.body['items'].map((o: any) => o.metadata.name)).toEqual(['conn', 'other']);
    const workspaces = await call('GET', '/apis/tf.upbound.io/v1beta1/workspaces');
    expect(workspaces.body).toMatchObject({ kind: 'WorkspaceList', items: [expect.objectContaining({ kind: 'Workspace' })] });
  });

  it('lists with label and field selectors', async () => {
    server.store.add({ ...secret(), metadata: { name: 'labelled', namespace: 'default', labels: { app: 'capt' } }, type: 'Opaque' });
    const names = async (query: string) =>
      (await call('GET', `/api/v1/namespaces/default/secrets?${new URLSearchParams(query)}`)).body['items'].map((o: any) => o.metadata.name);
    expect(await names('labelSelector=app=capt')).toEqual(['labelled']);
    expect(await names('labelSelector=app notin (capt)')).toEqual(['conn']);
    expect(await names('fieldSelector=type=connection.crossplane.io/v1alpha1')).toEqual(['conn']);
    expect(await names('fieldSelector=metadata.name!=conn,type=Opaque')).toEqual(['labelled']);
  });

  it('answers 400 for a selector it cannot read or a field the kind does not index', async () => {
    const unsupported = await call('GET', '/apis/controlplane.cluster.x-k8s.io/v1beta1/captcontrolplanes?fieldSelector=spec.x%3D1');
    expect(unsupported.code).toBe(400);
    expectStatus(unsupported.body, 400, 'BadRequest');
    expect(unsupported.body['message']).toBe('field label not supported: spec.x');
    expect((await call('GET', '/api/v1/secrets?watch=true&labelSelector=a%20in%20b')).code).toBe(400);
  });

  it('refuses dry runs rather than writing', async () => {
    const { code, body } = await call('PATCH', `${cpPath}?dryRun=All`, { spec: { x: 1 } });
    expect(code).toBe(400);
    expectStatus(body, 400, 'BadRequest');
    expect(server.store.resourceVersion).toBe('3');
  });
});

describe('fake API server: writes', () => {
  it('applies a merge patch, records the field manager, and ignores status on the main resource', async () => {
    const { code, body } = await call('PATCH', `${cpPath}?fieldManager=capt-endpoint`, {
      spec: { controlPlaneEndpoint: { host: 'h.example', port: 443 } },
      status: { ignored: true },
    });
    expect(code).toBe(200);
    expect(body).toMatchObject({ spec: { controlPlaneEndpoint: { host: 'h.example', port: 443 } }, metadata: { generation: 2, resourceVersion: '4' } });
    expect(body['status']).toBeUndefined();
    expect(server.requests.at(-1)).toEqual({
      method: 'PATCH',
      path: cpPath,
      query: { fieldManager: 'capt-endpoint' },
      contentType: 'application/merge-patch+json',
      body: { spec: { controlPlaneEndpoint: { host: 'h.example', port: 443 } }, status: { ignored: true } },
      fieldManager: 'capt-endpoint',
    });
  });

  it('writes only status through /status', async () => {
    const { body } = await call('PATCH', `${cpPath}/status`, { spec: { ignored: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    expect(body).toMatchObject({ spec: { workspaceTemplateApplyName: 'wta' }, status: { conditions: [{ type: 'Ready' }] }, metadata: { generation: 1 } });
    expect(body['spec']['ignored']).toBeUndefined();
  });

  it('answers 409 Conflict for a stale resourceVersion', async () => {
    const { code, body } = await call('PATCH', cpPath, { metadata: { resourceVersion: '0' }, spec: { x: 1 } });
    expect(code).toBe(409);
    expectStatus(body, 409, 'Conflict');
    expect(body['details']).toEqual({ name: 'cp', group: 'controlplane.cluster.x-k8s.io', kind: 'captcontrolplanes' });
  });

  it('answers 404 for a patch of a missing object', async () => {
    const { code, body } = await call('PATCH', '/api/v1/namespaces/default/secrets/missing', { data: {} });
    expect(code).toBe(404);
    expectStatus(body, 404, 'NotFound');
  });

  it.each(['application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/json'])(
    'answers 415 for a %s patch',
    async (contentType) => {
      const { code, body } = await call('PATCH', cpPath, contentType.endsWith('json-patch+json') ? [{ op: 'add', path: '/spec/x', value: 1 }] : { spec: { x: 1 } }, contentType);
      expect(code).toBe(415);
      expectStatus(body, 415, 'UnsupportedMediaType');
      expect(server.store.resourceVersion).toBe('3');
    },
  );

  it('accepts a media type with parameters', async () => {
    expect((await call('PATCH', cpPath, { spec: { x: 1 } }, 'application/merge-patch+json; charset=utf-8')).code).toBe(200);
  });

  it('answers 400 BadRequest for a body that is not JSON, as the API server does', async () => {
    const { code, body } = await call('PATCH', cpPath, '{"spec": ');
    expect(code).toBe(400);
    expectStatus(body, 400, 'BadRequest');
    expect(server.requests.at(-1)?.body).toBe('{"spec": ');
  });

  it('answers 422 Invalid for a patch that renames the object', async () => {
    const { code, body } = await call('PATCH', cpPath, { metadata: { name: 'other' } });
    expect(code).toBe(422);
    expectStatus(body, 422, 'Invalid');
  });

  it('answers 405 for PUT and for a patch of a collection', async () => {
    expect((await call('PUT', cpPath, controlPlane(), 'application/json')).code).toBe(405);
    const { code, body } = await call('PATCH', '/api/v1/namespaces/default/secrets', {});
    expect(code).toBe(405);
    expectStatus(body, 405, 'MethodNotAllowed');
  });

  it('creates Events with POST, core and events.k8s.io, generateName included', async () => {
    const core = await call(
      'POST',
      '/api/v1/namespaces/default/events',
      { apiVersion: 'v1', kind: 'Event', metadata: { generateName: 'cp.' }, reason: 'EndpointSet', involvedObject: { kind: 'CAPTControlPlane', name: 'cp' } },
      'application/json',
    );
    expect(core.code).toBe(201);
    expect(core.body).toMatchObject({ kind: 'Event', reason: 'EndpointSet', metadata: { namespace: 'default', name: expect.stringMatching(/^cp\./) } });
    const modern = await call(
      'POST',
      '/apis/events.k8s.io/v1/namespaces/default/events',
      { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e1' }, reason: 'EndpointSet', note: 'set' },
      'application/json',
    );
    expect(modern.code).toBe(201);
    expect(server.store.list('events.k8s.io/v1', 'Event', 'default').items.map((e) => e.metadata.name)).toEqual(['e1']);
    const again = await call('POST', '/apis/events.k8s.io/v1/namespaces/default/events', { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e1' } }, 'application/json');
    expect(again.code).toBe(409);
    expectStatus(again.body, 409, 'AlreadyExists');
  });

  it('refuses a POST whose body does not match the path', async () => {
    const wrongNamespace = await call('POST', '/api/v1/namespaces/default/events', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'other' } }, 'application/json');
    expect(wrongNamespace.code).toBe(400);
    const wrongKind = await call('POST', '/api/v1/namespaces/default/events', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'e' } }, 'application/json');
    expect(wrongKind.code).toBe(400);
  });

  it('deletes', async () => {
    expect((await call('DELETE', secretPath)).code).toBe(200);
    expect((await call('GET', secretPath)).code).toBe(404);
  });
});

describe('fake API server: injection and recording', () => {
  it('records every request in order, failed ones included', async () => {
    await call('GET', cpPath);
    await call('GET', '/nowhere?x=1');
    expect(server.requests).toEqual([
      { method: 'GET', path: cpPath, query: {} },
      { method: 'GET', path: '/nowhere', query: { x: '1' } },
    ]);
  });

  it('answers with an injected Status and leaves the store alone', async () => {
    const remove = server.inject((request) => (request.method === 'PATCH' ? { code: 503 } : undefined));
    const { code, body } = await call('PATCH', cpPath, { spec: { x: 1 } });
    expect(code).toBe(503);
    expectStatus(body, 503, 'ServiceUnavailable');
    expect(server.store.resourceVersion).toBe('3');
    expect((await call('GET', cpPath)).code).toBe(200);
    remove();
    expect((await call('PATCH', cpPath, { spec: { x: 1 } })).code).toBe(200);
  });

  it('takes an injection at start, with a message, and a reason of its own', async () => {
    const failing = await startFakeApiServer({
      inject: (request) => (request.method === 'GET' ? { code: 429, message: 'slow down' } : { code: 500, reason: 'ServerTimeout' }),
    });
    try {
      const response = await fetch(`${failing.url}${cpPath}`);
      expect(response.status).toBe(429);
      expect(await response.json()).toMatchObject({ reason: 'TooManyRequests', message: 'slow down' });
      const patched = await fetch(`${failing.url}${cpPath}`, { method: 'PATCH', body: '{}' });
      expect(await patched.json()).toMatchObject({ code: 500, reason: 'ServerTimeout' });
    } finally {
      await failing.close();
    }
  });

  it('resets the connection, or never answers, when told to', async () => {
    const remove = server.inject(() => ({ action: 'reset' }));
    await expect(fetch(`${server.url}${cpPath}`)).rejects.toThrow();
    remove();
    server.inject(() => ({ action: 'hang' }));
    const controller = new AbortController();
    const pending = fetch(`${server.url}${cpPath}`, { signal: controller.signal });
    while (server.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it('gives a kubeconfig for plain http with a dummy token', () => {
    const yaml = server.kubeConfigYaml();
    expect(yaml).toContain(`server: ${server.url}`);
    expect(yaml).toContain('insecure-skip-tls-verify: true');
    expect(yaml).toContain('token: fake-token');
  });
});

/** Reads a watch stream line by line. */
const openWatch = async (path: string) => {
  const controller = new AbortController();
  const response = await fetch(`${server.url}${path}`, { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (): Promise<{ type: string; object: any } | 'end'> => {
    for (;;) {
      const newline = buffer.indexOf('\n');
      if (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        return JSON.parse(line);
      }
      const chunk = await reader.read();
      if (chunk.done) return 'end';
      buffer += chunk.value;
    }
  };
  return { response, next, abort: () => controller.abort() };
};

describe('fake API server: watch', () => {
  it('sends the current objects as ADDED, then every change, as newline-delimited JSON', async () => {
    const watch = await openWatch('/api/v1/namespaces/default/secrets?watch=true');
    expect(watch.response.status).toBe(200);
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'conn' } } });
    server.store.add({ ...secret(), metadata: { name: 'elsewhere', namespace: 'other' } });
    await call('PATCH', secretPath, { metadata: { labels: { a: 'b' } } });
    expect(await watch.next()).toMatchObject({ type: 'MODIFIED', object: { metadata: { name: 'conn', resourceVersion: '5' } } });
    await call('DELETE', secretPath);
    expect(await watch.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'conn', resourceVersion: '6' } } });
    watch.abort();
  });

  it('resumes from a resourceVersion with the events since, for that resource only', async () => {
    await call('PATCH', cpPath, { spec: { x: 1 } });
    await call('PATCH', secretPath, { metadata: { labels: { a: 'b' } } });
    await call('PATCH', cpPath, { spec: { x: 2 } });
    const watch = await openWatch('/apis/controlplane.cluster.x-k8s.io/v1beta1/captcontrolplanes?watch=1&resourceVersion=3');
    expect(await watch.next()).toMatchObject({ type: 'MODIFIED', object: { spec: { x: 1 }, metadata: { resourceVersion: '4' } } });
    expect(await watch.next()).toMatchObject({ type: 'MODIFIED', object: { spec: { x: 2 }, metadata: { resourceVersion: '6' } } });
    watch.abort();
  });

  it('answers a too-old resourceVersion with one ERROR event carrying 410 Expired, then ends', async () => {
    server.store.compact();
    const watch = await openWatch('/api/v1/namespaces/default/secrets?watch=true&resourceVersion=1');
    expect(watch.response.status).toBe(200);
    const event = await watch.next();
    expect(event).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', status: 'Failure' } });
    expect(await watch.next()).toBe('end');
  });

  it('shows a selected watch objects entering, changing in and leaving its view', async () => {
    const watch = await openWatch('/api/v1/namespaces/default/secrets?watch=true&resourceVersion=3&labelSelector=app%3Dcapt');
    await call('PATCH', secretPath, { data: { other: 'eA==' } }); // not selected: nothing
    await call('PATCH', secretPath, { metadata: { labels: { app: 'capt' } } });
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'conn', resourceVersion: '5' } } });
    await call('PATCH', secretPath, { data: { more: 'eQ==' } });
    expect(await watch.next()).toMatchObject({ type: 'MODIFIED', object: { metadata: { resourceVersion: '6' } } });
    await call('PATCH', secretPath, { metadata: { labels: { app: 'other' } } });
    expect(await watch.next()).toMatchObject({ type: 'DELETED', object: { metadata: { labels: { app: 'capt' }, resourceVersion: '7' } } });
    watch.abort();
  });

  it('replays a selected watch from a resourceVersion the same way', async () => {
    await call('PATCH', secretPath, { metadata: { labels: { app: 'capt' } } });
    await call('DELETE', secretPath);
    const watch = await openWatch('/api/v1/secrets?watch=true&resourceVersion=3&labelSelector=app');
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { metadata: { resourceVersion: '4' } } });
    expect(await watch.next()).toMatchObject({ type: 'DELETED', object: { metadata: { resourceVersion: '5' } } });
    watch.abort();
  });

  it('ends open watches on dropWatches(), and forgets closed ones', async () => {
    const watch = await openWatch('/api/v1/namespaces/default/secrets?watch=true&resourceVersion=3');
    const other = await openWatch('/apis/tf.upbound.io/v1beta1/workspaces?watch=true&resourceVersion=3');
    expect(server.openWatches).toBe(2);
    server.dropWatches();
    expect(await watch.next()).toBe('end');
    expect(await other.next()).toBe('end');
    expect(server.openWatches).toBe(0);
  });

  it('sends bookmarks only to watches that allow them, and one before a timeout', async () => {
    const plain = await openWatch('/api/v1/namespaces/default/secrets?watch=true&resourceVersion=3');
    const bookmarked = await openWatch('/api/v1/namespaces/default/secrets?watch=true&resourceVersion=3&allowWatchBookmarks=true&timeoutSeconds=1');
    server.bookmark();
    expect(await bookmarked.next()).toEqual({ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'Secret', metadata: { resourceVersion: '3' } } });
    expect(await bookmarked.next()).toMatchObject({ type: 'BOOKMARK' });
    expect(await bookmarked.next()).toBe('end');
    await call('PATCH', secretPath, { metadata: { labels: { a: 'b' } } });
    expect(await plain.next()).toMatchObject({ type: 'MODIFIED' });
    plain.abort();
  });

  it('stops streaming to a client that went away', async () => {
    const watch = await openWatch('/api/v1/namespaces/default/secrets?watch=true&resourceVersion=3');
    expect(server.openWatches).toBe(1);
    watch.abort();
    for (let i = 0; i < 50 && server.openWatches > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.openWatches).toBe(0);
  });
});
