/**
 * A loopback HTTP server that impersonates a Kubernetes API server gone wrong, so that clients
 * can be tested against the failures a real server, a proxy or an attacker in its place can
 * produce: a watch line that never ends, 410 Gone on every watch, watches that close at once or
 * never send their headers, bodies of a gigabyte, lists whose `continue` never runs out.
 *
 * Lists are answered per `list`, watches per `watch`, a GET of one object per `get`; anything
 * else is a 405. The server itself stays small and ends on its own: every stream it
 * sends stops after `maxStreamBytes` or `maxStreamMs`, whichever comes first, writing only as
 * fast as the client reads. It listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { status } from './status';

/** How list requests (GET of a collection without `watch`) are answered. */
export type HostileList =
  /** An empty list at resourceVersion 1. */
  | 'empty'
  /** A 200 whose body holds one JSON string of `maxStreamBytes` bytes (a GET of one object gets it too). */
  | 'huge'
  /** One object per page, each page with a new `continue` token, for ever. */
  | 'endlessContinue';

/** How watch requests are answered. */
export type HostileWatch =
  /** A 200 that streams one line without a newline. */
  | 'endlessLine'
  /** A 410 Gone Status, as for a resourceVersion that was compacted. */
  | 'gone'
  /** A 200 with one ERROR event carrying a 410 Status, then the end. */
  | 'goneEvent'
  /** A 200 with one ADDED event, then the end. */
  | 'oneEventThenClose'
  /** Accepts the request and never answers. */
  | 'noHeaders';

/**
 * Echoes the request's `Authorization` header back, as a server or proxy that reflects what it
 * was sent: `everyRequest` answers every request with a 401 Status whose message holds the header
 * and its credentials alone; `watchEvents` lists as `list` says and answers every watch with a
 * 200 and one ERROR event whose Status message holds them.
 */
export type HostileEcho = 'everyRequest' | 'watchEvents';

export interface HostileServerOptions {
  /** Reflect the request's Authorization header in error bodies (see `HostileEcho`). */
  readonly echoAuthorization?: HostileEcho | undefined;
  readonly list?: HostileList | undefined;
  readonly watch?: HostileWatch | undefined;
  /** A GET of one object: a 404 Status (default), or no answer at all. */
  readonly get?: 'notFound' | 'noHeaders' | undefined;
  /** Most bytes one streamed response carries. Default 1 GiB. */
  readonly maxStreamBytes?: number | undefined;
  /** Longest one streamed or unanswered response lasts, in milliseconds. Default 60 000. */
  readonly maxStreamMs?: number | undefined;
}

export interface HostileApiServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** A kubeconfig for it: plain http, insecure-skip-tls-verify, a dummy token. */
  kubeConfigYaml(): string;
  /** Requests received so far, by what they were. */
  readonly counts: { readonly lists: number; readonly watches: number; readonly other: number };
  /** Connections open now, and the most open at once. */
  readonly connections: { readonly open: number; readonly peak: number };
  /** Ends every connection and frees the port. */
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 'a');

/** Writes `head`, then filler bytes until `maxBytes` or `maxMs`, then `tail`, as fast as the client reads. */
const stream = (response: ServerResponse, head: string, tail: string, maxBytes: number, maxMs: number): void => {
  let sent = 0;
  let done = false;
  const timer = setTimeout(() => finish(), maxMs);
  timer.unref();
  function finish(): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    response.end(tail);
  }
  response.on('close', () => {
    done = true;
    clearTimeout(timer);
  });
  const pump = (): void => {
    while (!done) {
      if (sent >= maxBytes) return finish();
      const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, maxBytes - sent));
      sent += chunk.length;
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
  };
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.write(head);
  pump();
};

/** Holds the request without a word until `maxMs`, then drops the connection. */
const neverAnswer = (response: ServerResponse, maxMs: number): void => {
  const timer = setTimeout(() => response.destroy(), maxMs);
  timer.unref();
  response.on('close', () => clearTimeout(timer));
};

const json = (response: ServerResponse, code: number, body: unknown): void => {
  response.writeHead(code, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
};

const kindOfList = (path: string): string => `${(path.split('/').at(-1) ?? 'object').replace(/s$/, '')}List`;

export const startHostileApiServer = async (options: HostileServerOptions = {}): Promise<HostileApiServer> => {
  const maxBytes = options.maxStreamBytes ?? 1024 ** 3;
  const maxMs = options.maxStreamMs ?? 60_000;
  const counts = { lists: 0, watches: 0, other: 0 };
  const connections = { open: 0, peak: 0 };
  const sockets = new Set<Socket>();
  let page = 0;

  const answerList = (path: string, response: ServerResponse): void => {
    const list = options.list ?? 'empty';
    if (list === 'huge') return stream(response, '{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[],"padding":"', '"}', maxBytes, maxMs);
    if (list === 'endlessContinue') {
      page++;
      const item = { metadata: { name: `object-${page}`, namespace: 'default', resourceVersion: '1' } };
      return json(response, 200, { kind: kindOfList(path), apiVersion: 'v1', metadata: { resourceVersion: '1', continue: `page-${page}` }, items: [item] });
    }
    json(response, 200, { kind: kindOfList(path), apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] });
  };

  const answerWatch = (response: ServerResponse): void => {
    switch (options.watch ?? 'noHeaders') {
      case 'endlessLine':
        return stream(response, '{"type":"ADDED","object":{"metadata":{"name":"', '"}}}\n', maxBytes, maxMs);
      case 'gone':
        return json(response, 410, status(410, 'too old resource version: 1 (2)'));
      case 'goneEvent':
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return void response.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'too old resource version: 1 (2)') })}\n`);
      case 'oneEventThenClose':
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return void response.end(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'only', namespace: 'default', resourceVersion: '2' } } })}\n`);
      case 'noHeaders':
        return neverAnswer(response, maxMs);
    }
  };

  /** The header, and its credentials without the scheme, in a Status message. */
  const echoOf = (request: IncomingMessage): string => {
    const header = request.headers.authorization ?? '';
    return `Unauthorized: the credentials ${JSON.stringify(header.split(/\s+/)[1] ?? '')} in "Authorization: ${header}" were not accepted`;
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    if (options.echoAuthorization === 'everyRequest') {
      counts.other++;
      return json(response, 401, status(401, echoOf(request)));
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const segments = url.pathname.split('/').filter(Boolean);
    // /api/v1/<plural>, /api/v1/namespaces/<ns>/<plural>, /apis/<group>/<version>/..., with a name after for one object.
    const rest = segments.slice(segments[0] === 'api' ? 2 : 3);
    const scoped = rest[0] === 'namespaces' ? rest.slice(2) : rest;
    const isCollection = request.method === 'GET' && scoped.length === 1;
    if (isCollection && url.searchParams.get('watch') === 'true') {
      counts.watches++;
      if (options.echoAuthorization === 'watchEvents') {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return void response.end(`${JSON.stringify({ type: 'ERROR', object: status(401, echoOf(request)) })}\n`);
      }
      return answerWatch(response);
    }
    if (isCollection) {
      counts.lists++;
      return answerList(url.pathname, response);
    }
    counts.other++;
    if (request.method === 'GET' && options.list === 'huge') return answerList(url.pathname, response);
    if (request.method === 'GET' && options.get === 'noHeaders') return neverAnswer(response, maxMs);
    if (request.method === 'GET') return json(response, 404, status(404, 'not found'));
    json(response, 405, status(405, 'this server only lists and watches'));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    connections.open++;
    connections.peak = Math.max(connections.peak, connections.open);
    socket.on('close', () => {
      sockets.delete(socket);
      connections.open--;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    kubeConfigYaml: () =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: hostile`,
        '  cluster:',
        `    server: ${url}`,
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: hostile',
        '  user:',
        '    token: hostile-token',
        'contexts:',
        '- name: hostile',
        '  context:',
        '    cluster: hostile',
        '    user: hostile',
        'current-context: hostile',
        '',
      ].join('\n'),
    counts,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
