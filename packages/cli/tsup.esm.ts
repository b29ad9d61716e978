/**
 * Bundles fp-ts and io-ts from their ES module builds (`es6/`) rather than their CommonJS ones
 * (`lib/`). esbuild wraps a bundled CommonJS module in an object whose every export is a getter,
 * so each `E.isLeft` or `E.right` in the command was a function call V8 could not inline: a
 * profile of a cold start put 1% of the controller's CPU in that getter alone. The ES modules
 * bind directly, and what the command does not use is left out.
 */
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

const FP_TS_LIB = /^fp-ts\/lib\/([A-Za-z]+)(?:\.js)?$/;

/** The ES module an import of fp-ts or io-ts has, or undefined for any other import. */
export const esModuleOf = (path: string): string | undefined => {
  const fpTs = FP_TS_LIB.exec(path);
  if (fpTs) return `fp-ts/es6/${fpTs[1]}.js`;
  return path === 'io-ts' ? 'io-ts/es6/index.js' : undefined;
};

// The ES modules' own paths (`es6/`) do not pass the filter: resolving them does not come back here.
export const esModulesOfFpTs = (): EsbuildPlugin => ({
  name: 'fp-ts-es-modules',
  setup(build) {
    build.onResolve({ filter: /^(?:fp-ts\/lib\/|io-ts$)/ }, async (args) => {
      const target = esModuleOf(args.path);
      if (target === undefined) return undefined;
      const resolved = await build.resolve(target, { kind: args.kind, resolveDir: args.resolveDir });
      return resolved.errors.length > 0 ? { errors: resolved.errors } : { path: resolved.path };
    });
  },
});
