/**
 * Label and field selectors, as the API server reads them from a list or watch request:
 * labels: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`;
 * fields: `f=v`, `f==v`, `f!=v` on `metadata.name`, `metadata.namespace` and the few fields the
 * API server indexes for a kind (a Secret's `type`, a core Event's `involvedObject.*`, `reason`,
 * `type`, `source`). Requirements are joined by commas and must all hold. A selector that does
 * not parse, or names a field the kind does not support, is 400 BadRequest, as on a real server.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ApiError, KubeObject } from '@capt-endpoint/core';
import { badRequest } from './apiErrors';

/** Whether an object is selected. */
export type Selector = (object: KubeObject) => boolean;

const everything: Selector = () => true;

/** Splits at the commas that are not inside a `( ... )` value set. */
const requirementsOf = (text: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
};

const all =
  (selectors: readonly Selector[]): Selector =>
  (object) =>
    selectors.every((selector) => selector(object));

/** Parses each requirement with `parse`; the first one that does not parse fails the selector. */
const parseAll = (text: string, parse: (requirement: string) => Selector | string): E.Either<ApiError, Selector> => {
  const selectors: Selector[] = [];
  for (const requirement of requirementsOf(text)) {
    const parsed = parse(requirement);
    if (typeof parsed === 'string') return E.left(badRequest(parsed));
    selectors.push(parsed);
  }
  return E.right(all(selectors));
};

const labelKey = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const labelPatterns = {
  exists: new RegExp(`^(${labelKey})$`),
  absent: new RegExp(`^!\\s*(${labelKey})$`),
  compare: new RegExp(`^(${labelKey})\\s*(==|!=|=)\\s*([-A-Za-z0-9_.]*)$`),
  set: new RegExp(`^(${labelKey})\\s+(in|notin)\\s*\\(([^()]*)\\)$`),
};

const labelsOf = (object: KubeObject): Record<string, string> => object.metadata.labels ?? {};

const labelRequirement = (requirement: string): Selector | string => {
  const exists = labelPatterns.exists.exec(requirement);
  if (exists) return (o) => exists[1]! in labelsOf(o);
  const absent = labelPatterns.absent.exec(requirement);
  if (absent) return (o) => !(absent[1]! in labelsOf(o));
  const compare = labelPatterns.compare.exec(requirement);
  if (compare) {
    const [, key, operator, value] = compare as unknown as [string, string, string, string];
    return operator === '!=' ? (o) => labelsOf(o)[key] !== value : (o) => labelsOf(o)[key] === value;
  }
  const set = labelPatterns.set.exec(requirement);
  if (set) {
    const [, key, operator, list] = set as unknown as [string, string, string, string];
    const values = list.split(',').map((v) => v.trim());
    return operator === 'in'
      ? (o) => values.includes(labelsOf(o)[key] ?? '\u0000absent')
      : (o) => !values.includes(labelsOf(o)[key] ?? '\u0000absent');
  }
  return `unable to parse label selector requirement: ${JSON.stringify(requirement.slice(0, 80))}`;
};

const at =
  (...path: string[]) =>
  (object: KubeObject): string => {
    let value: unknown = object;
    for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    // A field path names a string, number or boolean; anything else is read in its string form, as before.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    return value === undefined || value === null ? '' : String(value);
  };

const commonFields: Readonly<Record<string, (object: KubeObject) => string>> = {
  'metadata.name': at('metadata', 'name'),
  'metadata.namespace': at('metadata', 'namespace'),
};

const involvedObject = Object.fromEntries(
  ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [`involvedObject.${f}`, at('involvedObject', f)]),
);

/** The extra fields the API server indexes, by `apiVersion/kind`. */
const kindFields: Readonly<Record<string, Readonly<Record<string, (object: KubeObject) => string>>>> = {
  'v1/Secret': { type: at('type') },
  'v1/Event': { ...involvedObject, reason: at('reason'), type: at('type'), source: at('source', 'component'), reportingComponent: at('reportingComponent') },
};

const fieldRequirement =
  (fields: Readonly<Record<string, (object: KubeObject) => string>>) =>
  (requirement: string): Selector | string => {
    const compare = /^([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)$/.exec(requirement);
    if (!compare) return `invalid field selector requirement: ${JSON.stringify(requirement.slice(0, 80))}`;
    const [, field, operator, value] = compare as unknown as [string, string, string, string];
    const read = fields[field];
    if (!read) return `field label not supported: ${field}`;
    return operator === '!=' ? (o) => read(o) !== value : (o) => read(o) === value;
  };

/** The selector of a list or watch request's `labelSelector` and `fieldSelector` parameters. */
export const selectorOf = (
  query: Readonly<Record<string, string>>,
  apiVersion: string,
  kind: string,
): E.Either<ApiError, Selector> => {
  const labels = query['labelSelector'] ? parseAll(query['labelSelector'], labelRequirement) : E.right(everything);
  const fields = query['fieldSelector']
    ? parseAll(query['fieldSelector'], fieldRequirement({ ...commonFields, ...kindFields[`${apiVersion}/${kind}`] }))
    : E.right(everything);
  if (E.isLeft(labels)) return labels;
  if (E.isLeft(fields)) return fields;
  return E.right(all([labels.right, fields.right]));
};
