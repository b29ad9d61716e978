/**
 * core's `ClusterClient` for a real cluster: every call is one request to the API server, made
 * through @kubernetes/client-node with the caller's KubeConfig. Patches are JSON merge patches
 * (`application/merge-patch+json`, set explicitly: client-node would send json-patch) and carry
 * a `fieldManager`; status goes through the `/status` subresource.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_FIELD_MANAGER, type ApiError, type ClusterClient, type KubeObject, type MergePatch, type ObjectRef, type PatchOptions, type GetOptions } from '@capt-endpoint/core';
import { apiError, type ResourceInfo } from '@capt-endpoint/core/adapter';
import { isRecord } from '@capt-endpoint/core/json';
import type { Scrub } from './apiErrors';
import { collectionPath, resolveResource, resolveTarget, resourceTable, type ResourceTable } from './resources';
import { notServedMemory, notServedNamed, type NotServedMemory } from './notServed';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_WATCH_LINE_BYTES, limitOf, makeTransport, type HttpRequest, type HttpResponse, type LineStream, type Transport } from './transport';

/** How long a request may take unless `timeoutMs` says otherwise, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const MERGE_PATCH = 'application/merge-patch+json';

export interface KubernetesClientOptions {
  /** Names this writer in the objects' managedFields. Default `capt-endpoint`; `PatchOptions.fieldManager` overrides it per call. */
  readonly fieldManager?: string | undefined;
  /** Longest a request may take, in milliseconds, before it ends with a `Timeout` ApiError. Default 10 000. */
  readonly timeoutMs?: number | undefined;
  /** Kinds beyond core's KNOWN_RESOURCES (or replacements for them): their group, version, plural and scope. */
  readonly resources?: readonly ResourceInfo[] | undefined;
  /**
   * Largest response body read, in bytes; a larger one ends its request with a `TooLarge`
   * ApiError naming this limit, read no further. Default 64 MiB. A positive integer (a
   * RangeError otherwise).
   */
  readonly maxResponseBytes?: number | undefined;
  /**
   * Told of every request's answer, a cached client's lists and watches included (a watch as a
   * GET, once its stream opened or failed to): the method and the HTTP status, `undefined` when
   * no answer came. For metrics; its failure changes no request's result.
   */
  readonly onRequest?: ((method: string, code: number | undefined) => void) | undefined;
  /**
   * How long an answer that a resource type is not served (a `NotServed` ApiError: a 404 for
   * the type, not for an object) is remembered, in milliseconds. Within it, reads and writes of
   * that apiVersion and kind fail the same way without a request: a reconcile that reaches a
   * Cluster through the version the server serves does not ask again for the one it does not.
   * Default 60 000; `0` asks every time. A non-negative integer (a RangeError otherwise).
   */
  readonly notServedMemoryMs?: number | undefined;
}

export const DEFAULT_NOT_SERVED_MEMORY_MS = 60_000;

/** A ClusterClient that can also create objects (the event recorder uses it). */
export interface KubernetesClient extends ClusterClient {
  create(object: KubeObject, options?: PatchOptions): TE.TaskEither<ApiError, KubeObject>;
  /**
   * Closes the connections the client keeps open between requests, once their requests have
   * ended. Idle connections do not keep the process alive, so this is for a tidy shutdown; a
   * request made afterwards still works and opens a new connection.
   */
  close(): Promise<void>;
}

/** Whether a parsed body has what every Kubernetes object has: apiVersion, kind and metadata. */
const isKubeObject = (u: unknown): u is KubeObject =>
  isRecord(u) && typeof u['apiVersion'] === 'string' && typeof u['kind'] === 'string' && isRecord(u['metadata']);

/** A response body as a Kubernetes object; a body that is not one is an error that quotes none of it. */
const parseObject = (text: string): E.Either<ApiError, KubeObject> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return E.left(apiError('Other', 'the API server sent a response that is not JSON'));
  }
  return isKubeObject(parsed) ? E.right(parsed) : E.left(apiError('Other', 'the API server sent a response that is not a Kubernetes object'));
};

const objectOf = (response: HttpResponse): E.Either<ApiError, KubeObject> => parseObject(response.text);

/** The pieces the plain and the cached client share. */
export interface ClientParts {
  readonly table: ResourceTable;
  readonly transport: Transport;
  readonly watch: LineStream;
  /** Takes the credentials in use out of what a server said (see `ConnectedTransport.scrub`). */
  readonly scrub: Scrub;
  readonly closeConnections: () => Promise<void>;
  readonly fieldManager: string;
  /** What the server said it does not serve, remembered for `notServedMemoryMs`. */
  readonly notServed: NotServedMemory;
}

/** `onRequest`, guarded: the observer's own failure changes no request's result. */
const told =
  (onRequest: NonNullable<KubernetesClientOptions['onRequest']>) =>
  (method: string, code: number | undefined): void => {
    try {
      onRequest(method, code);
    } catch {
      // The observer's own failure; the request's result stands.
    }
  };

/** The transport, telling `onRequest` how each request ended. */
const observed = (send: Transport, onRequest: KubernetesClientOptions['onRequest']): Transport => {
  if (onRequest === undefined) return send;
  const tell = told(onRequest);
  return (request) => async () => {
    const result = await send(request)();
    tell(request.method, E.isRight(result) ? result.right.code : result.left.code);
    return result;
  };
};

/** The watch, telling `onRequest` of each watch request (a GET, as client-go counts it): its status once the stream opened, or how it failed before. */
const observedWatch = (watch: LineStream, onRequest: KubernetesClientOptions['onRequest']): LineStream => {
  if (onRequest === undefined) return watch;
  const tell = told(onRequest);
  return async (request) => {
    let opened = false;
    const end = await watch({
      ...request,
      onOpened: (code) => {
        opened = true;
        tell('GET', code);
        request.onOpened?.(code);
      },
    });
    if (!opened && end._tag === 'Failed') tell('GET', end.error.code);
    return end;
  };
};

export const clientParts = (kubeConfig: KubeConfig, options: KubernetesClientOptions & { readonly maxWatchLineBytes?: number | undefined } = {}): ClientParts => {
  const { send, watch, scrub, close } = makeTransport(kubeConfig, {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxResponseBytes: limitOf('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES),
    maxWatchLineBytes: limitOf('maxWatchLineBytes', options.maxWatchLineBytes, DEFAULT_MAX_WATCH_LINE_BYTES),
  });
  return {
    table: resourceTable(options.resources),
    transport: observed(send, options.onRequest),
    watch: observedWatch(watch, options.onRequest),
    scrub,
    closeConnections: close,
    fieldManager: options.fieldManager ?? DEFAULT_FIELD_MANAGER,
    notServed: notServedMemory(limitOf('notServedMemoryMs', options.notServedMemoryMs, DEFAULT_NOT_SERVED_MEMORY_MS, 0)),
  };
};

export const clientFromParts = ({ table, transport: send, closeConnections, fieldManager, notServed }: ClientParts): KubernetesClient => {
  const resolve = resolveTarget(table);
  const managerOf = (options?: PatchOptions): string => options?.fieldManager ?? fieldManager;
  /** One request about `resource`, answered from memory while the server is known not to serve it. */
  const transport =
    (resource: ResourceInfo): Transport =>
    (request) => {
      const remembered = notServed.recall(resource);
      if (remembered !== undefined) return TE.left(remembered);
      return async () => {
        const result = pipe(await send(request)(), E.mapLeft((error) => notServedNamed(resource, error)));
        notServed.note(resource, E.isLeft(result) ? result.left : undefined);
        return result;
      };
    };

  /**
   * One request about the resource `target` resolved to, its response an object. Written
   * without TaskEither's combinators: in fp-ts 2.16 each goes through `dual`, whose argument
   * copying cost a cold start about 2% of its CPU on this, the busiest path.
   */
  const requestObject =
    (target: E.Either<ApiError, { readonly resource: ResourceInfo; readonly path: string }>, request: (path: string) => HttpRequest): TE.TaskEither<ApiError, KubeObject> =>
    async () => {
      if (E.isLeft(target)) return target;
      const response = await transport(target.right.resource)(request(target.right.path))();
      return E.isLeft(response) ? response : objectOf(response.right);
    };

  const patchAt =
    (subresource: 'status' | undefined) =>
    (ref: ObjectRef, patch: MergePatch, options?: PatchOptions): TE.TaskEither<ApiError, KubeObject> =>
      requestObject(resolve(ref, subresource), (path) => ({
        method: 'PATCH',
        path,
        query: { fieldManager: managerOf(options) },
        contentType: MERGE_PATCH,
        body: patch,
        signal: options?.signal,
      }));

  return {
    fieldManager,
    get: (ref: ObjectRef, options?: GetOptions) =>
      pipe(
        requestObject(resolve(ref), (path) => ({ method: 'GET', path, signal: options?.signal })),
        TE.map((object): KubeObject | undefined => object),
        TE.orElse((error) => (error.kind === 'NotFound' && error.code === 404 ? TE.right(undefined) : TE.left(error))),
      ),
    patch: patchAt(undefined),
    patchStatus: patchAt('status'),
    create: (object: KubeObject, options?: PatchOptions) =>
      requestObject(
        pipe(
          resolveResource(table)(object.apiVersion, object.kind, object.metadata.namespace),
          E.map((resource) => ({ resource, path: collectionPath(resource, object.metadata.namespace) })),
        ),
        (path) => ({
          method: 'POST',
          path,
          query: { fieldManager: managerOf(options) },
          contentType: 'application/json',
          body: object,
          signal: options?.signal,
        }),
      ),
    close: closeConnections,
  };
};

/**
 * A ClusterClient for the cluster of `kubeConfig`'s current context. Load the KubeConfig the
 * usual way (`loadFromDefault()`, `loadFromFile(path)`, `loadFromCluster()` inside a Pod).
 * client-node refuses a plain `http://` server unless the cluster entry sets
 * `insecure-skip-tls-verify: true`; the client reports that instead of sending.
 *
 * One request per call: `get` is a GET of the object's path (`/api/v1/...` for Secrets), `patch`
 * and `patchStatus` a PATCH of it (`/status`) with `application/merge-patch+json` set explicitly
 * (client-node's generated APIs would send json-patch), `create` a POST of the collection, each
 * write with `?fieldManager=`. Paths come from core's `KNOWN_RESOURCES` and `resources`, not from
 * discovery: a kind the table does not know is an `Invalid` ApiError before any request (ADR
 * 0030). Every call takes an `AbortSignal`; an abort ends it at once as a `Timeout` ApiError.
 *
 * Nothing throws and no promise rejects; every failure is an `ApiError`: 404 naming the object
 * `NotFound` (`get` of a missing object is `Right(undefined)`); any other 404 (kube-apiserver's
 * plain `404 page not found` for an unserved group-version) `NotServed`, remembered for
 * `notServedMemoryMs`; 409 `Conflict`; 400 and 422 `Invalid`; 401 and 403 `Forbidden`; 429 and
 * 5xx `Unavailable`, as are refused, reset, DNS and TLS failures (naming the system code); 408,
 * a timeout or an abort `Timeout`; a body, line or list past a limit `TooLarge`; anything else
 * (415, 410, a body that is not JSON) `Other`, as is a request body `JSON.stringify` cannot write
 * (nothing is sent). The message is the API's Status message, cut to 512 characters; a body that
 * is not a Status and a thrown error's own message are never copied. The credentials the request
 * carried (token, password, client key, the Authorization value, a Basic value decoded) and any
 * Bearer or Basic value are replaced by `***` before a message becomes an error, and so before a
 * log line, a condition or an Event; a watch's ERROR event likewise.
 *
 * Connections stay open between requests (client-node 2.x: one undici dispatcher per client
 * while the server, proxy, TLS settings and client certificate stay the same, a request handed
 * to `dispatcher.request` rather than `fetch`; 1.x: one keep-alive agent per client in place of
 * client-node's per-request agent, while its TLS options stay the same; a proxy's agent is left
 * as client-node built it). Bodies are read as streams, so the limits hold (ADR 0084); an exec
 * credential plugin is killed when its request times out or is aborted, and at exit. 1.3.0
 * cannot hand an AbortSignal to fetch: the client ends the call itself.
 */
export const createKubernetesClient = (kubeConfig: KubeConfig, options: KubernetesClientOptions = {}): KubernetesClient =>
  clientFromParts(clientParts(kubeConfig, options));
