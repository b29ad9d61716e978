/**
 * One HTTP exchange with the API server, through client-node's own request machinery: its
 * `RequestContext`, the kubeconfig's authentication and TLS (`applySecurityAuthentication`), and
 * the undici dispatcher client-node 2.x builds (ADR 0073) or its fetch-based HTTP library
 * (ADR 0030). Adds what a controller needs on every request: a
 * timeout, the caller's AbortSignal, and failures as `ApiError` values instead of exceptions.
 *
 * The body of a successful response is returned as text for the caller to parse; the body of a
 * failed one is reduced to its Status message here and never leaves this module.
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { IsomorphicFetchHttpLibrary, RequestContext, type HttpMethod, type KubeConfig } from '@kubernetes/client-node';
import { apiError, type ApiError } from '@capt-endpoint/core';
import { fromEarlyEnd, fromResponse, fromThrown, type EarlyEnd } from './apiErrors';
import { makeConnections } from './connections';

export interface HttpRequest {
  readonly method: 'GET' | 'PATCH' | 'POST';
  /** Path below the cluster's server URL, e.g. `/api/v1/namespaces/a/secrets/b`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>> | undefined;
  /** Sent with the body; client-node's generated APIs would pick json-patch for a PATCH. */
  readonly contentType?: string | undefined;
  /** Serialised as JSON. */
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
}

/** A 2xx response: its status and body text. */
export interface HttpResponse {
  readonly code: number;
  readonly text: string;
}

export type Transport = (request: HttpRequest) => TE.TaskEither<ApiError, HttpResponse>;

/** A transport and the connections it keeps open between requests. */
export interface ConnectedTransport {
  readonly send: Transport;
  /** Closes the kept connections once their requests have ended (a later request opens new ones). */
  readonly close: () => Promise<void>;
}

export const USER_AGENT = 'capt-endpoint/kubernetes';

/**
 * Rejects when `signal` aborts. Raced against the exchange so that it ends on time even where
 * client-node cannot pass the signal to fetch (1.3.x); releasing its per-request agent then
 * closes the socket under the abandoned request.
 */
const untilEnded = (signal: AbortSignal): { readonly promise: Promise<never>; readonly dispose: () => void } => {
  let listener: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    listener = () => reject(new DOMException('aborted', 'AbortError'));
    signal.addEventListener('abort', listener, { once: true });
  });
  // undici's fetch keeps the signal it was given until its own request is collected: a listener
  // left on it would keep this promise, and through it the response, alive.
  return { promise, dispose: () => signal.removeEventListener('abort', listener) };
};

/** The clear message client-node would otherwise bury in an exception. */
const configProblem = (kc: KubeConfig): ApiError | undefined => {
  const cluster = kc.getCurrentCluster();
  if (!cluster) return apiError('Other', 'the kubeconfig has no current cluster');
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify)
    return apiError('Other', `the kubeconfig's server is plain http, which client-node only allows with insecure-skip-tls-verify`);
  return undefined;
};

const buildContext = (server: string, request: HttpRequest, signal: AbortSignal): RequestContext => {
  const context = new RequestContext(`${server}${request.path}`, request.method as HttpMethod);
  for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) context.setQueryParam(key, value);
  context.setHeaderParam('Accept', 'application/json');
  context.setHeaderParam('User-Agent', USER_AGENT);
  if (request.body !== undefined) {
    context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
    context.setBody(JSON.stringify(request.body));
  }
  // client-node 1.4 and later pass the signal to fetch; 1.3 cannot (see `untilEnded`).
  (context as { setSignal?: (signal: AbortSignal) => void }).setSignal?.(signal);
  return context;
};

/** What undici's `Dispatcher.request` takes and gives, as far as we use it. */
interface DirectDispatcher {
  request(options: {
    origin: string;
    path: string;
    method: string;
    headers: Record<string, string>;
    body?: string | undefined;
    signal: AbortSignal;
  }): Promise<{ statusCode: number; body: { text(): Promise<string> } }>;
}

const directDispatcher = (context: RequestContext): DirectDispatcher | undefined => {
  const dispatcher = (context as { getDispatcher?: () => unknown }).getDispatcher?.();
  return typeof (dispatcher as Partial<DirectDispatcher> | undefined)?.request === 'function' ? (dispatcher as DirectDispatcher) : undefined;
};

/**
 * One request and its response text. With client-node 2.x the context carries the undici
 * dispatcher that client-node built (TLS, client certificate, proxy): the request goes to it
 * directly, the way client-node's fetch would send it but without the WHATWG layers (Request,
 * Headers, streams) that cost more client CPU than the HTTP exchange itself. Otherwise (1.x,
 * or no dispatcher) through client-node's HTTP library.
 */
const exchange = async (http: IsomorphicFetchHttpLibrary, context: RequestContext, signal: AbortSignal): Promise<{ code: number; text: string }> => {
  const dispatcher = directDispatcher(context);
  if (dispatcher === undefined) {
    const response = await http.send(context).toPromise();
    return { code: response.httpStatusCode, text: await response.body.text() };
  }
  const url = new URL(context.getUrl());
  const body = context.getBody();
  const response = await dispatcher.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: context.getHttpMethod(),
    headers: context.getHeaders() as Record<string, string>,
    body: typeof body === 'string' ? body : undefined,
    signal,
  });
  return { code: response.statusCode, text: await response.body.text() };
};

/**
 * Sends requests for the kubeconfig's current context, over connections kept between requests
 * (see `connections.ts`); each request ends after `timeoutMs` at the latest.
 */
export const makeTransport = (kc: KubeConfig, timeoutMs: number): ConnectedTransport => {
  const http = new IsomorphicFetchHttpLibrary();
  const connections = makeConnections(kc);
  const send: Transport = (request) => async () => {
    const problem = configProblem(kc);
    if (problem) return E.left(problem);
    if (request.signal?.aborted) return E.left(fromEarlyEnd({ by: 'abort' }));

    const controller = new AbortController();
    let early: EarlyEnd | undefined;
    const timer = setTimeout(() => {
      early = { by: 'timeout', afterMs: timeoutMs };
      controller.abort();
    }, timeoutMs);
    timer.unref();
    const onAbort = (): void => {
      early = { by: 'abort' };
      controller.abort();
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const context = buildContext(kc.getCurrentCluster()!.server, request, controller.signal);
    const until = untilEnded(controller.signal);
    const ended = until.promise;
    try {
      try {
        // Credentials may come from an exec plugin or a token refresh: bounded by the same signal.
        await Promise.race([kc.applySecurityAuthentication(context), ended]);
        connections.adopt(context);
      } catch (thrown) {
        if (early) return E.left(fromEarlyEnd(early));
        return E.left(apiError('Other', `the kubeconfig's credentials could not be applied (${thrown instanceof Error ? thrown.name : typeof thrown})`));
      }
      const { code, text } = await Promise.race([exchange(http, context, controller.signal), ended]);
      return code >= 200 && code < 300 ? E.right({ code, text }) : E.left(fromResponse(code, text));
    } catch (thrown) {
      return E.left(early ? fromEarlyEnd(early) : fromThrown(thrown));
    } finally {
      clearTimeout(timer);
      until.dispose();
      request.signal?.removeEventListener('abort', onAbort);
      connections.release(context);
    }
  };
  return { send, close: connections.close };
};
