/**
 * The options every command shares (`--output-key`, `--default-port`, ...), turned from flag
 * strings into core's `ReconcileOptions`. A flag with an unusable value is a `UsageError`, so the
 * user hears about it before anything is read.
 */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as A from 'fp-ts/lib/Array.js';
import {
  isEndpointRange,
  ENDPOINT_RANGES,
  type EndpointRange,
  WORKSPACE_API_VERSIONS,
  type EndpointChangePolicy,
  type OutputKey,
  type ReconcileOptions,
  type WorkspaceApiVersion,
} from '@capt-endpoint/core';
import { isDnsLabel, quoteValue } from '@capt-endpoint/core/adapter';
import { usageError, type UsageError } from './usage';

/** The raw values of the shared flags, as `util.parseArgs` returns them. */
export interface CommonFlags {
  readonly 'workspace-api-version'?: string | undefined;
  readonly 'output-key'?: readonly string[] | undefined;
  readonly 'default-port'?: string | undefined;
  readonly 'on-endpoint-change'?: string | undefined;
  readonly 'no-update-cluster'?: boolean | undefined;
  readonly 'allow-secret-namespace'?: readonly string[] | undefined;
  readonly 'allow-endpoint-range'?: readonly string[] | undefined;
}

/** The shared flags' definitions, for `util.parseArgs`. */
export const commonFlagDefinitions = {
  'workspace-api-version': { type: 'string' },
  'output-key': { type: 'string', multiple: true },
  'default-port': { type: 'string' },
  'on-endpoint-change': { type: 'string' },
  'no-update-cluster': { type: 'boolean' },
  'allow-secret-namespace': { type: 'string', multiple: true },
  'allow-endpoint-range': { type: 'string', multiple: true },
} as const;

/** The options a command passes to `reconcileEndpoint`, as far as flags decide them. */
export type CommonSettings = Pick<
  ReconcileOptions,
  'workspaceApiVersion' | 'outputKeys' | 'defaultPort' | 'onEndpointChange' | 'updateCluster' | 'allowSecretNamespaces' | 'allowEndpointRanges'
>;

/** `cluster_endpoint` names one output; `host+port` names a pair (`host+` is not allowed: drop the `+`). */
export const parseOutputKey = (text: string): E.Either<UsageError, OutputKey> => {
  const plus = text.indexOf('+');
  if (plus < 0) return text === '' ? E.left(usageError('--output-key needs a name')) : E.right(text);
  const host = text.slice(0, plus);
  const port = text.slice(plus + 1);
  return host === '' || port === '' || port.includes('+')
    ? E.left(usageError(`--output-key "${text}" is not NAME or HOST+PORT`))
    : E.right({ host, port });
};

export const parsePort = (flag: string, text: string): E.Either<UsageError, number> =>
  /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535
    ? E.right(Number(text))
    : E.left(usageError(`${flag} must be a port number from 1 to 65535, not "${text}"`));

const oneOf = <A extends string>(flag: string, allowed: readonly A[], text: string): E.Either<UsageError, A> =>
  (allowed as readonly string[]).includes(text)
    ? E.right(text as A)
    : E.left(usageError(`${flag} must be one of ${allowed.join(', ')}, not "${text}"`));

const optional = <A>(text: string | undefined, parse: (text: string) => E.Either<UsageError, A>): E.Either<UsageError, A | undefined> =>
  text === undefined ? E.right(undefined) : parse(text);

export const commonSettings = (flags: CommonFlags): E.Either<UsageError, CommonSettings> =>
  pipe(
    E.Do,
    E.bind('workspaceApiVersion', () =>
      optional(flags['workspace-api-version'], (text) => oneOf<WorkspaceApiVersion>('--workspace-api-version', WORKSPACE_API_VERSIONS, text)),
    ),
    E.bind('outputKeys', () =>
      flags['output-key'] === undefined ? E.right(undefined) : A.traverse(E.Applicative)(parseOutputKey)([...flags['output-key']]),
    ),
    E.bind('defaultPort', () => optional(flags['default-port'], (text) => parsePort('--default-port', text))),
    E.bind('onEndpointChange', () =>
      optional(flags['on-endpoint-change'], (text) => oneOf<EndpointChangePolicy>('--on-endpoint-change', ['keep', 'update'], text)),
    ),
    E.bind('allowSecretNamespaces', () => parseAllowedSecretNamespaces(flags['allow-secret-namespace'])),
    E.bind('allowEndpointRanges', () => parseAllowedEndpointRanges(flags['allow-endpoint-range'])),
    E.map((parsed) => ({ ...parsed, updateCluster: flags['no-update-cluster'] === true ? false : undefined })),
  );

/** Named ranges the endpoint policy lets through, repeated or comma-separated: `loopback,link-local`. */
const parseAllowedEndpointRanges = (values: readonly string[] | undefined): E.Either<UsageError, readonly EndpointRange[] | undefined> => {
  if (values === undefined) return E.right(undefined);
  const ranges = values.flatMap((value) => value.split(',')).map((value) => value.trim());
  const bad = ranges.find((range) => !isEndpointRange(range));
  return bad === undefined
    ? E.right(ranges.filter(isEndpointRange))
    : E.left(usageError(`--allow-endpoint-range must be one of ${ENDPOINT_RANGES.join(', ')}, not ${quoteValue(bad)}`));
};

/** `*` for any namespace, else namespace names: a namespace becomes a path, so it must be a DNS label. */
const parseAllowedSecretNamespaces = (namespaces: readonly string[] | undefined): E.Either<UsageError, readonly string[] | 'any' | undefined> => {
  if (namespaces === undefined) return E.right(undefined);
  if (namespaces.includes('*')) return E.right('any');
  const bad = namespaces.find((namespace) => !isDnsLabel(namespace));
  return bad === undefined ? E.right(namespaces) : E.left(usageError(`--allow-secret-namespace must name a namespace (a DNS label) or be *, not ${quoteValue(bad)}`));
};

/** `NAMESPACE/NAME`. */
export const parseNamespacedName = (flag: string, text: string): E.Either<UsageError, { namespace: string; name: string }> => {
  const parts = text.split('/');
  return parts.length === 2 && parts[0] !== '' && parts[1] !== ''
    ? E.right({ namespace: parts[0] as string, name: parts[1] as string })
    : E.left(usageError(`${flag} must be NAMESPACE/NAME, not "${text}"`));
};
