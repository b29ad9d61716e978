// The docs' word budget (issue 26): prints the word counts and fails when an ADR passes 400
// words, the README 1,200, docs/benchmarks.md 2,500 or the guides (docs/*.md, ADRs aside)
// 12,000 in all. Words are counted as `wc -w` counts them: runs of non-space characters.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LIMITS = { adr: 400, readme: 1200, benchmarks: 2500, guides: 12000 };

const wordsIn = (path) => readFileSync(join(root, path), 'utf8').split(/\s+/).filter((word) => word !== '').length;
const markdownIn = (dir) => readdirSync(join(root, dir)).filter((name) => name.endsWith('.md')).sort().map((name) => `${dir}/${name}`);

const over = [];
const line = (path, words, limit) => {
  const past = limit !== undefined && words > limit;
  if (past) over.push(`${path}: ${words} words, over ${limit}`);
  const mark = limit === undefined ? '' : past ? `  OVER ${limit}` : `  (limit ${limit})`;
  console.log(`${String(words).padStart(6)}  ${path}${mark}`);
};

const guides = markdownIn('docs');
const guideWords = guides.map((path) => [path, wordsIn(path)]);
console.log('guides:');
for (const [path, words] of guideWords) line(path, words, path === 'docs/benchmarks.md' ? LIMITS.benchmarks : undefined);
line('guides in all', guideWords.reduce((sum, [, words]) => sum + words, 0), LIMITS.guides);
line('README.md', wordsIn('README.md'), LIMITS.readme);
console.log('ADRs:');
for (const path of markdownIn('docs/adr')) line(path, wordsIn(path), LIMITS.adr);

if (over.length > 0) {
  console.error(`doc budget: ${over.length} over:\n${over.map((entry) => `  ${entry}`).join('\n')}`);
  process.exit(1);
}
console.log('doc budget: within limits');
