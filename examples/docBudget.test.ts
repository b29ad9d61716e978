// scripts/doc-budget.mjs, run on a copy of the repository's layout: within the budget it passes,
// and a guide that takes the guides past 12,000 words in all fails it with the counts printed.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '..', 'scripts', 'doc-budget.mjs');
const words = (n: number): string => `${'word '.repeat(n)}\n`;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'doc-budget-'));
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'docs', 'adr'), { recursive: true });
  copyFileSync(SCRIPT, join(root, 'scripts', 'doc-budget.mjs'));
  writeFileSync(join(root, 'README.md'), words(100));
  writeFileSync(join(root, 'docs', 'adr', '0001-a.md'), words(100));
  writeFileSync(join(root, 'docs', 'benchmarks.md'), words(2000));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const budget = () => run(process.execPath, [join(root, 'scripts', 'doc-budget.mjs')]);

it('passes with the guides within 12,000 words in all', async () => {
  writeFileSync(join(root, 'docs', 'guide.md'), words(10_000));
  const { stdout } = await budget();
  expect(stdout).toContain('12000  guides in all  (limit 12000)');
});

it('fails with the counts printed when the guides pass 12,000 words in all', async () => {
  writeFileSync(join(root, 'docs', 'guide.md'), words(10_001));
  const failed = await budget().then(() => undefined, (error: { code: number; stdout: string; stderr: string }) => error);
  expect(failed?.code).toBe(1);
  expect(failed?.stdout).toContain('10001  docs/guide.md');
  expect(failed?.stdout).toContain('12001  guides in all  OVER 12000');
  expect(failed?.stderr).toContain('guides in all: 12001 words, over 12000');
});
