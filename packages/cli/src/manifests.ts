/**
 * Manifests from files: each file read as UTF-8 and split into Kubernetes objects with the
 * testing package's YAML loader (the `yaml` library underneath, aliases bounded; loaded on
 * first use). An unreadable file or
 * a bad document is one line naming the file and the place, never the document's content.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '@capt-endpoint/core';

export interface ManifestError {
  readonly _tag: 'ManifestError';
  readonly message: string;
}

const manifestError = (message: string): ManifestError => ({ _tag: 'ManifestError', message });

/** Node's errors name the path and the system code; keep that, drop the stack. */
const readProblem = (error: unknown): string => {
  const code = (error as { code?: unknown }).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : typeof code === 'string' ? code : 'cannot be read';
};

export type ReadText = (path: string) => Promise<string>;

export const readTextFile: ReadText = (path) => readFile(path, 'utf8');

const isYamlName = (name: string): boolean => name.endsWith('.yaml') || name.endsWith('.yml');

/** A directory stands for its YAML files (not its subdirectories), as with `kubectl apply -f DIR`. */
const expand = async (file: string): Promise<readonly string[]> => {
  if (file === '-') return [file];
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) return [file];
  return (await readdir(file)).filter(isYamlName).sort().map((name) => join(file, name));
};

/**
 * The objects of every file, in order, for `explain -f`: files, directories (their `*.yaml` and
 * `*.yml`, not recursive) and `-` for standard input; a `v1 List` (what `kubectl get -o yaml`
 * prints) is read item by item. A later file's object replaces an earlier version of it whole,
 * as its newer state; `metadata.managedFields` are kept, so `explain` names who else writes.
 */
export const loadManifests = async (files: readonly string[], read: ReadText = readTextFile): Promise<E.Either<ManifestError, KubeObject[]>> => {
  // The testing package's loader, loaded on first use (only explain and demo read manifests).
  const { objectsFromYaml } = await import('@capt-endpoint/testing');
  const objects: KubeObject[] = [];
  const expanded = (await Promise.all(files.map(expand))).flat();
  if (expanded.length === 0) return E.left(manifestError(`${files.join(', ')}: no .yaml files`));
  for (const file of expanded) {
    let text: string;
    try {
      text = await read(file);
    } catch (error) {
      return E.left(manifestError(`${file}: ${readProblem(error)}`));
    }
    const parsed = objectsOfText(file, text, objectsFromYaml);
    if (E.isLeft(parsed)) return parsed;
    objects.push(...parsed.right);
  }
  return E.right(objects);
};

/** Reads the documents of a YAML text: the testing package's `objectsFromYaml`, once loaded. */
export type YamlLoader = (text: string) => KubeObject[];

/** The objects of one file's text; `name` names the file in the error. */
export const objectsOfText = (name: string, text: string, objectsFromYaml: YamlLoader): E.Either<ManifestError, KubeObject[]> => {
  try {
    return E.right(objectsFromYaml(text));
  } catch (error) {
    return E.left(manifestError(`${name}: ${error instanceof Error ? error.message : 'not valid YAML'}`));
  }
};
