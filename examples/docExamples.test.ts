// The `@example` blocks in core's TSDoc are code: each one is extracted from packages/core/src,
// put in a module of its own and type-checked with the repository's compiler options, so an
// example cannot drift from the API it documents. Every exported function of core has one
// (parseEndpoint's module is documented in docs/endpoint-grammar.md instead).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const REPO = join(__dirname, '..');
const CORE = join(REPO, 'packages', 'core', 'src');

interface DocExample {
  readonly file: string;
  /** The exported name the comment documents. */
  readonly name: string;
  readonly code: string;
}

/** The ```ts blocks after `@example` in the doc comment right above each `export const`. */
const examplesOf = (file: string): { examples: DocExample[]; functions: string[] } => {
  const text = readFileSync(join(CORE, file), 'utf8');
  const examples: DocExample[] = [];
  const functions: string[] = [];
  for (const match of text.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)?\s*\nexport const (\w+)\s*=\s*(\(|<|\n\s*\(|\n\s*<)/g)) {
    const [, comment = '', name = ''] = match;
    functions.push(name);
    const body = comment.split('\n').map((line) => line.replace(/^\s*\*( |$)/, '')).join('\n');
    for (const block of body.matchAll(/@example\s*\n```ts\n([\s\S]*?)\n```/g)) examples.push({ file, name, code: block[1] ?? '' });
  }
  return { examples, functions };
};

// The modules the package's entries (index.ts, adapter.ts, json.ts) export from, and the names they export;
// internal helpers need no example.
const entries = ['index.ts', 'adapter.ts', 'json.ts'].map((entry) => readFileSync(join(CORE, entry), 'utf8'));
const sources = [...new Set(entries.flatMap((text) => [...text.matchAll(/from '\.\/(\w+)';$/gm)].map((m) => `${m[1]}.ts`)))];
const exported = new Set(entries.flatMap((text) => [...text.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) => (m[1] ?? '').split(',').map((name) => name.replace(/^\s*type\s+/, '').trim()))));
const found = sources.map((file) => {
  const { examples, functions } = examplesOf(file);
  return { file, examples, functions: functions.filter((name) => exported.has(name)) };
});
const examples = found.flatMap((f) => f.examples);

describe("core's @example blocks", () => {
  it('exist for every exported function of core', () => {
    const missing = found
      .filter((f) => f.file !== 'parseEndpoint.ts')
      .flatMap((f) => f.functions.filter((name) => !f.examples.some((e) => e.name === name)).map((name) => `${f.file}: ${name}`));
    expect(missing).toEqual([]);
    expect(examples.length).toBeGreaterThanOrEqual(20);
  });

  it('type-check against the sources', () => {
    const config = ts.readConfigFile(join(REPO, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO);
    const virtual = new Map(examples.map((e, i) => [join(REPO, 'examples', `__doc_example_${i}_${e.name}.ts`), `${e.code}\nexport {};\n`]));
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (fileName, language, ...rest) => {
      const text = virtual.get(fileName);
      return text === undefined ? getSourceFile.call(host, fileName, language, ...rest) : ts.createSourceFile(fileName, text, language);
    };
    host.fileExists = (fileName) => virtual.has(fileName) || fileExists.call(host, fileName);
    host.readFile = (fileName) => virtual.get(fileName) ?? readFile.call(host, fileName);
    const program = ts.createProgram([...virtual.keys()], { ...options, noEmit: true }, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && virtual.has(d.file.fileName))
      .map((d) => `${d.file?.fileName.split('__doc_example_')[1]}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
  });
});
