/**
 * A loopback HTTP server that speaks the Kubernetes REST API over an `ObjectStore`, so the
 * real `@kubernetes/client-node` (and `kubectl get --raw`) can be tested against the same
 * semantics as the in-memory fake: GET, LIST (paged with `limit` and `continue`), WATCH, PATCH
 * (JSON merge patch only, main resource and /status), POST (create) and DELETE, with `Status`
 * error bodies.
 *
 * Every request is recorded, and responses can be replaced by injected errors, so wire tests
 * can assert the traffic an adapter sends and how it handles failures.
 */
import { answerAccessReview, type AccessReviews } from './accessReviews';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import type { ApiError, KubeObject } from '@capt-endpoint/core';
import { KNOWN_RESOURCES, type ResourceInfo } from '@capt-endpoint/core/adapter';
import type { CrdSource, CustomResourceConverter, CustomResources } from './crds';
import { badRequest, isNotServed, NOT_SERVED_MESSAGE, tooDeep } from './apiErrors';
import { MAX_JSON_DEPTH, jsonText, nestsDeeperThan } from './json';
import { PagedLists, type Page, type PagedListsOptions } from './pagedLists';
import { routeOf, type Route } from './routes';
import { status, statusOfError, type Status, type StatusDetails } from './status';
import { selectorOf, type Selector } from './selectors';
import { ObjectStore, type Change, type WatchEvent } from './store';
import { objectsFromYaml } from './yaml';

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** The URL path, e.g. `/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/default/captcontrolplanes/cp`. */
  readonly path: string;
  /** The query parameters (the last value of each). */
  readonly query: Readonly<Record<string, string>>;
  /** The media type of the body, without parameters (`application/merge-patch+json`). */
  readonly contentType?: string;
  /** The body parsed as JSON, or its text when it is not JSON. */
  readonly body?: unknown;
  /** `query.fieldManager`, for convenience. */
  readonly fieldManager?: string;
}

/**
 * An injected answer: a Status with this code (and reason and message, defaulting from the
 * code); or `reset`, which destroys the connection without an answer; or `hang`, which never
 * answers (until the client gives up or the server closes).
 */
export type InjectedResponse =
  | { readonly code: number; readonly reason?: string; readonly message?: string }
  | { readonly action: 'reset' | 'hang' };

/** Decides, per request, whether to answer with an injected error instead of serving it. */
export type RequestInjection = (request: RecordedRequest) => InjectedResponse | undefined;

export interface FakeApiServerOptions {
  /** Serve this store (e.g. one shared with a `FakeClient`); default: a new one. */
  readonly store?: ObjectStore;
  /** Objects (or multi-document YAML) to add to the store at start. */
  readonly objects?: readonly KubeObject[] | string;
  /** CustomResourceDefinitions for a new store (see `ObjectStoreOptions.crds`); their served versions are routed. */
  readonly crds?: CrdSource;
  /** Conversion between a custom resource's versions (see `ObjectStoreOptions.convert`). */
  readonly convert?: CustomResourceConverter;
  /** The port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number;
  /** The resources served (default: the core's KNOWN_RESOURCES and `coordination.k8s.io/v1` Leases, with the store's custom resources at their served versions in place of the core's entries for those kinds). */
  readonly resources?: readonly ResourceInfo[];
  /** Error injection, asked for every request after it is recorded. */
  readonly inject?: RequestInjection;
  /** How many paged lists stay open for `continue`, and for how long (default 32, 5 minutes). */
  readonly pagedLists?: PagedListsOptions;
  /** Answer TokenReviews and SubjectAccessReviews with these tokens and this rule (default: not served, 404). */
  readonly reviews?: AccessReviews;
}

export interface FakeApiServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly store: ObjectStore;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** A kubeconfig for client-node or kubectl: plain http, insecure-skip-tls-verify, a dummy token. */
  kubeConfigYaml(namespace?: string): string;
  /** Adds an injection rule (asked after the earlier ones); returns its remover. */
  inject(rule: RequestInjection): () => void;
  /** Sends a BOOKMARK with the current resourceVersion to every watch that allowed bookmarks. */
  bookmark(): void;
  /** Ends every open watch stream cleanly, as an API server does on timeout or restart. */
  dropWatches(): void;
  /** How many watch streams are open. */
  readonly openWatches: number;
  /** Forgets the rest of every paged list: each outstanding `continue` token now gets 410 Expired. */
  expireContinueTokens(): void;
  /** Ends all watches and connections and frees the port. */
  close(): Promise<void>;
}

/** What a controller reads and writes: the library's kinds, and the Leases leader election holds. */
const DEFAULT_RESOURCES: readonly ResourceInfo[] = [
  ...KNOWN_RESOURCES,
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
];

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const MERGE_PATCH = 'application/merge-patch+json';
/** Query parameters that would change the answer and are not implemented: refused rather than ignored. */
const unsupportedParameters = ['dryRun'] as const;

interface Reply {
  readonly code: number;
  readonly body: unknown;
  /** Sent as text/plain instead of the JSON `body`. */
  readonly text?: string;
}

interface OpenWatch {
  /** Sends a BOOKMARK when the watch allowed them. */
  bookmark(): void;
  end(): void;
}

const mediaType = (header: string | undefined): string | undefined => header?.split(';')[0]?.trim().toLowerCase() || undefined;

const readBody = (request: IncomingMessage): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const parseJson = (text: string): E.Either<ApiError, unknown> => {
  try {
    return E.right(JSON.parse(text));
  } catch {
    return E.left(badRequest('the request body is not valid JSON'));
  }
};

const detailsOf = (route: Route, name?: string): StatusDetails => ({
  ...(name ?? route.name ? { name: name ?? route.name } : {}),
  group: route.resource.group,
  kind: route.resource.plural,
});

/**
 * What the API server answers for a resource type it does not serve: its last handler's plain
 * `404 page not found` (Go's http.NotFound), as for a CRD version with `served: false`, a
 * status subresource the CRD does not declare or a group-version it has no resource in.
 */
const pageNotFound: Reply = { code: 404, body: undefined, text: '404 page not found\n' };

const fail = (error: ApiError, details?: StatusDetails): Reply => {
  if (isNotServed(error)) return pageNotFound;
  const body = statusOfError(error, details);
  return { code: body.code, body };
};

const failWith = (code: number, message: string, details?: StatusDetails): Reply => ({
  code,
  body: status(code, message, undefined, details),
});

const ok = (either: E.Either<ApiError, unknown>, route: Route, code = 200): Reply =>
  E.isRight(either) ? { code, body: either.right } : fail(either.left, detailsOf(route));

/**
 * A path the server does not route: under a group-version it serves nothing of, the plain 404
 * above; otherwise the Status the API's own router answers, which names no object.
 */
const notRouted = (pathname: string, resources: readonly ResourceInfo[]): Reply => {
  const [root, group, version] = pathname.split('/').filter((segment) => segment !== '');
  const servedGroupVersion = root === 'apis' && resources.some((resource) => resource.group === group && resource.version === version);
  return root === 'apis' && !servedGroupVersion ? pageNotFound : failWith(404, NOT_SERVED_MESSAGE);
};

const unsupported = (accepted: string): Reply =>
  failWith(415, `the body of the request was in an unknown format - accepted media types include: ${accepted}`);

/** The REST semantics of one request that is not a watch. */
/**
 * The field manager of a write, as the API server names it: the `fieldManager` parameter, else
 * the User-Agent up to its first `/` (`kubectl/v1.31.0 (linux/amd64)` is `kubectl`).
 */
const managerOf = (request: RecordedRequest, userAgent: string | undefined): string | undefined =>
  request.fieldManager || userAgent?.split('/', 1)[0]?.slice(0, 128) || undefined;

const serve = (store: ObjectStore, pages: PagedLists, route: Route, request: RecordedRequest, text: string | undefined, fieldManager: string | undefined): Reply => {
  const ref = { apiVersion: route.apiVersion, kind: route.resource.kind, namespace: route.namespace, name: route.name ?? '' };
  const body = (): E.Either<ApiError, unknown> => {
    if (text === undefined || text === '') return E.left(badRequest('the request has no body'));
    // As the API server's JSON decoder: a body nested too deep is refused before anything else is judged.
    return E.flatMap((parsed: unknown) => (nestsDeeperThan(parsed, MAX_JSON_DEPTH) ? E.left(tooDeep(MAX_JSON_DEPTH)) : E.right(parsed)))(parseJson(text));
  };
  switch (request.method) {
    case 'GET':
      if (route.name !== undefined) return ok(store.find(ref), route);
      return ok(E.flatMap((inView: Selector) => listOf(store, pages, route, request, inView))(viewOf(route, request.query)), route);
    case 'PATCH': {
      if (route.name === undefined) return failWith(405, 'the server does not allow this method on the requested resource');
      if (request.contentType !== MERGE_PATCH) return unsupported(MERGE_PATCH);
      const patch = body();
      if (E.isLeft(patch)) return fail(patch.left, detailsOf(route));
      return ok(store.patch(ref, patch.right as never, { subresource: route.subresource, fieldManager }), route);
    }
    case 'POST': {
      if (route.name !== undefined || route.subresource) return failWith(405, 'the server does not allow this method on the requested resource');
      if (request.contentType !== undefined && request.contentType !== 'application/json') return unsupported('application/json');
      const object = body();
      if (E.isLeft(object)) return fail(object.left, detailsOf(route));
      return ok(create(store, route, object.right, fieldManager), route, 201);
    }
    case 'DELETE':
      if (route.name === undefined || route.subresource) return failWith(405, 'the server does not allow this method on the requested resource');
      return ok(store.delete(ref), route);
    default:
      return failWith(405, `the fake API server does not serve ${request.method}: the library writes with JSON merge patches only`);
  }
};

/**
 * A list, or one page of it: the store is read for a first page only; a `continue` page comes
 * from the rest of the list its token stands for (see `PagedLists`).
 */
const listOf = (store: ObjectStore, pages: PagedLists, route: Route, request: RecordedRequest, inView: Selector): E.Either<ApiError, unknown> => {
  const { labelSelector, fieldSelector } = request.query;
  const selected = Boolean(labelSelector) || Boolean(fieldSelector);
  const scope = JSON.stringify([request.path, labelSelector ?? '', fieldSelector ?? '']);
  return E.map(({ items, metadata }: Page) => ({ apiVersion: route.apiVersion, kind: `${route.resource.kind}List`, metadata, items }))(
    pages.page(scope, request.query, () => {
      const { items, resourceVersion } = store.list(route.apiVersion, route.resource.kind, route.namespace);
      return { scope, items: items.filter(inView), resourceVersion, selected };
    }),
  );
};

const create = (store: ObjectStore, route: Route, input: unknown, fieldManager: string | undefined): E.Either<ApiError, KubeObject> => {
  const object = input as KubeObject;
  if (typeof object !== 'object' || object === null || Array.isArray(object) || typeof object.metadata !== 'object' || object.metadata === null)
    return E.left(badRequest('the request body is not a Kubernetes object'));
  if (object.apiVersion !== route.apiVersion || object.kind !== route.resource.kind)
    return E.left(badRequest(`the API version and kind in the body (${object.apiVersion}, ${object.kind}) do not match the request path`));
  if (object.metadata.namespace && object.metadata.namespace !== route.namespace)
    return E.left(badRequest('the namespace of the provided object does not match the namespace sent on the request'));
  return store.create({ ...object, metadata: { ...object.metadata, ...(route.namespace ? { namespace: route.namespace } : {}) } }, { fieldManager });
};

/** What a list or watch of `route` sees: the route's kind and namespace, narrowed by its selectors. */
const viewOf = (route: Route, query: Readonly<Record<string, string>>): E.Either<ApiError, Selector> =>
  E.map(
    (selected: Selector): Selector =>
      (object) =>
        object.apiVersion === route.apiVersion &&
        object.kind === route.resource.kind &&
        (route.namespace === undefined || object.metadata.namespace === route.namespace) &&
        selected(object),
  )(selectorOf(query, route.apiVersion, route.resource.kind));

/**
 * A write as a watcher of a view sees it: an object that enters the view is ADDED, one that
 * changes in it is MODIFIED, and one that leaves it (deleted, or no longer selected) is DELETED
 * with its last state in the view and the write's resourceVersion, as the API server does.
 */
const seenThrough =
  (inView: Selector) =>
  ({ event, previous }: Change): WatchEvent | undefined => {
    const now = event.type !== 'DELETED' && inView(event.object);
    const before = previous !== undefined && inView(previous);
    if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: event.object };
    if (!before) return undefined;
    return { type: 'DELETED', object: { ...previous, metadata: { ...previous.metadata, resourceVersion: event.object.metadata.resourceVersion } } };
  };

const isTrue = (value: string | undefined): boolean => value === 'true' || value === '1';

const apiVersionOf = (resource: ResourceInfo): string => (resource.group ? `${resource.group}/${resource.version}` : resource.version);

/** The default resources, with each custom resource the store has a CRD for routed at its served versions only. */
const servedResources = (custom: CustomResources): ResourceInfo[] => [
  ...DEFAULT_RESOURCES.filter((resource) => !custom.of(apiVersionOf(resource), resource.kind)),
  ...custom.servedResources(),
];

/**
 * Starts the fake API server on 127.0.0.1 (port 0 by default): the store over HTTP as the
 * Kubernetes REST API, for wire tests of code on the real client-node. It answers:
 *
 * - `GET` an object (core `/api/v1/...`, `/apis/{g}/{v}/namespaces/{ns}/{plural}/{name}`, a
 *   cluster-scoped `/apis/{g}/{v}/{plural}/{name}`, `.../status`): the object, or a 404 Status.
 * - `GET` a collection, in a namespace or across all: a `{Kind}List` with
 *   `metadata.resourceVersion`, narrowed by `labelSelector` (`=`, `==`, `!=`, `in`, `notin`,
 *   exists, `!`) and `fieldSelector` (`=`, `==`, `!=` on `metadata.name`, `metadata.namespace`, a
 *   Secret's `type`, a core Event's `involvedObject.*`, `reason`, `type`, `source`,
 *   `reportingComponent`); another field or a selector that does not parse is 400.
 * - `limit=N`: at most N items and, when more remain, `metadata.continue` and (without
 *   selectors) `metadata.remainingItemCount`; a page holds exactly N when more remain, also with
 *   selectors; `limit=0` or none: the whole list; a bad limit: 400. `continue=TOKEN`: the next
 *   page of the same snapshot; a token unknown, used, evicted or expired is 410 Expired (a token
 *   is good for one request, unlike the API server's); a token of another list or beside
 *   `resourceVersion` is 400. The 32 newest open lists are kept 5 minutes each (`pagedLists`).
 * - `watch=true`: newline-delimited `{type, object}` events. Without `resourceVersion` (or `0`)
 *   an ADDED per object first; with `resourceVersion=N` the events after N; N older than the
 *   kept history is HTTP 200 with one `ERROR` event carrying 410 Expired, then the end. With
 *   selectors, objects entering the view are ADDED, leaving it DELETED (their last state in the
 *   view, at the write's resourceVersion). `timeoutSeconds` ends the stream (a BOOKMARK first
 *   when `allowWatchBookmarks` is set); `limit` is ignored. Bookmarks are otherwise sent only on
 *   `bookmark()`; events of one write go out synchronously, in write order.
 * - `PATCH` with `application/merge-patch+json` (main resource or `/status`): the stored object,
 *   `fieldManager` recorded. Any other patch type is 415; a rename 422 Invalid.
 * - `POST` a collection: 201 and the created object; 409 AlreadyExists; 400 when the body's
 *   apiVersion, kind or namespace does not match the path. `DELETE`: the deleted (or
 *   deletion-marked) object. `PUT` or a method on the wrong path: 405.
 * - A path it does not serve: 404, as kube-apiserver's plain-text `404 page not found` under a
 *   group-version it serves nothing of (an unserved CRD version included) and for a `/status`
 *   the CRD lacks; elsewhere a Status naming no object.
 * - A body that is not JSON or nests deeper than 10,000 levels: 400 (`exceeded max depth`,
 *   judged first); larger than 3 MiB: 413; `dryRun`: 400, refused rather than ignored.
 *
 * Every error is a `Status` body (`status: 'Failure'`, `message`, `reason`, `code`, `details`).
 * Not served: discovery (`/api`, `/apis`, `/version`, OpenAPI; `kubectl get --raw PATH` works),
 * `resourceVersionMatch`, `sendInitialEvents`, tables, protobuf, server-side apply;
 * authentication and authorization (the token is ignored; no 401/403 unless injected, or
 * reviews through `reviews`). Plain HTTP only. client-node's `CustomObjectsApi` (with
 * `setHeaderOptions('Content-Type', 'application/merge-patch+json')`, else it sends json-patch
 * and gets 415), `CoreV1Api`, `EventsV1Api`, `Watch` and `makeInformer` work against it.
 */
export const startFakeApiServer = async (options: FakeApiServerOptions = {}): Promise<FakeApiServer> => {
  if (options.store && (options.crds !== undefined || options.convert !== undefined))
    throw new Error('startFakeApiServer: give crds and convert to the shared store, not with `store`');
  const store = options.store ?? new ObjectStore([], { crds: options.crds, convert: options.convert });
  const seed = options.objects ?? [];
  store.addAll(typeof seed === 'string' ? objectsFromYaml(seed) : seed);
  const resources = options.resources ?? servedResources(store.customResources);
  const requests: RecordedRequest[] = [];
  const injections: RequestInjection[] = options.inject ? [options.inject] : [];
  const watches = new Set<OpenWatch>();
  const pages = new PagedLists(options.pagedLists);

  const reply = (response: ServerResponse, { code, body, text }: Reply): void => {
    if (text !== undefined) {
      response.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      response.end(text);
      return;
    }
    response.writeHead(code, { 'Content-Type': 'application/json' });
    response.end(jsonText(body));
  };

  const watch = (response: ServerResponse, route: Route, recorded: RecordedRequest): void => {
    const query = recorded.query;
    const view = viewOf(route, query);
    if (E.isLeft(view)) return reply(response, fail(view.left));
    const inView = view.right;
    const seen = seenThrough(inView);
    const from = query['resourceVersion'];
    let backlog: WatchEvent[] | Status;
    if (!from || from === '0')
      backlog = store.list(route.apiVersion, route.resource.kind, route.namespace).items.filter(inView).map((object) => ({ type: 'ADDED', object }));
    else {
      const since = store.changesSince(from, { apiVersion: route.apiVersion, kind: route.resource.kind });
      if (E.isLeft(since) && since.left.code !== 410) return reply(response, fail(since.left));
      backlog = E.isLeft(since) ? statusOfError(since.left) : since.right.flatMap((change) => seen(change) ?? []);
    }
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
    response.flushHeaders();
    const line = (event: { type: string; object: unknown }): void => {
      // The client may be gone before 'close' has been delivered; a late event is dropped.
      if (!response.destroyed && !response.writableEnded) response.write(`${jsonText(event)}\n`);
    };
    // An expired resourceVersion is answered as the API server does: one ERROR event, then the end.
    if (!Array.isArray(backlog)) {
      line({ type: 'ERROR', object: backlog });
      response.end();
      return;
    }
    const events = backlog;
    const allowBookmarks = isTrue(query['allowWatchBookmarks']);
    let timer: NodeJS.Timeout | undefined;
    const open: OpenWatch = {
      bookmark: () => {
        if (allowBookmarks) line(bookmarkEvent(route));
      },
      end: () => {
        if (!watches.delete(open)) return;
        stop();
        clearTimeout(timer);
        response.end();
      },
    };
    const stop = store.watch(
      (event, previous) => {
        const visible = seen({ event, previous });
        if (visible) line(visible);
      },
      { apiVersion: route.apiVersion, kind: route.resource.kind },
    );
    watches.add(open);
    for (const event of events) line(event);
    const timeout = Number(query['timeoutSeconds']);
    if (timeout > 0)
      timer = setTimeout(() => {
        open.bookmark();
        open.end();
      }, timeout * 1000);
    // Not the request's 'close': Node emits that as soon as the request body is read.
    response.on('close', () => open.end());
    response.on('error', () => open.end());
  };

  // A BOOKMARK carries only the resourceVersion the watcher may resume from.
  const bookmarkEvent = (route: Route) => ({
    type: 'BOOKMARK',
    object: { apiVersion: route.apiVersion, kind: route.resource.kind, metadata: { resourceVersion: store.resourceVersion } },
  });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(request);
    const contentType = mediaType(request.headers['content-type']);
    const parsedBody = text === undefined || text === '' ? undefined : E.getOrElse<ApiError, unknown>(() => text)(parseJson(text));
    const query = Object.fromEntries(url.searchParams);
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query,
      ...(contentType ? { contentType } : {}),
      ...(parsedBody !== undefined ? { body: parsedBody } : {}),
      ...(query['fieldManager'] !== undefined ? { fieldManager: query['fieldManager'] } : {}),
    };
    requests.push(recorded);
    if (text === undefined) return reply(response, failWith(413, 'the request body is too large'));
    for (const injection of injections) {
      const injected = injection(recorded);
      if (!injected) continue;
      if (!('action' in injected))
        return reply(response, { code: injected.code, body: status(injected.code, injected.message ?? `injected failure (${injected.code})`, injected.reason) });
      if (injected.action === 'reset') request.socket.destroy();
      return;
    }
    const review = options.reviews === undefined ? undefined : answerAccessReview(options.reviews, recorded.method, url.pathname, parsedBody);
    if (review !== undefined) return reply(response, review);
    const route = routeOf(url.pathname, resources);
    if (!route) return reply(response, notRouted(url.pathname, resources));
    const refused = unsupportedParameters.filter((name) => query[name]);
    if (refused.length > 0) return reply(response, failWith(400, `not supported by the fake API server: ${refused.join(', ')}`));
    if (recorded.method === 'GET' && route.name === undefined && isTrue(query['watch'])) return watch(response, route, recorded);
    reply(response, serve(store, pages, route, recorded, text, managerOf(recorded, request.headers['user-agent'])));
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) reply(response, failWith(500, 'Internal error occurred'));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    store,
    requests,
    kubeConfigYaml: (namespace = 'default') =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${url}`,
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: fake',
        '  user:',
        '    token: fake-token',
        'contexts:',
        '- name: fake',
        '  context:',
        '    cluster: fake',
        '    user: fake',
        `    namespace: ${namespace}`,
        'current-context: fake',
        '',
      ].join('\n'),
    inject: (rule) => {
      injections.push(rule);
      return () => {
        const index = injections.indexOf(rule);
        if (index >= 0) injections.splice(index, 1);
      };
    },
    bookmark: () => {
      for (const open of watches) open.bookmark();
    },
    dropWatches: () => {
      for (const open of [...watches]) open.end();
    },
    get openWatches() {
      return watches.size;
    },
    expireContinueTokens: () => pages.expireAll(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const open of [...watches]) open.end();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
};
