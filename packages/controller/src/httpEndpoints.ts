/**
 * The controller's HTTP endpoints, as controller-runtime's manager serves them: `/metrics`
 * (Prometheus text) on the metrics address, `/healthz` and `/readyz` on the health probe
 * address. Both may be the same address: one server then serves all three. An address of `0`
 * turns its endpoints off. Only GET and HEAD are answered; no request body is ever read, and
 * slow or idle clients are cut off, so a scraper or a probe cannot hold the process.
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import type { Registry } from 'prom-client';
import type { MetricsAuthorizer } from './metricsAuth';
import type { ServingCert } from './servingCert';

/** Where to listen: a host (empty for every interface) and a port (0 for any free one). */
export interface BindAddress {
  readonly host: string;
  readonly port: number;
}

export interface InvalidBindAddress {
  readonly _tag: 'InvalidBindAddress';
  readonly message: string;
}

/**
 * Reads an address as controller-runtime's flags take it: `:8080` (every interface),
 * `127.0.0.1:8080`, `[::1]:8080`, or `0` for off (`undefined`).
 */
export const parseBindAddress = (text: string): E.Either<InvalidBindAddress, BindAddress | undefined> => {
  if (text === '0') return E.right(undefined);
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port > 65535)
    return E.left({ _tag: 'InvalidBindAddress', message: `"${text}" is not an address to listen on: give HOST:PORT, :PORT, [IPv6]:PORT or 0 for off` });
  return E.right({ host: match[1] ?? match[2] ?? '', port });
};

export const formatBindAddress = (address: BindAddress): string =>
  `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;

/** A probe's answer: healthy, or not and why (one line, shown in the probe's body). */
export type Check = () => { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * What keeps a client from holding a server: a connection silent for `idleTimeoutMs` is closed,
 * one whose headers (or whole request) take longer than `headersTimeoutMs` (`requestTimeoutMs`),
 * dribbled or not, is answered 408 and closed, an idle keep-alive connection is closed after
 * `keepAliveTimeoutMs`, and connections past `maxConnections` are closed as they arrive.
 */
export interface HttpLimits {
  readonly idleTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  idleTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 64,
};

/** Metrics served as controller-runtime's secure serving does: HTTPS, each caller reviewed. */
export interface SecureMetrics {
  readonly tls: ServingCert;
  readonly authorize: MetricsAuthorizer;
}

export interface HttpEndpointsOptions {
  /** `/metrics`; with `secure`, over HTTPS and only to callers `authorize` lets through (401/403 otherwise). */
  readonly metrics?: { readonly address: BindAddress; readonly registry: Registry; readonly secure?: SecureMetrics | undefined } | undefined;
  readonly health?: { readonly address: BindAddress; readonly healthz: Check; readonly readyz: Check } | undefined;
  /** Per server; default DEFAULT_HTTP_LIMITS. */
  readonly limits?: Partial<HttpLimits> | undefined;
}

export interface HttpEndpoints {
  /** The addresses actually bound (the port filled in when 0 was asked for). */
  readonly metricsAddress: BindAddress | undefined;
  readonly healthAddress: BindAddress | undefined;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

type Handler = (response: ServerResponse, request: IncomingMessage) => Promise<void> | void;

const text = (response: ServerResponse, code: number, body: string, contentType = 'text/plain; charset=utf-8'): void => {
  response.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  response.end(body);
};

const probe =
  (check: Check): Handler =>
  (response) => {
    const answer = check();
    if (answer.ok) text(response, 200, 'ok');
    else text(response, 503, `${answer.reason.replace(/\s+/g, ' ')}\n`);
  };

const listen = (server: Server, address: BindAddress): Promise<BindAddress> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    const bound = (): void => {
      server.off('error', reject);
      const info = server.address() as AddressInfo;
      resolve({ host: address.host, port: info.port });
    };
    if (address.host === '') server.listen(address.port, bound);
    else server.listen(address.port, address.host, bound);
  });

const serve = (routes: ReadonlyMap<string, Handler>, limits: HttpLimits, tls?: ServingCert): Server => {
  const options: ServerOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts above this often (default 30 s); a tenth of the shorter one.
    connectionsCheckingInterval: Math.max(10, Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 10),
  };
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const handler = routes.get(path);
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(response, 405, 'method not allowed\n');
    if (handler === undefined) return text(response, 404, 'not found\n');
    Promise.resolve()
      .then(() => handler(response, request))
      .catch(() => {
        if (!response.headersSent) text(response, 500, 'internal error\n');
        else response.destroy();
      });
  };
  // A TLS handshake that never comes is cut as a silent socket is.
  const server: Server =
    tls === undefined ? createServer(options, listener) : createHttpsServer({ ...options, cert: tls.cert, key: tls.key, handshakeTimeout: limits.idleTimeoutMs }, listener);
  // The header timeouts start at a request's first byte: a connection that never sends one is
  // cut by the socket's inactivity timeout (with no 'timeout' listener, Node destroys it).
  server.setTimeout(limits.idleTimeoutMs);
  server.maxConnections = limits.maxConnections;
  server.maxHeadersCount = 64;
  return server;
};

const sameAddress = (a: BindAddress, b: BindAddress): boolean => a.host === b.host && a.port === b.port && a.port !== 0;

/** Starts the servers; rejects (listening on nothing) when an address cannot be bound. */
export const startHttpEndpoints = async (options: HttpEndpointsOptions): Promise<HttpEndpoints> => {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const metricsRoutes = new Map<string, Handler>();
  const healthRoutes = new Map<string, Handler>();
  if (options.metrics !== undefined) {
    const { registry, secure } = options.metrics;
    metricsRoutes.set('/metrics', async (response, request) => {
      const verdict = secure === undefined ? ({ code: 200 } as const) : await secure.authorize(request.headers.authorization);
      if (verdict.code !== 200) return text(response, verdict.code, `${verdict.reason}\n`);
      text(response, 200, await registry.metrics(), registry.contentType);
    });
  }
  if (options.health !== undefined) {
    healthRoutes.set('/healthz', probe(options.health.healthz));
    healthRoutes.set('/readyz', probe(options.health.readyz));
  }
  const servers: Server[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  };
  try {
    // Probes stay plain HTTP: secure metrics never share their server.
    const shared =
      options.metrics !== undefined && options.metrics.secure === undefined && options.health !== undefined && sameAddress(options.metrics.address, options.health.address);
    let metricsAddress: BindAddress | undefined;
    let healthAddress: BindAddress | undefined;
    if (shared && options.metrics !== undefined) {
      const server = serve(new Map([...metricsRoutes, ...healthRoutes]), limits);
      servers.push(server);
      metricsAddress = healthAddress = await listen(server, options.metrics.address);
    } else {
      if (options.metrics !== undefined) {
        const server = serve(metricsRoutes, limits, options.metrics.secure?.tls);
        servers.push(server);
        metricsAddress = await listen(server, options.metrics.address);
      }
      if (options.health !== undefined) {
        const server = serve(healthRoutes, limits);
        servers.push(server);
        healthAddress = await listen(server, options.health.address);
      }
    }
    return { metricsAddress, healthAddress, close };
  } catch (error) {
    await close();
    throw error;
  }
};
