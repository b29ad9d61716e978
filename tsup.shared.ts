/**
 * The build every package shares: its `src/index.ts` as ESM and CommonJS, with declarations and
 * source maps (their sources inlined), for Node 20. A package's tsup.config.ts passes only what
 * differs.
 */
import type { Options } from 'tsup';

export const packageBuild = (overrides: Options = {}): Options => ({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'node',
  ...overrides,
});
