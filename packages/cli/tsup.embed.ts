/**
 * Builds the demo's manifests into the command: the module src/builtInManifests.ts is replaced,
 * at build time, by the YAML files found under the repository's examples/manifests (every
 * `.yaml`/`.yml` file, in subdirectories too, keyed by its path there), read as they are.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

export const EXAMPLE_MANIFESTS = join(__dirname, '..', '..', 'examples', 'manifests');

/** The YAML files under `dir`, by their path relative to it with `/` separators, sorted. */
export const readManifestFiles = (dir: string): Record<string, string> => {
  const files: Record<string, string> = {};
  const paths = (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ name: string; parentPath?: string; path?: string; isFile(): boolean }>)
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath ?? entry.path ?? dir, entry.name))
    .sort();
  for (const path of paths) files[relative(dir, path).split(sep).join('/')] = readFileSync(path, 'utf8');
  return files;
};

export const embedManifests = (dir: string = EXAMPLE_MANIFESTS): EsbuildPlugin => ({
  name: 'embed-demo-manifests',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]builtInManifests\.ts$/ }, () => {
      const files = readManifestFiles(dir);
      return {
        contents: `export const BUILT_IN_MANIFESTS = ${JSON.stringify(files)};\n`,
        loader: 'ts',
        watchFiles: Object.keys(files).map((name) => join(dir, name)),
      };
    });
  },
});
