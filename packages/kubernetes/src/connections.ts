/**
 * The connections of one client, reused from request to request. client-node builds a fresh
 * connection pool on every `applySecurityAuthentication`: in 2.x an undici dispatcher, so a
 * request that keeps it pays a new TCP (and TLS) connection and leaves an idle socket behind.
 * We keep the first dispatcher and hand it to later requests for as long as the connection
 * settings client-node would use stay the same (server, proxy, TLS verification, CA and client
 * certificate, re-read as client-node re-reads them); when they change (a rotated certificate
 * file), the next request starts a new pool and the old one closes once its requests end.
 *
 * client-node 1.x builds an `http(s).Agent` per request, without keep-alive: every request
 * would open a TCP connection (and do a TLS handshake) of its own, which cost a cold start
 * most of its CPU. We keep one keep-alive agent of the same class, built with the settings
 * client-node gave its own (CA, client certificate, TLS verification; see `keptAgent`), and put
 * it into every request whose agent has the same options. A proxy's agent is left as client-node
 * built it.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { KubeConfig, RequestContext } from '@kubernetes/client-node';

/** What client-node 2.x's dispatcher offers (undici's `Dispatcher`). */
interface Dispatcher {
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** The methods that differ between client-node 1.x and 2.x contexts. */
interface VersionedContext {
  getDispatcher?: () => Dispatcher | undefined;
  setDispatcher?: (dispatcher: Dispatcher | undefined) => void;
  getAgent?: () => { destroy?: () => void } | undefined;
  setAgent?: (agent: HttpAgent) => void;
}

export interface Connections {
  /** Puts the shared pool into a context that client-node has just authenticated. */
  adopt(context: RequestContext): void;
  /**
   * Puts into `into` the connection pool `from` was given, if that is still the kept one (not a
   * proxy's agent, not a pool replaced since); false otherwise.
   */
  share(from: RequestContext, into: RequestContext): boolean;
  /** After a request: frees what was made for this request alone (client-node 1.x's agent). */
  release(context: RequestContext): void;
  /** Closes the shared pool once its requests have ended; a later request opens a new one. */
  close(): Promise<void>;
}

const ignore = (): undefined => undefined;

interface TlsSettings {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/**
 * Everything that decides which connection a request may travel on, read by client-node's own
 * `applyHTTPSOptions` (the method its authentication uses; not in its typings). Without it
 * there is no telling whether a pool still fits: `undefined`, and nothing is shared.
 */
const settingsOf = (kc: KubeConfig): string | undefined => {
  const read = (kc as unknown as { applyHTTPSOptions?: (options: TlsSettings) => void }).applyHTTPSOptions;
  if (typeof read !== 'function') return undefined;
  const cluster = kc.getCurrentCluster();
  const tls: TlsSettings = {};
  read.call(kc, tls);
  return JSON.stringify([
    cluster?.server,
    cluster?.proxyUrl,
    tls.rejectUnauthorized,
    tls.servername,
    tls.ca?.toString('base64'),
    tls.cert?.toString('base64'),
    tls.key?.toString('base64'),
  ]);
};

/** The options of a plain `http(s).Agent` (not a proxy's), as client-node made it; undefined for any other agent. */
interface AgentOptions {
  readonly ca?: unknown;
  readonly cert?: unknown;
  readonly key?: unknown;
  readonly pfx?: unknown;
  readonly passphrase?: unknown;
  readonly rejectUnauthorized?: unknown;
  readonly servername?: unknown;
}

const plainAgentOptions = (agent: unknown): AgentOptions | undefined =>
  agent !== null && typeof agent === 'object' && (agent.constructor === HttpAgent || agent.constructor === HttpsAgent)
    ? (agent as { options?: AgentOptions }).options
    : undefined;

const textOf = (value: unknown): unknown => (Buffer.isBuffer(value) ? value.toString('base64') : Array.isArray(value) ? value.map(textOf) : value);

/** What decides which connection a request through this agent may use. */
const agentSettings = (agent: object, options: AgentOptions, server: string | undefined): string =>
  JSON.stringify([
    agent.constructor === HttpsAgent,
    server,
    ...[options.ca, options.cert, options.key, options.pfx, options.passphrase, options.rejectUnauthorized, options.servername].map(textOf),
  ]);

/**
 * A keep-alive agent with the TLS settings of `options`. For https, the CA, certificate and key
 * go into one secure context made here rather than into the agent's options: Node names an
 * agent's connection pool, on every request, by concatenating those options' text, which made a
 * keep-alive request over TLS cost 10 to 20% more CPU on the loopback. Verification is
 * unchanged: the same CA (or Node's roots when there is none), `rejectUnauthorized` and server
 * name.
 */
const keptAgent = (fresh: object, options: AgentOptions): HttpAgent => {
  if (fresh.constructor !== HttpsAgent) return new HttpAgent({ ...(options as object), keepAlive: true });
  const credentials = { ca: options.ca, cert: options.cert, key: options.key, pfx: options.pfx, passphrase: options.passphrase } as SecureContextOptions;
  return new HttpsAgent({
    keepAlive: true,
    secureContext: createSecureContext(credentials),
    ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized as boolean }),
    ...(options.servername === undefined ? {} : { servername: options.servername as string }),
  });
};

/** No more reuse: idle sockets closed now, busy ones when their requests end. */
const retire = (agent: HttpAgent): void => {
  (agent as HttpAgent & { keepAlive: boolean }).keepAlive = false;
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
};

/**
 * client-node 1.x: the request's agent swapped for the kept keep-alive one when their options
 * match; a new kept one when they do not (the old one retired).
 */
const agentKeeper = (kc: KubeConfig) => {
  let shared: { readonly agent: HttpAgent; readonly settings: string } | undefined;
  const pooled = new WeakSet<object>();
  return {
    adopt: (versioned: VersionedContext): void => {
      const fresh = versioned.getAgent?.();
      const options = plainAgentOptions(fresh);
      if (fresh === undefined || options === undefined || versioned.setAgent === undefined) return;
      const settings = agentSettings(fresh, options, kc.getCurrentCluster()?.server);
      if (shared?.settings !== settings) {
        if (shared) retire(shared.agent);
        shared = { agent: keptAgent(fresh, options), settings };
        pooled.add(shared.agent);
      }
      // The fresh agent never had a socket: nothing to destroy, the GC takes it.
      versioned.setAgent(shared.agent);
    },
    isKept: (agent: object): boolean => pooled.has(agent),
    isCurrent: (agent: object | undefined): boolean => agent !== undefined && agent === shared?.agent,
    close: (): void => {
      if (shared) retire(shared.agent);
      shared = undefined;
    },
  };
};

export const makeConnections = (kc: KubeConfig): Connections => {
  let shared: { readonly dispatcher: Dispatcher; readonly settings: string } | undefined;
  /** Every dispatcher that has been the shared one: closed when replaced, never destroyed under a request. */
  const pooled = new WeakSet<Dispatcher>();
  const agents = agentKeeper(kc);

  return {
    adopt: (context) => {
      const versioned = context as unknown as VersionedContext;
      const fresh = versioned.getDispatcher?.();
      if (fresh === undefined || versioned.setDispatcher === undefined) return agents.adopt(versioned);
      const settings = settingsOf(kc);
      if (settings === undefined) return;
      if (shared?.settings === settings) {
        // The fresh one has no socket until it dispatches: nothing to close, the GC takes it
        // (closing it would cost an error object with a stack trace per request).
        versioned.setDispatcher(shared.dispatcher);
        return;
      }
      shared?.dispatcher.close().catch(ignore);
      shared = { dispatcher: fresh, settings };
      pooled.add(fresh);
    },
    share: (from, into) => {
      const source = from as unknown as VersionedContext;
      const target = into as unknown as VersionedContext;
      const dispatcher = source.getDispatcher?.();
      if (dispatcher !== undefined) {
        if (dispatcher !== shared?.dispatcher || target.setDispatcher === undefined) return false;
        target.setDispatcher(dispatcher);
        return true;
      }
      const agent = source.getAgent?.();
      if (!agents.isCurrent(agent) || target.setAgent === undefined) return false;
      target.setAgent(agent as HttpAgent);
      return true;
    },
    release: (context) => {
      const versioned = context as unknown as VersionedContext;
      const agent = versioned.getAgent?.();
      if (agent !== undefined && !agents.isKept(agent)) agent.destroy?.();
      const dispatcher = versioned.getDispatcher?.();
      if (dispatcher !== undefined && !pooled.has(dispatcher)) dispatcher.destroy().catch(ignore);
    },
    close: async () => {
      agents.close();
      const closing = shared;
      shared = undefined;
      await closing?.dispatcher.close().catch(ignore);
    },
  };
};
