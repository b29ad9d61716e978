/**
 * The loopback API server's process: `@capt-endpoint/testing`'s `startFakeApiServer`, run apart
 * from the client being measured so the server's memory and CPU never count against it. The
 * measured process drives it over IPC: seed control planes (built here from the fixtures, so
 * no object crosses the pipe), mark a point in the request log, count requests since the mark.
 */
import { fakeApiServer } from './loopback';
import { chainOf, type StartState } from './fixtures';

export type ServerCommand =
  | { readonly op: 'seed'; readonly indices: readonly number[]; readonly state: StartState }
  | { readonly op: 'mark' }
  | { readonly op: 'count' }
  | { readonly op: 'storeBytes' }
  | { readonly op: 'close' };

export interface RequestCount {
  readonly requests: number;
  readonly writes: number;
  /** `GET 12, PATCH 3` style tallies by method (and LIST/WATCH for collection reads). */
  readonly byVerb: Readonly<Record<string, number>>;
}

export type ServerReply =
  | { readonly op: 'ready'; readonly kubeConfigYaml: string }
  | { readonly op: 'seeded'; readonly objects: number }
  | { readonly op: 'marked' }
  | { readonly op: 'counted'; readonly count: RequestCount }
  | { readonly op: 'storeBytes'; readonly bytes: number; readonly objects: number }
  | { readonly op: 'failed'; readonly error: string };

const main = async (): Promise<void> => {
  const server = await fakeApiServer();
  const reply = (message: ServerReply): void => {
    process.send?.(message);
  };
  process.on('message', (command: ServerCommand) => {
    try {
      switch (command.op) {
        case 'seed': {
          const objects = server.addAll(command.indices.flatMap((i) => chainOf(i, command.state)));
          return reply({ op: 'seeded', objects });
        }
        case 'mark':
          server.mark();
          return reply({ op: 'marked' });
        case 'count':
          return reply({ op: 'counted', count: server.countSinceMark() });
        case 'storeBytes':
          return reply({ op: 'storeBytes', ...server.storeBytes() });
        case 'close':
          void server.close().then(() => process.exit(0));
          return;
      }
    } catch (error) {
      reply({ op: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  });
  reply({ op: 'ready', kubeConfigYaml: server.kubeConfigYaml() });
};

main().catch((error: unknown) => {
  process.send?.({ op: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
