/**
 * The connections of one client, reused from request to request. client-node builds a fresh
 * connection pool on every `applySecurityAuthentication`: in 2.x an undici dispatcher, so a
 * request that keeps it pays a new TCP (and TLS) connection and leaves an idle socket behind.
 * We keep the first dispatcher and hand it to later requests for as long as the connection
 * settings client-node would use stay the same (server, proxy, TLS verification, CA and client
 * certificate, re-read as client-node re-reads them); when they change (a rotated certificate
 * file), the next request starts a new pool and the old one closes once its requests end.
 *
 * client-node 1.x builds an `http(s).Agent` without keep-alive: it would not reuse a socket
 * anyway, so its agent stays per request and is destroyed after it, as before.
 */
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
}

export interface Connections {
  /** Puts the shared pool into a context that client-node has just authenticated. */
  adopt(context: RequestContext): void;
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

export const makeConnections = (kc: KubeConfig): Connections => {
  let shared: { readonly dispatcher: Dispatcher; readonly settings: string } | undefined;
  /** Every dispatcher that has been the shared one: closed when replaced, never destroyed under a request. */
  const pooled = new WeakSet<Dispatcher>();

  return {
    adopt: (context) => {
      const versioned = context as unknown as VersionedContext;
      const fresh = versioned.getDispatcher?.();
      if (fresh === undefined || versioned.setDispatcher === undefined) return;
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
    release: (context) => {
      const versioned = context as unknown as VersionedContext;
      versioned.getAgent?.()?.destroy?.();
      const dispatcher = versioned.getDispatcher?.();
      if (dispatcher !== undefined && !pooled.has(dispatcher)) dispatcher.destroy().catch(ignore);
    },
    close: async () => {
      const closing = shared;
      shared = undefined;
      await closing?.dispatcher.close().catch(ignore);
    },
  };
};
