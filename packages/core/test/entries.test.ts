// The core's entry points as a user meets them: the main entry stays a curated list a
// controller author reads on one screen, and what adapters need resolves from its own subpath
// in the built package, imported as ESM and required as CommonJS.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as main from '../src';
import * as adapter from '../src/adapter';

const run = promisify(execFile);
const packageDir = join(__dirname, '..');
const MAIN_RUNTIME_EXPORTS_AT_MOST = 40;

const namesOf = (module: object): string[] => Object.keys(module).filter((name) => name !== '__esModule' && name !== 'default').sort();

beforeAll(async () => {
  // `npm test` builds first; when jest runs alone, build the package here.
  if (!existsSync(join(packageDir, 'dist', 'adapter.js')) || !existsSync(join(packageDir, 'dist', 'adapter.cjs')))
    await run('npx', ['tsup'], { cwd: packageDir });
}, 120_000);

it(`the main entry has at most ${MAIN_RUNTIME_EXPORTS_AT_MOST} runtime exports`, () => {
  expect(namesOf(main).length).toBeLessThanOrEqual(MAIN_RUNTIME_EXPORTS_AT_MOST);
  expect(namesOf(main)).toContain('reconcileEndpoint');
});

it('the adapter entry repeats nothing of the main entry', () => {
  const inMain = new Set(namesOf(main));
  expect(namesOf(adapter).filter((name) => inMain.has(name))).toEqual([]);
});

it('the main entry names each export (no export *)', () => {
  expect(readFileSync(join(packageDir, 'src', 'index.ts'), 'utf8')).not.toMatch(/export \*/);
});

it('the package exports the adapter subpath with types for import and require', () => {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, { types: string; default: string }>> };
  const entry = manifest.exports['./adapter'];
  for (const mode of ['import', 'require'] as const) {
    expect(entry?.[mode]?.types).toMatch(/^\.\/dist\/adapter\.d\.c?ts$/);
    expect(existsSync(join(packageDir, entry?.[mode]?.types ?? 'missing'))).toBe(true);
  }
});

it.each([
  ['import', ['--input-type=module', '-e', "const m = await import('@capt-endpoint/core/adapter'); console.log(JSON.stringify(Object.keys(m)));"]],
  ['require', ['-e', "console.log(JSON.stringify(Object.keys(require('@capt-endpoint/core/adapter'))));"]],
])('@capt-endpoint/core/adapter resolves by %s in the built package and gives the source entry names', async (_mode, args) => {
  const { stdout } = await run(process.execPath, args, { cwd: packageDir });
  expect((JSON.parse(stdout) as string[]).filter((name) => name !== '__esModule' && name !== 'default').sort()).toEqual(namesOf(adapter));
});
