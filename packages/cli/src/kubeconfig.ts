/**
 * Which cluster a live command talks to: a KubeConfig from --kubeconfig, or $KUBECONFIG, or
 * client-node's defaults (~/.kube/config, then the in-cluster service account), with --context
 * applied. Failures are one line; client-node's exceptions never reach the user.
 */
import { delimiter } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeConfigProblem } from '@capt-endpoint/kubernetes';
import type { Connection } from './args';

export interface KubeConfigError {
  readonly _tag: 'KubeConfigError';
  readonly message: string;
}

const kubeConfigError = (message: string): KubeConfigError => ({ _tag: 'KubeConfigError', message });

/** client-node's own complaints about a missing field: they name the field, never a value. */
const MISSING_FIELD = /^(clusters|users|contexts)\[\d+\](\.[a-z]+)+ is missing$/;

/**
 * What is wrong with the file, in words that never quote it: a kubeconfig holds tokens and
 * passwords, and a YAML parser's message quotes the text around the error.
 */
const problem = (error: unknown): string => {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  const mark = (error as { mark?: { line?: unknown; column?: unknown } }).mark;
  if (error instanceof Error && error.name === 'YAMLException')
    return typeof mark?.line === 'number' && typeof mark.column === 'number'
      ? `not valid YAML (line ${mark.line + 1}, column ${mark.column + 1})`
      : 'not valid YAML';
  if (error instanceof Error && MISSING_FIELD.test(error.message)) return error.message;
  return `cannot be loaded (${error instanceof Error ? error.name : typeof error})`;
};

export const loadKubeConfig = (connection: Connection, env: Readonly<Record<string, string | undefined>>): E.Either<KubeConfigError, KubeConfig> => {
  const kubeConfig = new KubeConfig();
  const fromEnv = env['KUBECONFIG'];
  // One file named on the command line or in the given environment; otherwise client-node's own search.
  const path = connection.kubeconfig ?? (fromEnv !== undefined && fromEnv !== '' && !fromEnv.includes(delimiter) ? fromEnv : undefined);
  try {
    if (path !== undefined) kubeConfig.loadFromFile(path);
    else kubeConfig.loadFromDefault();
  } catch (error) {
    return E.left(kubeConfigError(`kubeconfig ${path ?? '(default)'}: ${problem(error)}`));
  }
  if (connection.context !== undefined) {
    if (kubeConfig.getContextObject(connection.context) === null) {
      return E.left(kubeConfigError(`kubeconfig ${path ?? '(default)'} has no context "${connection.context}"`));
    }
    kubeConfig.setCurrentContext(connection.context);
  }
  if (kubeConfig.getCurrentCluster() === null) {
    return E.left(kubeConfigError(`kubeconfig ${path ?? '(default)'}: the current context names no cluster`));
  }
  // Found nothing, or a server that cannot be reached as written: say so now, not on every retry.
  const unusable = kubeConfigProblem(kubeConfig);
  return unusable === undefined ? E.right(kubeConfig) : E.left(kubeConfigError(`kubeconfig ${path ?? '(default)'}: ${unusable.message}`));
};
