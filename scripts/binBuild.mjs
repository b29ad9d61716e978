// What `npm run demo` builds, and when: the command's bin (packages/cli/dist/bin.js) is built
// from the workspace packages' sources, its build configuration, the demo's manifests and the
// lockfile; a stamp beside it holds the digest of those sources and of the bin it built, so the
// bin is built again only when a source changed (or the bin did: another build replaced it).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const SOURCE_DIRS = ['core', 'testing', 'kubernetes', 'controller', 'cli'].map((name) => `packages/${name}/src`);
const SOURCE_FILES = ['packages/cli/tsup.bin.config.ts', 'packages/cli/tsup.embed.ts', 'packages/cli/tsup.esm.ts', 'tsup.shared.ts', 'tsconfig.json', 'tsconfig.base.json', 'package-lock.json'];

/** Every file under `dir` (relative to `root`, `/`-separated), or none when it does not exist. */
const filesUnder = (root, dir) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => relative(root, join(entry.parentPath ?? entry.path, entry.name)).split(sep).join('/'))
    : [];

/** The files the bin is built from, sorted. */
export const binSources = (root) =>
  [...SOURCE_DIRS.flatMap((dir) => filesUnder(root, dir)), ...filesUnder(root, 'examples/manifests'), ...SOURCE_FILES.filter((file) => existsSync(join(root, file)))].sort();

const digestOf = (root, files) => {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(readFileSync(join(root, file))).update('\0');
  return hash.digest('hex');
};

/**
 * Builds the bin (`build()`, which must write `bin`) unless the stamp says it was built from
 * these very sources and is still that build. Resolves to whether it built.
 */
export const ensureBuilt = async ({ root, bin, stamp, build }) => {
  const sources = digestOf(root, binSources(root));
  const built = () => (existsSync(bin) ? createHash('sha256').update(readFileSync(bin)).digest('hex') : 'none');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === `${sources} ${built()}\n`) return false;
  await build();
  writeFileSync(stamp, `${sources} ${built()}\n`);
  return true;
};
