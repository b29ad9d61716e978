// The example objects in the README, docs/ and the packages' READMEs are what users copy: each
// one (in a ```yaml block, or seeded into the fake in a ```ts block) must be accepted by the
// shipped CRD schemas, as a real API server with those CRDs would accept it; and the examples
// that run on the fake alone run, with the fake enforcing those schemas.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assertStrict from 'node:assert/strict';
import * as Either from 'fp-ts/lib/Either.js';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import * as core from '@capt-endpoint/core';
import type { KubeObject } from '@capt-endpoint/core';
import * as testing from '@capt-endpoint/testing';
import { captEndpointCrds, ObjectStore } from '@capt-endpoint/testing';

const REPO = join(__dirname, '..');
const markdown = [
  'README.md',
  ...readdirSync(join(REPO, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`),
  ...readdirSync(join(REPO, 'packages')).map((dir) => `packages/${dir}/README.md`),
].filter((file) => {
  try {
    readFileSync(join(REPO, file));
    return true;
  } catch {
    return false;
  }
});

const kinds = new Set(captEndpointCrds.map((crd) => crd.spec.names.kind));

/** The YAML a document shows as objects: ```yaml blocks, and the text seeded into createFakeClient in ```ts blocks. */
const yamlOf = (text: string): string[] => [
  ...[...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1]!),
  ...[...text.matchAll(/```ts\n([\s\S]*?)```/g)].flatMap((m) => [...m[1]!.matchAll(/createFakeClient\(`([\s\S]*?)`/g)].map((c) => c[1]!)),
];

const examples = markdown.flatMap((file) =>
  yamlOf(readFileSync(join(REPO, file), 'utf8')).flatMap((text, block) =>
    parseAllDocuments(text)
      .map((document) => document.toJS() as unknown)
      .filter((object): object is KubeObject => typeof object === 'object' && object !== null && kinds.has(String((object as { kind?: unknown }).kind)))
      .map((object) => ({ where: `${file} (block ${block + 1}): ${object.kind} ${object.metadata?.name ?? ''}`, object })),
  ),
);

describe('the example objects of the docs', () => {
  it('include the README\'s', () => {
    expect(examples.filter((e) => e.where.startsWith('README.md')).length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((e) => [e.where, e.object] as const))('%s is accepted by the shipped CRD schemas', (_, object) => {
    expect(() => new ObjectStore([object], { crds: captEndpointCrds })).not.toThrow();
  });
});

// The ```ts examples that run on the fake alone (no cluster, no client-node), run here with the
// fake enforcing the shipped CRD schemas: `createFakeClient` is given `captEndpointCrds`.
const runnable = markdown.flatMap((file) =>
  [...readFileSync(join(REPO, file), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m, block) => ({ where: `${file} (ts block ${block + 1})`, code: m[1]! }))
    .filter(({ code }) => code.includes('createFakeClient(') && /^import /m.test(code) && !code.includes('@kubernetes/client-node') && !code.includes('startFakeApiServer')),
);

/** The modules an example imports, with the fake turned strict; jest's own globals for test-shaped examples. */
const modules: Record<string, unknown> = {
  'node:assert/strict': assertStrict,
  'fp-ts/lib/Either.js': Either,
  '@capt-endpoint/core': core,
  '@capt-endpoint/testing': { ...testing, createFakeClient: (objects: Parameters<typeof testing.createFakeClient>[0], options: Parameters<typeof testing.createFakeClient>[1] = {}) => testing.createFakeClient(objects, { ...options, crds: captEndpointCrds }) },
};

describe('the ```ts examples that run on the fake', () => {
  it('include the README\'s', () => {
    expect(runnable.some((r) => r.where.startsWith('README.md'))).toBe(true);
  });

  it.each(runnable.map((r) => [r.where, r.code] as const))('%s runs with the CRD schemas enforced', async (_, code) => {
    const { outputText } = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
    const pending: Array<Promise<unknown>> = [];
    const asTest = (_name: string, body: () => unknown): void => void pending.push(Promise.resolve(body()));
    const requireShim = (name: string): unknown => {
      if (!(name in modules)) throw new Error(`the example imports ${name}, which this test does not provide`);
      return modules[name];
    };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<unknown>;
    await new AsyncFunction('require', 'exports', 'it', 'test', 'expect', outputText)(requireShim, {}, asTest, asTest, expect);
    await Promise.all(pending);
  });
});
