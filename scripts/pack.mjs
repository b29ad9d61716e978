// `npm run pack`: packs every public workspace package as `npm publish` would, into packed/
// (or the directory given), and prints the one `npm install` that installs them together. Until
// the packages are on the registry this is how to install them: siblings depend on each other by
// caret range, and npm takes each from the tarballs given on the same command line.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repo = fileURLToPath(new URL('..', import.meta.url));

/** The public workspace packages: directory and manifest, in workspace order. */
export const publicPackages = () =>
  JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
    .workspaces.map((dir) => ({ dir: join(repo, dir), manifest: JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8')) }))
    .filter((p) => p.manifest.private !== true);

/** Packs every public package into `destination` (emptied first); npm pack's JSON report of each, with its tarball's path. */
export const packAll = (destination) => {
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  const packages = publicPackages();
  const report = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', destination, ...packages.map((p) => `--workspace=${p.dir}`)], { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }),
  );
  return report.map((entry) => ({ ...entry, tarball: join(destination, entry.filename) }));
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const destination = resolve(process.argv[2] ?? join(repo, 'packed'));
  const packed = packAll(destination);
  console.log(`packed into ${destination}:`);
  for (const entry of packed) console.log(`  ${entry.filename}  (${entry.name} ${entry.version}, ${(entry.size / 1024).toFixed(0)} kB)`);
  console.log(`\nInstall them together, in your project:\n  npm install ${packed.map((entry) => entry.tarball).join(' ')}`);
}
