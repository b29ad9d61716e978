/**
 * One HTTP exchange with the API server, through client-node's own request machinery: its
 * `RequestContext`, the kubeconfig's authentication and TLS (`applySecurityAuthentication`), and
 * the undici dispatcher client-node 2.x builds (ADR 0070) or the `http(s).Agent` 1.x builds
 * (ADR 0030). Adds what a controller needs on every request: a timeout, the caller's
 * AbortSignal, bounds on what a server may send (ADR 0084), and failures as `ApiError` values
 * instead of exceptions.
 *
 * Two shapes of exchange: `send` reads a whole response (at most `maxResponseBytes`) and returns
 * its text; `watch` reads a response line by line (each at most `maxWatchLineBytes`) for as long
 * as the server keeps it open. The body of a failed response is reduced to its Status message
 * here and never leaves this module.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Agent } from 'node:http';
import type { Readable } from 'node:stream';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { RequestContext, type HttpMethod, type KubeConfig } from '@kubernetes/client-node';
import type { ApiError } from '@capt-endpoint/core';
import { apiError } from '@capt-endpoint/core/adapter';
import { fromEarlyEnd, fromResponse, fromThrown, scrubberOf, type EarlyEnd, type Scrub } from './apiErrors';
import { makeConnections, type Connections } from './connections';
import { bindCredentialPlugins, withRequestSignal } from './credentialPlugins';

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

/** A streamed GET (a watch): every line of the body is handed to `onLine` as it arrives. */
export interface LineRequest {
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>> | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Ends the stream when no byte has come for this long (not a failure: the caller may start again). */
  readonly idleTimeoutMs: number;
  readonly onLine: (line: string) => void;
  /** Told the status once the server has answered the request with a 2xx and the stream begins. */
  readonly onOpened?: ((code: number) => void) | undefined;
}

/**
 * How a stream ended: the server closed it (`Ended`), it was quiet for `idleTimeoutMs`
 * (`Idle`), the caller aborted it (`Aborted`), or it failed (`Failed`: no connection, an error
 * status, a line over the limit).
 */
export type StreamEnd =
  | { readonly _tag: 'Ended' }
  | { readonly _tag: 'Idle' }
  | { readonly _tag: 'Aborted' }
  | { readonly _tag: 'Failed'; readonly error: ApiError };

export type LineStream = (request: LineRequest) => Promise<StreamEnd>;

/** A transport and the connections it keeps open between requests. */
export interface ConnectedTransport {
  readonly send: Transport;
  readonly watch: LineStream;
  /**
   * Takes the credentials this transport sends (the kubeconfig user's token, password and client
   * key, the Authorization values of recent requests) and any Bearer or Basic value out of text
   * a server sent, for what reads a server's words outside a request's response (a watch's
   * ERROR event). Every failed response is scrubbed already.
   */
  readonly scrub: Scrub;
  /** Closes the kept connections once their requests have ended (a later request opens new ones). */
  readonly close: () => Promise<void>;
}

export interface TransportLimits {
  /** Longest a request may take; for a watch, the longest wait for its response headers. */
  readonly timeoutMs: number;
  /** Largest response body read whole. */
  readonly maxResponseBytes: number;
  /** Longest line of a watch (one event). */
  readonly maxWatchLineBytes: number;
}

export const USER_AGENT = 'capt-endpoint/kubernetes';

/** Larger than any page of 500 objects of the kinds reconcile reads; far below what would exhaust memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** etcd refuses objects over 1.5 MiB by default; a watch event is one object. */
export const DEFAULT_MAX_WATCH_LINE_BYTES = 16 * 1024 * 1024;

/** A positive integer limit, or a RangeError naming the option. */
export const limitOf = (name: string, value: number | undefined, fallback: number, least: 0 | 1 = 1): number => {
  const limit = value ?? fallback;
  if (!Number.isSafeInteger(limit) || limit < least)
    throw new RangeError(`${name} must be a ${least === 0 ? 'non-negative' : 'positive'} integer, not ${String(value)}`);
  return limit;
};

export const responseTooLarge = (limit: number): ApiError =>
  apiError('TooLarge', `the API server's response is larger than the limit of ${limit} bytes (maxResponseBytes)`);

export const watchLineTooLong = (limit: number): ApiError =>
  apiError('TooLarge', `a watch event from the API server is longer than the limit of ${limit} bytes (maxWatchLineBytes)`);

/**
 * How a request ends before its response is whole: its timeout, the caller's abort, or a watch
 * gone quiet. A plain object rather than an AbortController per request: Node 20 builds an
 * EventTarget for every AbortSignal, which cost a keep-alive request about a tenth of its CPU
 * (docs/benchmarks.md). A real signal is made only for what takes one: client-node 2.x's
 * dispatcher, an exec credential plugin.
 */
interface RequestEnd {
  readonly aborted: () => boolean;
  readonly abort: () => void;
  /** Rejects once aborted; raced against each step so that it ends on time whatever the step does. */
  readonly ended: Promise<never>;
  /** Runs `listener` on abort (at once if aborted already); returns what takes it back. */
  readonly onAbort: (listener: () => void) => () => void;
  /** An AbortSignal that aborts with this end, made on first use. */
  readonly signal: () => AbortSignal;
}

const requestEnd = (): RequestEnd => {
  let aborted = false;
  const listeners = new Set<() => void>();
  let reject: (reason: unknown) => void = () => undefined;
  const ended = new Promise<never>((_, rejectEnded) => {
    reject = rejectEnded;
  });
  ended.catch(() => undefined);
  let controller: AbortController | undefined;
  return {
    aborted: () => aborted,
    abort: () => {
      if (aborted) return;
      aborted = true;
      reject(new DOMException('aborted', 'AbortError'));
      controller?.abort();
      for (const listener of listeners) listener();
      listeners.clear();
    },
    ended,
    onAbort: (listener) => {
      if (aborted) listener();
      else listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signal: () => {
      controller ??= new AbortController();
      if (aborted) controller.abort();
      return controller.signal;
    },
  };
};

/** The kubeconfig user's own credentials: token, password, client key (as given and decoded). */
const credentialsOf = (kc: KubeConfig): string[] => {
  const user = kc.getCurrentUser();
  if (!user) return [];
  const keyData = user.keyData;
  const key = keyData === undefined ? undefined : Buffer.from(keyData, 'base64').toString('utf8');
  // A PEM's base64 lines are secret too: a server could echo one without the rest.
  const keyLines = key?.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----')) ?? [];
  return [user.token, user.password, keyData, key, ...keyLines].filter((value): value is string => typeof value === 'string' && value !== '');
};

/** An Authorization header's value, its credentials, and for Basic the decoded `user:password` and password. */
const authorizationSecrets = (value: string | undefined): string[] => {
  if (value === undefined) return [];
  const [scheme = '', credentials = ''] = value.split(/\s+/, 2);
  if (scheme.toLowerCase() !== 'basic') return [value, credentials];
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  return [value, credentials, decoded, decoded.slice(decoded.indexOf(':') + 1)];
};

const authorizationOf = (headers: Readonly<Record<string, string>>): string | undefined =>
  Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];

/** How many recent Authorization values the transport's own scrub remembers (exec plugins rotate tokens). */
const REMEMBERED_AUTHORIZATIONS = 4;

/**
 * What client-node's `loadFromDefault()` loads when it finds no kubeconfig at all: a stand-in
 * cluster at http://localhost:8080 that no API server answers.
 */
const isStandIn = (kc: KubeConfig): boolean => {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  return (
    kc.getCurrentContext() === 'loaded-context' &&
    cluster?.name === 'cluster' &&
    cluster.server === 'http://localhost:8080' &&
    user?.name === 'user' &&
    user.token === undefined &&
    user.exec === undefined
  );
};

/**
 * Why a kubeconfig cannot be used, before anything is sent (a `KubeConfig` ApiError, never
 * retryable); undefined when it can. The clear message client-node would otherwise bury in an
 * exception.
 */
export const kubeConfigProblem = (kc: KubeConfig): ApiError | undefined => {
  if (isStandIn(kc)) return apiError('KubeConfig', 'no kubeconfig was found ($KUBECONFIG, ~/.kube/config, a Pod\'s service account)');
  const cluster = kc.getCurrentCluster();
  if (!cluster) return apiError('KubeConfig', 'the kubeconfig has no current cluster');
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify)
    return apiError('KubeConfig', `the kubeconfig's server is plain http, which client-node only allows with insecure-skip-tls-verify`);
  return undefined;
};

/** A segment that `isUnsafeSegment` refuses, anywhere in a path: empty, or one or two of `.` or `%2e`. */
const UNSAFE_SEGMENT_IN_PATH = /\/(?:(?:\.|%2e){1,2})?(?=\/|$)/i;

/** A path with an empty, `.` or `..` segment is never sent: the URL parser would make it another path. */
export const pathProblem = (path: string): ApiError | undefined =>
  path.startsWith('/') && !UNSAFE_SEGMENT_IN_PATH.test(path)
    ? undefined
    : apiError('Invalid', 'the request path has an empty, "." or ".." segment, which would address another resource; nothing was sent');

/** `?` and the query's parameters as `URLSearchParams` writes them, or nothing for no parameter. */
const queryString = (query: HttpRequest['query']): string => {
  if (query === undefined) return '';
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) parameters.append(key, value);
  const text = parameters.toString();
  return text === '' ? '' : `?${text}`;
};

// The query goes into the URL client-node parses once; its `setQueryParam` would serialise the URL again for each parameter.
const buildContext = (server: string, request: HttpRequest): RequestContext => {
  const context = new RequestContext(`${server}${request.path}${queryString(request.query)}`, request.method as HttpMethod);
  context.setHeaderParam('Accept', 'application/json');
  context.setHeaderParam('User-Agent', USER_AGENT);
  if (request.body !== undefined) {
    context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
    context.setBody(JSON.stringify(request.body));
  }
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
  }): Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined>; body: Readable }>;
}

const directDispatcher = (context: RequestContext): DirectDispatcher | undefined => {
  const dispatcher = (context as { getDispatcher?: () => unknown }).getDispatcher?.();
  return typeof (dispatcher as Partial<DirectDispatcher> | undefined)?.request === 'function' ? (dispatcher as DirectDispatcher) : undefined;
};

/** A response whose headers have come; its body is still to be read (or destroyed). */
interface Opened {
  readonly code: number;
  readonly declaredLength: number | undefined;
  readonly body: Readable;
}

const lengthOf = (header: string | string[] | undefined): number | undefined => {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return header === undefined || !Number.isSafeInteger(value) ? undefined : value;
};

/** The context's URL as client-node parsed it (its own field), or parsed again from `getUrl()`. */
const urlOf = (context: RequestContext): URL => {
  const parsed = (context as unknown as { url?: unknown }).url;
  return parsed instanceof URL ? parsed : new URL(context.getUrl());
};

/** Node's own HTTP client with the agent client-node 1.x built for the request (its TLS, client certificate and proxy). */
const viaAgent = (context: RequestContext, end: RequestEnd): Promise<Opened> =>
  new Promise((resolve, reject) => {
    const url = urlOf(context);
    const agent = (context as { getAgent?: () => Agent | undefined }).getAgent?.();
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const body = context.getBody();
    // The end destroys the exchange by hand rather than through `http.request`'s own `signal`, whose
    // AbortError would reach a response nobody listens to any more once its socket is kept alive.
    // Taken back once the response closes: its socket may serve another request by then.
    const outgoing = send(url, { method: context.getHttpMethod(), headers: context.getHeaders(), agent }, (response: IncomingMessage) => {
      response.once('close', stopListening);
      resolve({ code: response.statusCode ?? 0, declaredLength: lengthOf(response.headers['content-length']), body: response });
    });
    const stopListening = end.onAbort(() => outgoing.destroy());
    outgoing.on('error', (error) => {
      stopListening();
      reject(error);
    });
    outgoing.end(typeof body === 'string' ? body : undefined);
  });

/**
 * Sends the request and waits for the response headers. With client-node 2.x the context
 * carries the undici dispatcher client-node built (TLS, client certificate, proxy): the request
 * goes to it directly, the way client-node's fetch would send it but without the WHATWG layers
 * (Request, Headers, streams) that cost more client CPU than the HTTP exchange itself.
 */
const open = async (context: RequestContext, end: RequestEnd): Promise<Opened> => {
  const dispatcher = directDispatcher(context);
  if (dispatcher === undefined) return viaAgent(context, end);
  const url = urlOf(context);
  const body = context.getBody();
  const response = await dispatcher.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: context.getHttpMethod(),
    headers: context.getHeaders(),
    body: typeof body === 'string' ? body : undefined,
    signal: end.signal(),
  });
  return { code: response.statusCode, declaredLength: lengthOf(response.headers['content-length']), body: response.body };
};

/**
 * The whole body as text, or `undefined` once it passes `limit` bytes (the rest is not read).
 * Read through the stream's events rather than its async iterator, whose promise per chunk and
 * end-of-stream wiring cost more than the read itself on small responses. Rejects if the body
 * fails or closes before its end.
 */
const readBounded = (opened: Opened, limit: number): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const { body } = opened;
    if (opened.declaredLength !== undefined && opened.declaredLength > limit) {
      body.destroy();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        body.destroy();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    body.once('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks, size).toString('utf8'));
    });
    body.once('error', reject);
    // Closed before its end: cut short. (An Error is made only then: its stack trace costs.)
    body.once('close', () => {
      if (!ended) reject(new Error('the response ended before its body was whole'));
    });
  });

/**
 * Splits a byte stream into lines of at most `limit` bytes. Bytes are joined before decoding,
 * so a character split across chunks stays whole. Returns false once a line passes the limit.
 */
const lineSplitter = (limit: number, onLine: (line: string) => void) => {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  return (chunk: Buffer): boolean => {
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      const tail = chunk.subarray(start, newline);
      if (pendingBytes + tail.length > limit) return false;
      const line = pendingBytes === 0 ? tail : Buffer.concat([...pending, tail], pendingBytes + tail.length);
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
      if (line.length > 0) onLine(line.toString('utf8'));
    }
    const rest = chunk.subarray(start);
    if (pendingBytes + rest.length > limit) return false;
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
    return true;
  };
};

/**
 * How long what client-node's `applySecurityAuthentication` gave one request (its headers and
 * the kept connection pool) serves the requests after it. Authenticating builds a connection
 * pool and reads the kubeconfig's credentials, and at a cold start's pace that cost a few
 * percent of the controller's CPU (ADR 0096). client-go re-reads a token file once a
 * minute; a second keeps a rotated token, certificate or exec plugin's answer as fresh as the
 * request rate allows, and a 401 ends it at once.
 */
export const AUTHENTICATION_REUSE_MS = 1000;

interface Authentication {
  /** What the authentication was for: a kubeconfig that changes them starts again. */
  readonly contextName: string;
  readonly cluster: unknown;
  readonly user: unknown;
  /** The headers the authentication set (Authorization and whatever the kubeconfig adds). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The authenticated request, whose kept connection pool the next ones take. */
  readonly from: RequestContext;
  readonly until: number;
}

/** The last authentication, handed to the requests that follow it within `AUTHENTICATION_REUSE_MS`. */
const authenticationMemo = (kc: KubeConfig, connections: Connections) => {
  let last: Authentication | undefined;
  return {
    /** Authenticates `context` as the last request was, when that still holds (true); false when it must authenticate itself. */
    reuse: (context: RequestContext): boolean => {
      if (last === undefined || performance.now() >= last.until) return false;
      if (last.contextName !== kc.getCurrentContext() || last.cluster !== kc.getCurrentCluster() || last.user !== kc.getCurrentUser()) return false;
      if (!connections.share(last.from, context)) return false;
      for (const [name, value] of last.headers) context.setHeaderParam(name, value);
      return true;
    },
    /** Keeps what authenticating `context` set, given its headers `before` (`reuse` hands it on only over the kept connection pool). */
    remember: (context: RequestContext, before: Readonly<Record<string, string>>): void => {
      const headers = Object.entries(context.getHeaders()).filter(([name, value]) => before[name] !== value);
      last = {
        contextName: kc.getCurrentContext(),
        cluster: kc.getCurrentCluster(),
        user: kc.getCurrentUser(),
        headers,
        from: context,
        until: performance.now() + AUTHENTICATION_REUSE_MS,
      };
    },
    forget: (): void => {
      last = undefined;
    },
  };
};

/**
 * Sends requests for the kubeconfig's current context, over connections kept between requests
 * (see `connections.ts`), within `limits`.
 */
export const makeTransport = (kc: KubeConfig, limits: TransportLimits): ConnectedTransport => {
  const connections = makeConnections(kc);
  bindCredentialPlugins(kc);
  const ownCredentials = credentialsOf(kc);
  const recentAuthorizations: string[] = [];
  const remember = (authorization: string | undefined): void => {
    if (authorization === undefined || recentAuthorizations.includes(authorization)) return;
    recentAuthorizations.push(authorization);
    if (recentAuthorizations.length > REMEMBERED_AUTHORIZATIONS) recentAuthorizations.shift();
  };
  const scrub: Scrub = (text) => scrubberOf([...ownCredentials, ...recentAuthorizations.flatMap(authorizationSecrets)])(text);
  const authentications = authenticationMemo(kc, connections);

  /**
   * Runs `use` on a response once its headers have come, with everything a request needs
   * around it: credentials (bounded by the same signal: an exec plugin is killed with it),
   * the caller's signal, a timer that ends the request after `timeoutMs` unless `use` calls
   * `headersIn` first (a watch then runs as long as it is fed), and the release of what the
   * request held.
   */
  const exchange = async <A>(
    request: HttpRequest,
    use: (opened: Opened, end: RequestEnd) => Promise<E.Either<ApiError, A>>,
    headersIn: boolean,
  ): Promise<E.Either<ApiError, A>> => {
    const problem = kubeConfigProblem(kc) ?? pathProblem(request.path);
    if (problem) return E.left(problem);
    if (request.signal?.aborted) return E.left(fromEarlyEnd({ by: 'abort' }));
    let context: RequestContext;
    try {
      context = buildContext(kc.getCurrentCluster()!.server, request);
    } catch (thrown) {
      // JSON.stringify gives up on a body nested some thousands deep (a RangeError).
      return E.left(apiError('Other', `the request body could not be serialised (${thrown instanceof Error ? thrown.name : typeof thrown})`));
    }

    const end = requestEnd();
    let early: EarlyEnd | undefined;
    const timer = setTimeout(() => {
      early = { by: 'timeout', afterMs: limits.timeoutMs };
      end.abort();
    }, limits.timeoutMs);
    timer.unref();
    const onAbort = (): void => {
      early = { by: 'abort' };
      end.abort();
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const { ended } = end;
    // What this request's response is scrubbed of: the credentials it carried (built only for a failure).
    let authorization: string | undefined;
    const scrubResponse: Scrub = (text) => scrubberOf([...ownCredentials, ...authorizationSecrets(authorization)])(text);
    try {
      try {
        if (!authentications.reuse(context)) {
          const before = { ...context.getHeaders() };
          await Promise.race([withRequestSignal(kc, end.signal, () => kc.applySecurityAuthentication(context)), ended]);
          connections.adopt(context);
          authentications.remember(context, before);
        }
        authorization = authorizationOf(context.getHeaders());
        remember(authorization);
      } catch (thrown) {
        if (early) return E.left(fromEarlyEnd(early));
        return E.left(apiError('Other', `the kubeconfig's credentials could not be applied (${thrown instanceof Error ? thrown.name : typeof thrown})`));
      }
      const opened = await Promise.race([open(context, end), ended]);
      if (headersIn) clearTimeout(timer);
      // Refused credentials are asked for afresh: a rotated token or certificate may be waiting.
      if (opened.code === 401) authentications.forget();
      try {
        if (opened.code < 200 || opened.code >= 300) {
          const text = await Promise.race([readBounded(opened, limits.maxResponseBytes), ended]);
          return E.left(fromResponse(opened.code, text ?? '', scrubResponse));
        }
        return await Promise.race([use(opened, end), ended]);
      } finally {
        opened.body.destroy();
      }
    } catch (thrown) {
      return E.left(early ? fromEarlyEnd(early) : fromThrown(thrown, scrubResponse));
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      connections.release(context);
    }
  };

  const send: Transport = (request) => () =>
    exchange(
      request,
      async (opened) => {
        const text = await readBounded(opened, limits.maxResponseBytes);
        return text === undefined ? E.left(responseTooLarge(limits.maxResponseBytes)) : E.right({ code: opened.code, text });
      },
      false,
    );

  const watch: LineStream = async (request) => {
    let idle = false;
    const result = await exchange<StreamEnd>(
      { method: 'GET', path: request.path, query: { ...request.query, watch: 'true' }, signal: request.signal },
      (opened, end) =>
        new Promise((resolve) => {
          request.onOpened?.(opened.code);
          let timer: NodeJS.Timeout | undefined;
          const feed = (): void => {
            clearTimeout(timer);
            timer = setTimeout(() => {
              idle = true;
              end.abort();
            }, request.idleTimeoutMs);
            timer.unref();
          };
          const finish = (end: StreamEnd): void => {
            clearTimeout(timer);
            opened.body.destroy();
            resolve(E.right(end));
          };
          const split = lineSplitter(limits.maxWatchLineBytes, request.onLine);
          feed();
          opened.body.on('data', (chunk: Buffer) => {
            feed();
            if (!split(chunk)) finish({ _tag: 'Failed', error: watchLineTooLong(limits.maxWatchLineBytes) });
          });
          opened.body.on('end', () => finish({ _tag: 'Ended' }));
          opened.body.on('error', (error) => finish(idle ? { _tag: 'Idle' } : end.aborted() ? { _tag: 'Aborted' } : { _tag: 'Failed', error: fromThrown(error) }));
          opened.body.on('close', () => finish(idle ? { _tag: 'Idle' } : end.aborted() ? { _tag: 'Aborted' } : { _tag: 'Ended' }));
        }),
      true,
    );
    if (E.isRight(result)) return result.right;
    if (idle) return { _tag: 'Idle' };
    return request.signal?.aborted ? { _tag: 'Aborted' } : { _tag: 'Failed', error: result.left };
  };

  return { send, watch, scrub, close: () => connections.close() };
};
