// Checks that every relative link in the Markdown under docs/, the READMEs and the packages'
// READMEs points at a file that exists (anchors are not checked). Links to the web are left
// alone: the tests run without a network.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const markdownUnder = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'api' ? [] : markdownUnder(path);
    return name.endsWith('.md') ? [path] : [];
  });

const files = [
  ...markdownUnder(join(root, 'docs')),
  join(root, 'README.md'),
  ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name, 'README.md')).filter((path) => existsSync(path)),
];

const broken = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    const path = decodeURIComponent(target.split('#')[0] ?? '');
    if (!existsSync(join(dirname(file), path))) broken.push(`${relative(root, file)}: ${target}`);
  }
}
for (const link of broken) console.error(`broken link: ${link}`);
console.log(`link check: ${files.length} files, ${broken.length} broken links`);
process.exit(broken.length === 0 ? 0 : 1);
