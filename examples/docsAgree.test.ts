// Statements in the README and docs/ that name packages, files and the patches written, held
// against the repository: the package table, the architecture's dependencies, the sample patches.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENDPOINT_WRITES_ANNOTATION } from '@capt-endpoint/core';

const REPO = join(__dirname, '..');
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;
const manifestOf = (dir: string) => JSON.parse(read(join(dir, 'package.json'))) as { name: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };

it("README's package table names every package", () => {
  const table = read('README.md').split('## Packages')[1]?.split('\n## ')[0] ?? '';
  expect(workspaces.map(manifestOf).filter(({ name }) => !table.includes(`| \`${name}\` |`)).map(({ name }) => name)).toEqual([]);
});

it("docs/architecture.md says client-node only of the packages that depend on it", () => {
  const rows = read('docs/architecture.md').split('\n').filter((line) => line.startsWith('| `@capt-endpoint/'));
  const wrong = workspaces.map(manifestOf).flatMap(({ name, dependencies, peerDependencies }) => {
    const row = rows.find((line) => line.startsWith(`| \`${name}\` |`));
    if (row === undefined) return [];
    const says = row.split('|').at(-2)?.includes('client-node') ?? false;
    const does = '@kubernetes/client-node' in { ...dependencies, ...peerDependencies };
    return says === does ? [] : [name];
  });
  expect(wrong).toEqual([]);
});

it('the docs name no file that does not exist (docs/rbac.yaml moved into the kubernetes package)', () => {
  const texts = ['README.md', 'docs/controller.md', 'docs/kubernetes.md', 'deploy/kubernetes/clusterrole.yaml'].filter((path) => existsSync(join(REPO, path)));
  expect(texts.filter((path) => read(path).includes('docs/rbac.yaml'))).toEqual([]);
});

it("docs/cli.md's sample endpoint patches carry the write record that is sent with them", () => {
  const patches = read('docs/cli.md').split('\n').filter((line) => /^\s+patch (CAPTControlPlane|Cluster) .*controlPlaneEndpoint/.test(line));
  expect(patches.length).toBeGreaterThan(0);
  expect(patches.filter((line) => !line.includes(`"${ENDPOINT_WRITES_ANNOTATION}"`))).toEqual([]);
  expect(read('docs/cli.md')).not.toContain('connectionection');
});

it("README's Install names, for each use, every sibling package it needs, so the tarballs install together", () => {
  const install = read('README.md').split('## Install')[1]?.split('\n#')[0] ?? '';
  const rows = install.split('\n').filter((line) => /^\| [^-|]/.test(line) && line.includes('`core'));
  expect(rows.length).toBeGreaterThan(0);
  const byShortName = new Map(workspaces.map(manifestOf).map((manifest) => [manifest.name.replace('@capt-endpoint/', ''), manifest]));
  const incomplete = rows.flatMap((row) =>
    [...(row.split('|')[2] ?? '').matchAll(/`([a-z ]+)`/g)].flatMap(([, group]) => {
      const names = group!.split(' ').filter((name) => byShortName.has(name));
      const needed = names.flatMap((name) => Object.keys(byShortName.get(name)!.dependencies ?? {})).filter((dep) => dep.startsWith('@capt-endpoint/'));
      return needed.filter((dep) => !names.includes(dep.replace('@capt-endpoint/', ''))).map((dep) => `${group} lacks ${dep}`);
    }),
  );
  expect(incomplete).toEqual([]);
});

it('sibling packages depend on each other by caret range, so a patch release of one serves the others', () => {
  const pinned = workspaces
    .map(manifestOf)
    .flatMap(({ name, dependencies }) => Object.entries(dependencies ?? {}).filter(([dep, range]) => dep.startsWith('@capt-endpoint/') && !range.startsWith('^')).map(([dep, range]) => `${name} -> ${dep}@${range}`));
  expect(pinned).toEqual([]);
});
