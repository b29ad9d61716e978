import { createFakeClient, objectsFromYaml, YamlDocumentError } from '@capt-endpoint/testing';
import { toJson } from '../src/json';
import { billionLaughs } from './fixtures';

const secretYaml = (body: string): string => `apiVersion: v1\nkind: Secret\nmetadata: {name: conn, namespace: default}\n${body}\n`;

const refusal = (attempt: () => unknown): YamlDocumentError => {
  try {
    attempt();
  } catch (error) {
    if (error instanceof YamlDocumentError) return error;
    throw error;
  }
  throw new Error('expected a YamlDocumentError, got objects');
};

describe('YAML aliases', () => {
  it('refuses a 644-byte billion laughs document at once, through createFakeClient, with a typed error', () => {
    expect(Buffer.byteLength(billionLaughs)).toBe(644);
    const started = performance.now();
    const error = refusal(() => createFakeClient(billionLaughs));
    // Expanding it takes minutes and gigabytes; the refusal must come before any expansion.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.problem).toBe('TooManyAliases');
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^YAML document at line 2 is refused: /);
    expect(error.message).not.toMatch(/lol/);
  });

  it('refuses a large anchor repeated by aliases, though each alias resolves only once', () => {
    // 60 aliases of a 2,000-item list: yaml's maxAliasCount lets it through, the node budget does not.
    const items = Array.from({ length: 2_000 }, (_, i) => `x${i}`).join(', ');
    const aliases = Array.from({ length: 60 }, (_, i) => `  k${i}: *big`).join('\n');
    const error = refusal(() => objectsFromYaml(secretYaml(`stringData:\n  big: &big [${items}]\n${aliases}`)));
    expect(error.problem).toBe('TooManyAliases');
    expect(error.message).toMatch(/would add more than 100000 nodes/);
    // The same document is read under a higher bound, every alias expanded into its own copy.
    const [object] = objectsFromYaml(secretYaml(`stringData:\n  big: &big [${items}]\n${aliases}`), { maxAliasNodes: 150_000 });
    const data = object!['stringData'] as Record<string, string[]>;
    expect(data['k59']).toHaveLength(2_000);
    expect(data['k59']).not.toBe(data['big']);
  });

  it('refuses an alias inside its own anchor instead of looping', () => {
    const error = refusal(() => objectsFromYaml(secretYaml('stringData: &loop {self: *loop}')));
    expect(error.problem).toBe('TooManyAliases');
    expect(error.message).toMatch(/an alias inside its own anchor/);
  });

  it('reads ordinary anchors, aliases and merge keys, each alias a copy of its own', () => {
    const [object] = objectsFromYaml(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: &l {team: c}\n  annotations: *l\ndata:\n  <<: {x: "1"}\n  y: "2"\n',
    );
    expect(object!.metadata.annotations).toEqual({ team: 'c' });
    expect(object!.metadata.annotations).not.toBe(object!.metadata.labels);
    expect(object!['data']).toEqual({ x: '1', y: '2' });
  });

  it('reaches an anchor only within its own document, as YAML does', () => {
    const error = refusal(() => objectsFromYaml('apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: *m\n'));
    expect(error.message).toBe('YAML document at line 5: an alias without its anchor at line 7, column 11');
  });

  it('keeps values as written: timestamps stay strings and a __proto__ key stays data', () => {
    const [object] = objectsFromYaml(secretYaml('metadataCopy: {creationTimestamp: 2026-01-02T03:04:05Z}\ndata: {__proto__: {polluted: "yes"}}'));
    expect(object!['metadataCopy']).toEqual({ creationTimestamp: '2026-01-02T03:04:05Z' });
    const data = object!['data'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('names the place of an alias without its anchor, not the alias', () => {
    const error = refusal(() => objectsFromYaml(secretYaml('data: {password: *hunter2}')));
    expect(error.problem).toBe('NotYaml');
    expect(error.message).toBe('YAML document at line 1: an alias without its anchor at line 4, column 18');
  });

  it('types a document that is not an object', () => {
    expect(refusal(() => objectsFromYaml('- 1\n')).problem).toBe('NotAKubernetesObject');
  });
});

describe('toJson', () => {
  it('builds what JSON.stringify and JSON.parse would', () => {
    const when = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const value = { when, gone: undefined, f: () => 1, list: [undefined, NaN, 1, new String('s')], nested: { toJSON: () => 'custom' } };
    expect(toJson(value)).toEqual(JSON.parse(JSON.stringify(value)));
    expect(toJson(value)).toEqual({ when: '2026-01-02T03:04:05.000Z', list: [null, null, 1, 's'], nested: 'custom' });
  });

  it('copies a shared object into each place, and throws on one that contains itself', () => {
    const shared = { a: 1 };
    const copied = toJson({ x: shared, y: shared });
    expect(copied.x).toEqual({ a: 1 });
    expect(copied.x).not.toBe(copied.y);
    const loop: Record<string, unknown> = {};
    loop['self'] = { back: loop };
    expect(() => toJson(loop)).toThrow(TypeError);
  });

  it('handles nesting 20,000 deep, which JSON.stringify cannot', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    let copied = toJson(deep);
    let depth = 0;
    while (copied['d'] !== undefined) {
      copied = copied['d'] as Record<string, unknown>;
      depth++;
    }
    expect(depth).toBe(20_000);
    expect(copied).toEqual({ leaf: true });
  });

  it('keeps a __proto__ key as data', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes"}}') as Record<string, unknown>;
    const copied = toJson(input);
    expect(Object.keys(copied)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
  });
});
