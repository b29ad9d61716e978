/**
 * Objects for test setup from multi-document YAML, read with client-node's own loader
 * (`loadAllYaml`). Empty documents (a stray `---`, comments only) are skipped. A document that
 * is not YAML or not a Kubernetes object throws at setup with its position; the message never
 * quotes the document, which may be a Secret.
 *
 * client-node types the kinds it knows (a Secret becomes a V1Secret): fields its model lacks
 * are dropped and timestamps come back with milliseconds. Custom resources are kept as written.
 */
import { loadAllYaml } from '@kubernetes/client-node';
import type { KubeObject } from '@capt-endpoint/core';
import { isRecord, toJson } from './json';

interface Document {
  readonly text: string;
  /** 1-based line, in the whole text, where the document's content starts. */
  readonly line: number;
}

// `loadAllYaml` fails on an empty document, so split at document markers first (a `---` or
// `...` at column 0 always ends a YAML document, even inside a block scalar).
const documentsOf = (text: string): Document[] => {
  const documents: Array<{ lines: string[]; line: number }> = [{ lines: [], line: 1 }];
  text.split(/\r?\n/).forEach((line, index) => {
    const start = /^---(?:\s+(.*))?$/.exec(line);
    if (start) documents.push(start[1] ? { lines: [start[1]], line: index + 1 } : { lines: [], line: index + 2 });
    else if (/^\.\.\.\s*$/.test(line)) documents.push({ lines: [], line: index + 2 });
    else documents[documents.length - 1]?.lines.push(line);
  });
  return documents.map((d) => ({ text: d.lines.join('\n'), line: d.line }));
};

const isBlank = (text: string): boolean => text.split('\n').every((line) => /^\s*(#.*)?$/.test(line));

/**
 * js-yaml's reason, cut before anything it quotes from the document: some reasons name a tag, an
 * alias or a directive as written (`unidentified alias "hunter2"` for an unquoted `*hunter2`).
 */
const reasonWords = (reason: string): string => reason.split(/["!]|: /, 1)[0]?.trim() || 'not valid YAML';

const yamlProblem = (error: unknown, firstLine: number): string => {
  const e = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown } };
  if (typeof e?.reason === 'string' && typeof e.mark?.line === 'number' && typeof e.mark.column === 'number')
    return `${reasonWords(e.reason)} at line ${firstLine + e.mark.line}, column ${e.mark.column + 1}`;
  return 'not valid YAML';
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

/** The Kubernetes objects in a multi-document YAML text (a `v1 List` stands for its items). Throws on a document that is not one. */
export const objectsFromYaml = (text: string): KubeObject[] =>
  documentsOf(text)
    .filter((document) => !isBlank(document.text))
    .flatMap((document) => {
      let values: unknown[];
      try {
        values = loadAllYaml(document.text) as unknown[];
      } catch (error) {
        throw new Error(`YAML document at line ${document.line}: ${yamlProblem(error, document.line)}`);
      }
      return values.flatMap(itemsOf).map((value) => {
        if (!isKubeObject(value))
          throw new Error(`YAML document at line ${document.line} is not a Kubernetes object: it needs apiVersion, kind and metadata.name`);
        return toJson(value);
      });
    });
