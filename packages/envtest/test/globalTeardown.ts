// Stops the shared server. A program that ended by itself during the run is reported with the
// end of its log, since the tests' own failures (connection refused) cannot say why.
export default async function globalTeardown(): Promise<void> {
  const env = globalThis.__captEnvtest;
  if (env === undefined) return;
  for (const program of env.crashed()) {
    process.stderr.write(`\nreal server: ${program} ended during the run; the end of its log:\n${env.logTail(program, 40)}\n`);
  }
  await env.stop();
}
