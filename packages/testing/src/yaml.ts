/**
 * Objects for test setup from multi-document YAML, read with the `yaml` library (YAML 1.2 core
 * schema, merge keys allowed), so the fake needs no Kubernetes client to load. Empty documents
 * (a stray `---`, comments only) are skipped. Objects are kept as written: timestamps stay
 * strings, fields are neither added nor dropped.
 *
 * A document that is not YAML, not a Kubernetes object, or whose aliases would expand past a
 * bound throws a `YamlDocumentError` at setup, with its position; the message never quotes the
 * document, which may be a Secret. Aliases are bounded twice: `yaml`'s own `maxAliasCount`, and
 * the number of nodes all aliases of a document add once expanded, counted on the parsed
 * document before anything is copied, so a "billion laughs" document is refused in
 * milliseconds instead of being expanded.
 */
import { LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import { type KubeObject } from '@capt-endpoint/core';
import { copyJsonValue } from '@capt-endpoint/core/json';
import { isRecord } from './json';

/** Why a YAML document was refused. */
export type YamlProblem = 'NotYaml' | 'TooManyAliases' | 'NotAKubernetesObject';

/** A YAML document refused at setup. The message names the place, never the document's text. */
export class YamlDocumentError extends Error {
  override readonly name = 'YamlDocumentError';

  constructor(
    readonly problem: YamlProblem,
    /** 1-based line, in the whole text, where the document starts. */
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** The bounds on aliases in one YAML document. */
export interface YamlLimits {
  /** `yaml`'s `maxAliasCount`: how often aliases may be resolved, weighted by what they hold. Default 100. */
  readonly maxAliasCount?: number;
  /** The most nodes (values of any kind) that all the aliases of a document may add once expanded. Default 100,000. */
  readonly maxAliasNodes?: number;
}

export const DEFAULT_YAML_LIMITS: Required<YamlLimits> = { maxAliasCount: 100, maxAliasNodes: 100_000 };

/** `yaml`'s error codes as words (`BAD_INDENT` -> `bad indent`): its messages may quote the text. */
const codeWords = (code: unknown): string => (typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code.toLowerCase().replace(/_/g, ' ') : 'not valid YAML');

interface Problem {
  readonly code: unknown;
  readonly pos: readonly [number, number];
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * The nodes a value holds once every shared reference (an alias) is expanded, less the nodes it
 * holds as written: what its aliases add. Counted over the parsed value with each object visited
 * once (a loop over an explicit stack: documents may nest thousands deep). `undefined` when an
 * object contains itself (an alias inside its own anchor), which no expansion could finish.
 */
const addedByAliases = (root: unknown): number | undefined => {
  if (!isObject(root)) return 0;
  const expanded = new Map<object, number>();
  const onPath = new Set<object>();
  const stack: Array<{ readonly node: object; entered: boolean }> = [{ node: root, entered: false }];
  // Each value in the document is one node: the root, and every item of every object or array
  // written once (an alias is one node where it stands).
  let written = 1;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (!frame.entered && expanded.has(frame.node)) {
      stack.pop();
      continue;
    }
    const children = Object.values(frame.node) as unknown[];
    if (!frame.entered) {
      frame.entered = true;
      onPath.add(frame.node);
      written += children.length;
      for (const child of children) {
        if (!isObject(child) || expanded.has(child)) continue;
        if (onPath.has(child)) return undefined;
        stack.push({ node: child, entered: false });
      }
      continue;
    }
    stack.pop();
    onPath.delete(frame.node);
    let size = 1;
    for (const child of children) size += isObject(child) ? (expanded.get(child) ?? 0) : 1;
    expanded.set(frame.node, size);
  }
  return (expanded.get(root) ?? 0) - written;
};

const isKubeObject = (value: unknown): value is KubeObject =>
  isRecord(value) &&
  typeof value['apiVersion'] === 'string' &&
  typeof value['kind'] === 'string' &&
  isRecord(value['metadata']) &&
  (typeof value['metadata']['name'] === 'string' || typeof value['metadata']['generateName'] === 'string');

/** `kubectl get -o yaml` of several objects prints one `v1 List`: its items are the objects. */
const itemsOf = (value: unknown): unknown[] =>
  isRecord(value) && value['apiVersion'] === 'v1' && value['kind'] === 'List' && Array.isArray(value['items'])
    ? value['items']
    : [value];

/** The document's value as plain JSON data (a tree: nothing shared), or why it cannot be one. */
const valueOf = (document: Document, line: number, at: (offset: number) => string, limits: Required<YamlLimits>): unknown => {
  // Warnings count too: an unknown tag or directive would otherwise be read as a plain string.
  const problem: Problem | undefined = document.errors[0] ?? document.warnings[0];
  if (problem) throw new YamlDocumentError('NotYaml', line, `YAML document at line ${line}: ${codeWords(problem.code)} at ${at(problem.pos[0])}`);
  let unresolved: number | undefined;
  visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) !== undefined) return undefined;
      unresolved = alias.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  if (unresolved !== undefined) throw new YamlDocumentError('NotYaml', line, `YAML document at line ${line}: an alias without its anchor at ${at(unresolved)}`);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    // Every alias has its anchor by now: a ReferenceError is `maxAliasCount` passed. No message
    // of the library's is passed on: some quote the document.
    if (error instanceof ReferenceError) throw tooManyAliases(line, `more alias resolutions than maxAliasCount (${limits.maxAliasCount})`);
    throw new YamlDocumentError('NotYaml', line, `YAML document at line ${line}: not valid YAML`);
  }
  const added = addedByAliases(value);
  if (added === undefined) throw tooManyAliases(line, 'an alias inside its own anchor');
  if (added > limits.maxAliasNodes) throw tooManyAliases(line, `its aliases would add more than ${limits.maxAliasNodes} nodes`);
  return copyJsonValue(value);
};

const tooManyAliases = (line: number, why: string): YamlDocumentError =>
  new YamlDocumentError('TooManyAliases', line, `YAML document at line ${line} is refused: ${why}`);

/**
 * The Kubernetes objects in a multi-document YAML text (a `v1 List` stands for its items),
 * read as YAML 1.2 with merge keys; empty and comment-only documents are skipped, and objects
 * are kept as written (timestamps stay strings). Throws a `YamlDocumentError` naming the line,
 * never quoting it, on a document that does not parse (`NotYaml`), is not an object with
 * `apiVersion`, `kind` and `metadata.name` (`NotAKubernetesObject`), or whose aliases pass
 * `limits` or sit inside their own anchor (`TooManyAliases`, judged before anything is expanded
 * or copied): a 644-byte "billion laughs" document is refused in milliseconds.
 */
export const objectsFromYaml = (text: string, limits: YamlLimits = {}): KubeObject[] => {
  const bounds = { ...DEFAULT_YAML_LIMITS, ...limits };
  const lineCounter = new LineCounter();
  let documents: Array<Document.Parsed>;
  try {
    documents = parseAllDocuments(text, { lineCounter, merge: true, prettyErrors: false }) as Array<Document.Parsed>;
  } catch {
    // The parser throws only on input it cannot handle at all (e.g. nesting that overflows the stack).
    throw new YamlDocumentError('NotYaml', 1, 'YAML document at line 1: not valid YAML');
  }
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  return documents.flatMap((document) => {
    const line = lineOf(document.contents?.range[0] ?? document.range[0]);
    const value = valueOf(document, line, at, bounds);
    // An empty document (a stray `---`, comments only) is null.
    if (value === null || value === undefined) return [];
    return itemsOf(value).map((value) => {
      if (!isKubeObject(value))
        throw new YamlDocumentError(
          'NotAKubernetesObject',
          line,
          `YAML document at line ${line} is not a Kubernetes object: it needs apiVersion, kind and metadata.name`,
        );
      return value;
    });
  });
};
