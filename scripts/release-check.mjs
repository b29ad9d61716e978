// `npm run release:check` (part of `npm test`): what a release needs, checked on the packed
// packages as `npm publish` would send them:
//   - versions in step: every public package at the root's version, each sibling dependency the
//     caret range of it, the command's VERSION the same, and a CHANGELOG section for it;
//   - packed contents: every file that package.json's main, module, types, typesVersions, bin
//     and exports name is in the tarball, with README.md and LICENSE; no sources or tests;
//   - types in every resolution mode (node10, node16 from CommonJS and from ESM, bundler), for
//     every entry point: @arethetypeswrong/cli on each tarball finds no problem.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { packAll, publicPackages, repo } from './pack.mjs';

/** Every file an `exports` map names (its leaves, not its keys). */
const targetsOf = (exports) => (typeof exports === 'string' ? [exports] : exports && typeof exports === 'object' ? Object.values(exports).flatMap(targetsOf) : []);

const problems = [];
const problem = (text) => problems.push(text);

// Versions in step.
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
const packages = publicPackages();
const siblings = new Set(packages.map((p) => p.manifest.name));
for (const { manifest } of packages) {
  if (manifest.version !== version) problem(`${manifest.name} is at ${manifest.version}, the repository at ${version}`);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'])
    for (const [name, range] of Object.entries(manifest[field] ?? {}))
      if (siblings.has(name) && range !== `^${version}`) problem(`${manifest.name} takes ${name} as "${range}", not "^${version}"`);
}
const cliVersion = /export const VERSION = '([^']*)'/.exec(readFileSync(join(repo, 'packages/cli/src/main.ts'), 'utf8'))?.[1];
if (cliVersion !== version) problem(`capt-endpoint --version says ${cliVersion}, the packages are at ${version}`);
if (!new RegExp(`^## ${version.replaceAll('.', '\\.')}\\b`, 'm').test(readFileSync(join(repo, 'CHANGELOG.md'), 'utf8'))) problem(`CHANGELOG.md has no "## ${version}" section`);

// Packed contents.
const work = mkdtempSync(join(tmpdir(), 'capt-endpoint-release-'));
try {
  const packed = packAll(work);
  for (const entry of packed) {
    const { manifest } = packages.find((p) => p.manifest.name === entry.name);
    const files = new Set(entry.files.map((file) => file.path));
    const named = [
      manifest.main,
      manifest.module,
      manifest.types,
      ...Object.values(manifest.bin ?? {}),
      ...Object.values(manifest.typesVersions ?? {}).flatMap((map) => Object.values(map).flat()),
      ...targetsOf(manifest.exports),
    ].filter((path) => typeof path === 'string');
    for (const path of new Set(named)) if (!files.has(posix.normalize(path))) problem(`${entry.name}: package.json names ${path}, which is not packed`);
    for (const needed of ['README.md', 'LICENSE', 'package.json']) if (!files.has(needed)) problem(`${entry.name}: ${needed} is not packed`);
    const stray = [...files].filter((path) => /^(src|test)\//.test(path) || /\.test\./.test(path));
    if (stray.length > 0) problem(`${entry.name}: sources or tests packed: ${stray.slice(0, 5).join(', ')}`);

    // Types in every resolution mode.
    const attw = join(repo, 'node_modules/.bin/attw');
    let report;
    try {
      report = JSON.parse(execFileSync(attw, ['--format', 'json', entry.tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
    } catch (error) {
      // attw exits 1 when it finds problems, with its report on stdout.
      report = JSON.parse(error.stdout || '{}');
    }
    const found = report.analysis?.problems ?? [];
    for (const p of found) problem(`${entry.name}: types: ${p.kind} (${p.entrypoint ?? ''} ${p.resolutionKind ?? ''})`.replace(/ \( \)$/, ''));
    const entrypoints = Object.keys(report.analysis?.entrypoints ?? {});
    if (entrypoints.length === 0) problem(`${entry.name}: @arethetypeswrong/cli checked no entry point`);
    console.log(`release check: ${entry.filename}: ${files.size} files, types resolved for ${entrypoints.join(', ')} in node10, node16 (CommonJS, ESM) and bundler${found.length > 0 ? `: ${found.length} problems` : ''}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`release check: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`release check: ${packages.length} packages at ${version}, in step, packed whole, typed in every resolution mode`);
