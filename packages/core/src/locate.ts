/**
 * Locating the endpoint in a Terraform Workspace: first in `status.atProvider.outputs`, then,
 * when the outputs lack it, in the connection Secret the Workspace writes. Pure: the caller
 * fetches the objects; these functions say where the endpoint is, what to read next, or why
 * there is nothing yet.
 *
 * Outcomes, all of them results: `Found` (with its source and key), `NeedSecret` (read this
 * Secret next), `NotYetAvailable` (a normal waiting state, not a failure) and `Invalid` (a value
 * is there but is not an endpoint). `locateInWorkspace` and `locateInSecret` give the same answer
 * as an `Either` with `Invalid` on the left. Errors about a value from a Secret never quote the
 * value.
 */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { ApiEndpoint } from './apiEndpoint';
import { formatHostPort } from './endpoint';
import { ENDPOINT_RANGE_DESCRIPTIONS, refusedRange, type EndpointRange } from './endpointPolicy';
import type {
  EndpointError,
  EndpointNotAllowed,
  EndpointParseError,
  EndpointSource,
  InvalidEndpointValue,
  SecretRef,
  UndecodableSecretValue,
  ValueError,
} from './errors';
import { NAMESPACED_WORKSPACE_API_VERSION } from './kinds';
import { PublishConnectionDetailsTo, type Secret, type Workspace } from './objects';
import { parseEndpoint } from './parseEndpoint';
import { quoteValue } from './quote';

/**
 * Where to look: an output name holding the whole endpoint (a URL, `host:port`, a host, or an
 * object `{host, port}`), or a pair of outputs holding the host and, optionally, the port.
 */
export type OutputKey = string | { readonly host: string; readonly port?: string | undefined };

export const DEFAULT_OUTPUT_KEYS: readonly OutputKey[] = ['cluster_endpoint'];

export interface LocateOptions {
  /** Keys to look under, first match wins. Default `['cluster_endpoint']`. */
  readonly outputKeys?: readonly OutputKey[] | undefined;
  /** Port for an endpoint that names none. Default 443 (managed cloud endpoints listen there). */
  readonly defaultPort?: number | undefined;
  /**
   * Ranges the endpoint policy lets through (`loopback` for a development cluster, say). Default
   * none: an endpoint in the cloud metadata service, an unspecified, loopback or link-local
   * address is refused (`EndpointNotAllowed`), and nothing is written from it.
   */
  readonly allowEndpointRanges?: readonly EndpointRange[] | undefined;
}

/** What a reconcile is waiting for. Each is a normal state on the way to a ready cluster. */
export type WaitingOn =
  | 'WorkspaceTemplateApplyName'
  | 'WorkspaceTemplateApply'
  | 'WorkspaceName'
  | 'Workspace'
  | 'EndpointOutput'
  | 'ConnectionSecret';

export interface Found {
  readonly _tag: 'Found';
  readonly endpoint: ApiEndpoint;
  readonly source: EndpointSource;
}

export interface NeedSecret {
  readonly _tag: 'NeedSecret';
  readonly secret: SecretRef;
}

export interface NotYetAvailable {
  readonly _tag: 'NotYetAvailable';
  readonly waitingOn: WaitingOn;
  readonly message: string;
}

/** A value is there but unusable: recorded as a False condition, nothing is written from it. */
export interface Invalid {
  readonly _tag: 'Invalid';
  readonly error: ValueError;
}

/** Where the endpoint stands for a control plane: the input of `planUpdate`. */
export type Location = Found | NotYetAvailable | Invalid;

/**
 * @example
 * ```ts
 * import { invalid, parseError } from '@capt-endpoint/core/adapter';
 *
 * invalid(parseError('InvalidPort', 'the port is not a number from 1 to 65535'));
 * // { _tag: 'Invalid', error: { _tag: 'InvalidPort', reason: 'InvalidPort', ... } }
 * ```
 */
export const invalid = (error: ValueError): Invalid => ({ _tag: 'Invalid', error });

/**
 * @example
 * ```ts
 * import { notYetAvailable } from '@capt-endpoint/core/adapter';
 *
 * notYetAvailable('Workspace', 'Workspace demo-eks does not exist yet');
 * // { _tag: 'NotYetAvailable', waitingOn: 'Workspace', message: 'Workspace demo-eks does not exist yet' }
 * ```
 */
export const notYetAvailable = (waitingOn: WaitingOn, message: string): NotYetAvailable => ({
  _tag: 'NotYetAvailable',
  waitingOn,
  message,
});

const keyName = (key: OutputKey): string =>
  typeof key === 'string' ? key : key.port === undefined ? key.host : `${key.host}+${key.port}`;

const keysText = (keys: readonly OutputKey[]): string => keys.map((k) => `"${keyName(k)}"`).join(', ');

const workspaceName = (workspace: Workspace): string =>
  `Workspace ${workspace.metadata.namespace ? `${workspace.metadata.namespace}/` : ''}${workspace.metadata.name}`;

/** A present value: Terraform writes `null` for an output that has no value yet. */
const present = (value: unknown): boolean => value !== undefined && value !== null;

/**
 * The raw value under a key: the value itself, or for a host/port pair an object form that
 * parseEndpoint reads. Undefined when the key is not there.
 */
const rawValue = (values: (name: string) => unknown, key: OutputKey): unknown => {
  if (typeof key === 'string') {
    const value = values(key);
    return present(value) ? value : undefined;
  }
  const host = values(key.host);
  if (!present(host)) return undefined;
  const port = key.port === undefined ? undefined : values(key.port);
  return present(port) ? { host, port } : { host };
};

/**
 * The value under `source` is not an endpoint. A value from the outputs may be quoted; a value
 * from a Secret never is: its message uses the parse error's `problem`, which quotes nothing.
 */
const invalidValue = (source: EndpointSource, error: EndpointParseError): InvalidEndpointValue => ({
  _tag: 'InvalidEndpointValue',
  reason: 'InvalidEndpoint',
  retryable: false,
  cause: error._tag,
  source,
  message:
    source.from === 'outputs'
      ? `${source.workspace} output "${source.key}" is not a valid endpoint: ${error.message}`
      : `Secret ${source.secret.namespace}/${source.secret.name} key "${source.key}" is not a valid endpoint: ${error.problem}`,
});

/** The endpoint falls in a range the policy refuses. A value from a Secret is not quoted. */
const notAllowed = (source: EndpointSource, endpoint: ApiEndpoint, rule: EndpointRange): EndpointNotAllowed => ({
  _tag: 'EndpointNotAllowed',
  reason: 'EndpointNotAllowed',
  retryable: false,
  source,
  rule,
  message: `${
    source.from === 'outputs'
      ? `${source.workspace} output "${source.key}" names ${quoteValue(formatHostPort(endpoint))}`
      : `Secret ${source.secret.namespace}/${source.secret.name} key "${source.key}" names an endpoint in`
  } ${ENDPOINT_RANGE_DESCRIPTIONS[rule]}, which the endpoint policy refuses (rule ${rule}); a development cluster may allow it with allowEndpointRanges (--allow-endpoint-range ${rule})`,
});

/** The endpoint parsed from the raw value under `key`, checked against the policy, as a Location. */
const parsedAt = (raw: unknown, source: EndpointSource, options: LocateOptions): Found | Invalid => {
  const parsed = parseEndpoint(raw, { defaultPort: options.defaultPort });
  if (E.isLeft(parsed)) return invalid(invalidValue(source, parsed.left));
  const refused = refusedRange(parsed.right.host, options.allowEndpointRanges);
  return refused === undefined ? { _tag: 'Found', endpoint: parsed.right, source } : invalid(notAllowed(source, parsed.right, refused));
};

/**
 * Looks for the endpoint in the Workspace's outputs. When they lack it, names the connection
 * Secret to read (cluster-scoped Workspaces name its namespace; namespaced ones keep it in
 * their own namespace).
 * @example
 * ```ts
 * import type { Workspace } from '@capt-endpoint/core';
 * import { findInWorkspace } from '@capt-endpoint/core/adapter';
 *
 * const workspace: Workspace = {
 *   apiVersion: 'tf.upbound.io/v1beta1',
 *   kind: 'Workspace',
 *   metadata: { name: 'demo-eks' },
 *   status: { atProvider: { outputs: { cluster_endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com' } } },
 * };
 * findInWorkspace(workspace);
 * // { _tag: 'Found', endpoint: { host: 'abc.gr7.us-west-2.eks.amazonaws.com', port: 443 },
 * //   source: { from: 'outputs', workspace: 'Workspace demo-eks', key: 'cluster_endpoint' } }
 * ```
 */
export const findInWorkspace = (workspace: Workspace, options: LocateOptions = {}): Location | NeedSecret => {
  const keys = options.outputKeys ?? DEFAULT_OUTPUT_KEYS;
  const name = workspaceName(workspace);
  const outputs = workspace.status?.atProvider?.outputs ?? {};
  const fromOutputs = (key: string): unknown => (Object.hasOwn(outputs, key) ? outputs[key] : undefined);

  for (const key of keys) {
    const raw = rawValue(fromOutputs, key);
    if (raw !== undefined) return parsedAt(raw, { from: 'outputs', workspace: name, key: keyName(key) }, options);
  }
  return connectionSecretOf(workspace) ?? notYetAvailable('EndpointOutput', `${name} has no output ${keysText(keys)} yet and ${noSecretReason(workspace)}`);
};

/**
 * Why there is no connection Secret to read: none is named, or the Workspace publishes its
 * connection details to an external secret store (provider-terraform 0.x), which this library
 * does not read. Then the wait would never end by itself, so the message says what to change.
 */
const noSecretReason = (workspace: Workspace): string =>
  pipe(
    PublishConnectionDetailsTo.decode(workspace.spec?.publishConnectionDetailsTo),
    E.match(
      () => 'no connection Secret to read it from',
      (published) =>
        `it writes no connection Secret: it publishes its connection details to ${quoteValue(published.name)} in the secret store ` +
        `${quoteValue(published.configRef?.name ?? 'default')} (spec.publishConnectionDetailsTo), which capt-endpoint does not read; ` +
        'set spec.writeConnectionSecretToRef so that they are also written to a Secret, or publish the endpoint as a Terraform output',
    ),
  );

/** The connection Secret a Workspace writes, when it names one we can find. */
const connectionSecretOf = (workspace: Workspace): NeedSecret | undefined => {
  const ref = workspace.spec?.writeConnectionSecretToRef;
  const namespace = workspace.apiVersion === NAMESPACED_WORKSPACE_API_VERSION ? workspace.metadata.namespace : ref?.namespace;
  return ref === undefined || ref.name === '' || namespace === undefined || namespace === ''
    ? undefined
    : { _tag: 'NeedSecret', secret: { namespace, name: ref.name } };
};

/** A Location as an Either: `Invalid` on the left, every other answer on the right. */
const asEither = <A extends { readonly _tag: string }>(located: A | Invalid): E.Either<EndpointError, A> =>
  located._tag === 'Invalid' ? E.left((located as Invalid).error) : E.right(located as A);

/**
 * `findInWorkspace` as an Either: an invalid value on the left.
 * @example
 * ```ts
 * import { locateInWorkspace, type Workspace } from '@capt-endpoint/core';
 *
 * declare const workspace: Workspace;
 * locateInWorkspace(workspace); // Right(Found | NeedSecret | NotYetAvailable), or Left(InvalidEndpointValue)
 * ```
 */
export const locateInWorkspace = (
  workspace: Workspace,
  options: LocateOptions = {},
): E.Either<EndpointError, Found | NeedSecret | NotYetAvailable> => asEither(findInWorkspace(workspace, options));

const undecodable = (secret: SecretRef, key: string, problem: string): UndecodableSecretValue => ({
  _tag: 'UndecodableSecretValue',
  reason: 'UndecodableSecretValue',
  retryable: false,
  secret,
  key,
  message: `Secret ${secret.namespace}/${secret.name} key "${key}" ${problem}`,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Secret.data values arrive base64-encoded through the API: decode exactly once, to UTF-8 text. */
const decodeSecretValue = (secret: SecretRef, key: string, encoded: string): E.Either<UndecodableSecretValue, string> =>
  pipe(
    E.tryCatch(
      () => Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)),
      () => undecodable(secret, key, 'is not valid base64'),
    ),
    E.chain((bytes) =>
      E.tryCatch(
        () => utf8.decode(bytes),
        () => undecodable(secret, key, 'is not UTF-8 text'),
      ),
    ),
  );

/**
 * provider-terraform stores a string output as its raw text and any other type as JSON, so a
 * text that is a JSON object is the object form; anything else is read as text.
 */
const secretValueAsRaw = (text: string): unknown => {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return text;
  return pipe(
    E.tryCatch(() => JSON.parse(trimmed) as unknown, () => undefined),
    E.match(
      () => text,
      (parsed) => (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : text),
    ),
  );
};

/** The Secret's value under each key, decoded; the first undecodable value used is kept as the failure. */
const secretText = (data: Readonly<Record<string, string>>, ref: SecretRef) => {
  let failure: UndecodableSecretValue | undefined;
  const text = (key: string): string | undefined => {
    if (failure !== undefined || !Object.hasOwn(data, key)) return undefined;
    const decoded = decodeSecretValue(ref, key, data[key] ?? '');
    if (E.isLeft(decoded)) failure = decoded.left;
    return E.isLeft(decoded) ? undefined : decoded.right;
  };
  return { text, failure: () => failure };
};

/**
 * Looks for the endpoint in the connection Secret (undefined: it does not exist yet).
 * @example
 * ```ts
 * import type { Secret } from '@capt-endpoint/core';
 * import { findInSecret } from '@capt-endpoint/core/adapter';
 *
 * const secret: Secret = {
 *   apiVersion: 'v1',
 *   kind: 'Secret',
 *   metadata: { name: 'demo-eks-conn', namespace: 'team-a' },
 *   data: { cluster_endpoint: btoa('https://10.0.0.10:6443') }, // as the API returns it: base64
 * };
 * findInSecret(secret, { namespace: 'team-a', name: 'demo-eks-conn' });
 * // { _tag: 'Found', endpoint: { host: '10.0.0.10', port: 6443 }, source: { from: 'secret', ... } }
 * ```
 */
export const findInSecret = (secret: Secret | undefined, ref: SecretRef, options: LocateOptions = {}): Location => {
  const keys = options.outputKeys ?? DEFAULT_OUTPUT_KEYS;
  if (secret === undefined) {
    return notYetAvailable('ConnectionSecret', `connection Secret ${ref.namespace}/${ref.name} does not exist yet`);
  }
  // Decoding errors surface only for the keys we actually use.
  const { text, failure } = secretText(secret.data ?? {}, ref);
  for (const key of keys) {
    const raw =
      typeof key === 'string'
        ? pipe(text(key), (value) => (value === undefined ? undefined : secretValueAsRaw(value)))
        : rawValue(text, key);
    const undecodableValue = failure();
    if (undecodableValue !== undefined) return invalid(undecodableValue);
    if (raw !== undefined) return parsedAt(raw, { from: 'secret', secret: ref, key: keyName(key) }, options);
  }
  return notYetAvailable('EndpointOutput', `connection Secret ${ref.namespace}/${ref.name} has no key ${keysText(keys)} yet`);
};

/**
 * `findInSecret` as an Either: an invalid or undecodable value on the left.
 * @example
 * ```ts
 * import { locateInSecret, type Secret } from '@capt-endpoint/core';
 *
 * declare const secret: Secret;
 * locateInSecret(secret, { namespace: 'team-a', name: 'demo-eks-conn' }); // Right(Found | NotYetAvailable), or Left
 * ```
 */
export const locateInSecret = (
  secret: Secret | undefined,
  ref: SecretRef,
  options: LocateOptions = {},
): E.Either<EndpointError, Found | NotYetAvailable> => asEither(findInSecret(secret, ref, options));
