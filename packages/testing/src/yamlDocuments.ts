/**
 * The documents of a multi-document YAML text as plain JSON values, read with the `yaml`
 * library: empty documents are skipped, a `v1 List` stands for its items, aliases are bounded.
 * An error names the document's position and the parser's reason, never the document's text.
 */
import { parseAllDocuments } from 'yaml';
import { isRecord } from './json';

/** Alias expansions allowed per document: a "billion laughs" text fails instead of filling memory. */
const MAX_ALIAS_COUNT = 100;

const itemsOf = (value: unknown): unknown[] =>
  isRecord(value) && value['apiVersion'] === 'v1' && value['kind'] === 'List' && Array.isArray(value['items']) ? value['items'] : [value];

export const objectsFromYamlText = (text: string): unknown[] =>
  parseAllDocuments(text).flatMap((document, index) => {
    if ('errors' in document && document.errors.length > 0) {
      const first = document.errors[0];
      const line = first?.linePos?.[0]?.line;
      throw new Error(`YAML document ${index + 1}${line ? ` at line ${line}` : ''}: ${first?.code ?? 'not valid YAML'}`);
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      throw new Error(`YAML document ${index + 1}: too many aliases or not plain data`);
    }
    return value === null || value === undefined ? [] : itemsOf(value);
  });
