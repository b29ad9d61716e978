// `npm run bench`: compiles the bench's TypeScript (bench/src) with tsup into bench/.build,
// leaving every package external so the bench measures the built packages in packages/*/dist,
// then runs the orchestrator with this process's arguments (e.g. --quick).
import { build } from 'tsup';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

await build({
  entry: { main: here('src/main.ts'), worker: here('src/worker.ts'), server: here('src/server.ts') },
  outDir: here('.build'),
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  clean: true,
  dts: false,
  sourcemap: true,
  silent: true,
  splitting: true,
  tsconfig: here('../tsconfig.json'),
  // Not bundled: the bench imports the packages as a consumer would, from their dist.
  external: [/^@capt-endpoint\//, /^@kubernetes\//, /^fp-ts/, /^io-ts/],
});

const result = spawnSync(process.execPath, [here('.build/main.mjs'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
