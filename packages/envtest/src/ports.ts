import { createServer } from 'node:net';

/**
 * Ports the kernel hands out on loopback, all held open together so none repeats, then released
 * for the programs to bind. Another process could take one in between: `startEnvtest` retries a
 * start whose ports were taken.
 */
export const freeLoopbackPorts = async (count: number): Promise<number[]> => {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
};
