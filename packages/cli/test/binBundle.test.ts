// The command bundles fp-ts and io-ts from their ES modules: a bundled CommonJS module answers
// every property read through a getter, which cost the controller's hot path (tsup.esm.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { esModuleOf } from '../tsup.esm';
import { REPO } from './helpers';

const DIST = join(REPO, 'packages', 'cli', 'dist');

/** Every file of dist/ that bin.js loads, statically or lazily. */
const bundleOf = (entry: string): Map<string, string> => {
  const files = new Map<string, string>();
  const visit = (name: string): void => {
    if (files.has(name)) return;
    const text = readFileSync(join(DIST, name), 'utf8');
    files.set(name, text);
    for (const [, next] of text.matchAll(/(?:from|import\()\s*"\.\/([\w.-]+\.js)"/g)) visit(next!);
  };
  visit(entry);
  return files;
};

describe('the bundled command', () => {
  beforeAll(() => {
    if (!existsSync(join(DIST, 'bin.js'))) execFileSync('npm', ['run', 'build:bin', '--silent', '-w', '@capt-endpoint/cli'], { cwd: REPO, stdio: 'ignore' });
  });

  it('maps imports of fp-ts and io-ts to their ES modules, and nothing else', () => {
    expect(esModuleOf('fp-ts/lib/Either.js')).toBe('fp-ts/es6/Either.js');
    expect(esModuleOf('fp-ts/lib/function')).toBe('fp-ts/es6/function.js');
    expect(esModuleOf('io-ts')).toBe('io-ts/es6/index.js');
    for (const other of ['fp-ts', 'fp-ts/es6/Either.js', 'fp-ts/lib/../../x', 'io-ts/lib/index.js', 'yaml', '@kubernetes/client-node']) expect(esModuleOf(other)).toBeUndefined();
  });

  it('holds fp-ts and io-ts as ES modules, with no CommonJS wrapper', () => {
    const bundle = bundleOf('bin.js');
    expect(bundle.size).toBeGreaterThan(3);
    const text = [...bundle.values()].join('\n');
    expect(text).toContain('node_modules/fp-ts/es6/Either.js');
    expect(text).toContain('node_modules/io-ts/es6/index.js');
    expect(text).not.toMatch(/node_modules\/(?:fp-ts|io-ts)\/lib\//);
    expect(text).not.toContain('__toESM');
  });
});
