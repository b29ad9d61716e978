/**
 * The loopback API server's process: `@capt-endpoint/testing`'s `startFakeApiServer`, run apart
 * from the client being measured so the server's memory and CPU never count against it. The
 * measured process drives it over IPC: seed control planes (built here from the fixtures, so
 * no object crosses the pipe), mark a point in the request log, count requests since the mark.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeApiServer, type BenchServer, type RequestCount } from './loopback';
import { chainOf, type StartState } from './fixtures';

export type ServerCommand =
  | { readonly op: 'seed'; readonly indices: readonly number[]; readonly state: StartState }
  | { readonly op: 'mark' }
  | { readonly op: 'count' }
  | { readonly op: 'storeBytes' }
  | { readonly op: 'endpointsSet' }
  | { readonly op: 'snapshot' }
  | { readonly op: 'restore' }
  | { readonly op: 'close' };

export type ServerReply =
  | { readonly op: 'ready'; readonly kubeConfigYaml: string; readonly controlUrl: string }
  | { readonly op: 'seeded'; readonly objects: number }
  | { readonly op: 'marked' }
  | { readonly op: 'counted'; readonly count: RequestCount }
  | { readonly op: 'storeBytes'; readonly bytes: number; readonly objects: number }
  | { readonly op: 'endpointsSet'; readonly controlPlanes: number; readonly set: number }
  | { readonly op: 'snapshotted' }
  | { readonly op: 'restored' }
  | { readonly op: 'failed'; readonly error: string };

/** Carries out one command; `close` ends the process once the server has closed. */
const perform = (server: BenchServer, command: ServerCommand): ServerReply | undefined => {
  switch (command.op) {
    case 'seed': {
      const objects = server.addAll(command.indices.flatMap((i) => chainOf(i, command.state)));
      return { op: 'seeded', objects };
    }
    case 'mark':
      server.mark();
      return { op: 'marked' };
    case 'count':
      return { op: 'counted', count: server.countSinceMark() };
    case 'storeBytes':
      return { op: 'storeBytes', ...server.storeBytes() };
    case 'endpointsSet':
      return { op: 'endpointsSet', ...server.endpointsSet() };
    case 'snapshot':
      server.snapshot();
      return { op: 'snapshotted' };
    case 'restore':
      server.restore();
      return { op: 'restored' };
    case 'close':
      void server.close().then(() => process.exit(0));
      return undefined;
  }
};

const attempt = (server: BenchServer, command: ServerCommand): ServerReply | undefined => {
  try {
    return perform(server, command);
  } catch (error) {
    return { op: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
};

/**
 * The same commands over HTTP on a port of their own, so that a process other than the one
 * that started the server (a measured worker, when one server serves several of them) can
 * drive it: `POST /` with a command as JSON, answered with the reply as JSON.
 */
const startControl = (server: BenchServer): Promise<string> =>
  new Promise((resolve) => {
    const control = createServer((request, response) => void answer(server, request, response));
    control.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(control.address() as AddressInfo).port}/`));
    control.unref();
  });

/** One command to the control endpoint, answered. */
const answer = async (server: BenchServer, request: IncomingMessage, response: ServerResponse): Promise<void> => {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  let command: ServerCommand | undefined;
  try {
    command = JSON.parse(body) as ServerCommand;
  } catch {
    command = undefined;
  }
  // Only the process that started the server ends it.
  const reply: ServerReply =
    command === undefined
      ? { op: 'failed', error: 'the command is not JSON' }
      : command.op === 'close'
        ? { op: 'failed', error: 'close the server from the process that started it' }
        : (attempt(server, command) ?? { op: 'failed', error: 'no reply' });
  response.setHeader('Content-Type', 'application/json');
  response.end(JSON.stringify(reply));
};

const main = async (): Promise<void> => {
  const server = await fakeApiServer();
  const reply = (message: ServerReply | undefined): void => {
    if (message !== undefined) process.send?.(message);
  };
  process.on('message', (command: ServerCommand) => reply(attempt(server, command)));
  reply({ op: 'ready', kubeConfigYaml: server.kubeConfigYaml(), controlUrl: await startControl(server) });
};

main().catch((error: unknown) => {
  process.send?.({ op: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
