/**
 * The core's failures as data: one tagged union, `EndpointError`, with a human message, a
 * CamelCase `reason` usable as a condition reason, and `retryable` (whether a later reconcile
 * can help without anyone changing an object). Rendering is a separate step (`renderError`).
 *
 * Secret safety: no error built from a Secret's value carries that value. Errors about values
 * read from a Secret name the Secret and the key and the kind of problem only.
 */

import type { EndpointRange } from './endpointPolicy';
import { inert } from './inert';

/** What every error carries. */
interface ErrorBase {
  readonly message: string;
  readonly reason: string;
  readonly retryable: boolean;
}

// ---------------------------------------------------------------------------------------------
// The endpoint grammar: why a raw value is not an endpoint. `problem` says what is wrong
// without quoting the value, so a caller that read the value from a Secret can still explain.

/** Every tag a parse error can carry; the type and any set of them come from this one list. */
export const ENDPOINT_PARSE_ERROR_TAGS = [
  'EmptyEndpoint',
  'UnsupportedScheme',
  'UserinfoNotAllowed',
  'PathNotAllowed',
  'QueryOrFragmentNotAllowed',
  'InvalidCharacters',
  'InvalidPort',
  'InvalidHost',
  'UnsupportedValueType',
  'MalformedEndpointObject',
] as const;

export type EndpointParseErrorTag = (typeof ENDPOINT_PARSE_ERROR_TAGS)[number];

export interface EndpointParseError extends ErrorBase {
  readonly _tag: EndpointParseErrorTag;
  /** What is wrong, without quoting the value. */
  readonly problem: string;
}

/**
 * @example
 * ```ts
 * import { parseError } from '@capt-endpoint/core/adapter';
 *
 * const error = parseError('InvalidPort', 'the port is not a number from 1 to 65535', 'api.example.com:0');
 * error.problem; // 'the port is not a number from 1 to 65535' (safe to show for a Secret value)
 * error.message; // 'the port is not a number from 1 to 65535: api.example.com:0'
 * ```
 */
export const parseError = (
  tag: EndpointParseErrorTag,
  problem: string,
  quoted?: string,
): EndpointParseError => ({
  _tag: tag,
  reason: tag,
  retryable: false,
  problem,
  message: quoted === undefined ? problem : `${problem}: ${quoted}`,
});

// ---------------------------------------------------------------------------------------------
// Locating the endpoint in a Workspace or its connection Secret.

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

export type EndpointSource =
  | { readonly from: 'outputs'; readonly workspace: string; readonly key: string }
  | { readonly from: 'secret'; readonly secret: SecretRef; readonly key: string };

/**
 * The value is there but is not a valid endpoint. Carries the parse error's tag as `cause` and
 * where it was read as `source`; a Secret's value is never quoted. Fix the Terraform output, or
 * choose another with `outputKeys` (`--output-key`).
 */
export interface InvalidEndpointValue extends ErrorBase {
  readonly _tag: 'InvalidEndpointValue';
  readonly source: EndpointSource;
  readonly cause: EndpointParseErrorTag;
}

/**
 * The endpoint is well formed but falls in a range the endpoint policy refuses
 * (`ENDPOINT_RANGES`): the cloud metadata service, an unspecified, loopback or link-local
 * address. Nothing is written from it. Fix the output; a development cluster allows the rule
 * by name (`allowEndpointRanges`, `--allow-endpoint-range`).
 */
export interface EndpointNotAllowed extends ErrorBase {
  readonly _tag: 'EndpointNotAllowed';
  readonly source: EndpointSource;
  /** The rule that refused it: the range's name, which `allowEndpointRanges` would allow. */
  readonly rule: EndpointRange;
}

/**
 * A Secret key we needed is not valid base64, or its bytes are not UTF-8 text (provider-terraform
 * writes UTF-8; only keys actually read are decoded). Never carries the value.
 */
export interface UndecodableSecretValue extends ErrorBase {
  readonly _tag: 'UndecodableSecretValue';
  readonly secret: SecretRef;
  readonly key: string;
}

/** A Kubernetes object did not have the shape we read (e.g. `spec.workspaceTemplateApplyName` is a number); the CRD's schema should have refused it. */
export interface ObjectDecodeError extends ErrorBase {
  readonly _tag: 'ObjectDecodeError';
  /** e.g. `Workspace tf.upbound.io/v1beta1 eks-a` */
  readonly object: string;
  /** The failing paths, e.g. `spec.workspaceTemplateApplyName`. */
  readonly paths: readonly string[];
}

/**
 * A cluster-scoped Workspace writes its connection Secret to a namespace other than the control
 * plane's, so a Workspace cannot steer the controller into another tenant's Secrets. Allow the
 * namespace (`allowSecretNamespaces`, `--allow-secret-namespace`), or write the Secret next to
 * the control plane.
 */
export interface SecretNamespaceNotAllowed extends ErrorBase {
  readonly _tag: 'SecretNamespaceNotAllowed';
  readonly secret: SecretRef;
  readonly allowedNamespace: string;
}

/** The rule a Kubernetes name follows (apimachinery's validation). */
export type NameRule = 'DNS-1123 label' | 'DNS-1123 subdomain';

/**
 * A name or namespace read from an object, a flag or a file is not one Kubernetes allows for its
 * kind (a namespace is a DNS-1123 label, other names DNS-1123 subdomains), so no request was
 * made with it (`.` or `..` in a path would read a whole collection). No object of that name can
 * exist: fix the reference. For the control plane named on the command line it is the
 * reconcile's `Left`, before any request.
 */
export interface InvalidName extends ErrorBase {
  readonly _tag: 'InvalidName';
  /** The kind the name names: `Secret`, `Namespace`, `Workspace`, ... */
  readonly kind: string;
  /** Where it was read, e.g. `Workspace eks-a spec.writeConnectionSecretToRef.name`. */
  readonly field: string;
  readonly rule: NameRule;
}

/** An option passed to `reconcileEndpoint` is unusable (an unknown `workspaceApiVersion`, a target that is not an object); the CLI checks its flags first (exit 64). */
export interface InvalidOptions extends ErrorBase {
  readonly _tag: 'InvalidOptions';
  readonly option: string;
}

// ---------------------------------------------------------------------------------------------
// Talking to the API server through a ClusterClient.

/**
 * Why a request failed, and what to do: `NotFound` (a patch of an object deleted meanwhile; a
 * get of a missing object is not an error) and `NotServed` need no retry; `Conflict` is retried
 * once inside a reconcile; `Invalid` (400/422, or a kind not in the adapter's table: register it
 * with `resources`) and `Forbidden` (401/403: grant rbac.yaml's verbs) need a person;
 * `Unavailable` (429, 5xx, refused, reset, DNS or TLS) and `Timeout` back off; `TooLarge` names
 * the limit to raise if the cluster really is that large; `KubeConfig` exits the CLI at once;
 * `Other` is retried (report it if it repeats). `reason` is `Api<kind>`.
 */
export type ApiErrorKind =
  | 'NotFound'
  /**
   * A 404 for the resource type rather than for an object: the server does not serve this
   * apiVersion and kind (a CRD version with `served: false`, a CRD that is not installed). For
   * the owner Cluster the reconcile tries the other Cluster API versions; otherwise install the
   * CRD or name a served version.
   */
  | 'NotServed'
  | 'Conflict'
  | 'Invalid'
  | 'Forbidden'
  | 'Unavailable'
  | 'Timeout'
  /** The server sent more than a limit of the client allows (a body, a line, a number of pages). */
  | 'TooLarge'
  /**
   * The client has no usable kubeconfig: none was found, or its current context names no
   * cluster, or its server cannot be reached as written. Nothing was sent; retrying cannot help.
   */
  | 'KubeConfig'
  | 'Other';

/** A request to the API server failed. Adapters build these; they never carry response bodies. */
export interface ApiError extends ErrorBase {
  readonly _tag: 'ApiError';
  readonly kind: ApiErrorKind;
  /** HTTP status, when there was a response. */
  readonly code: number | undefined;
  /** The API's Status reason (`NotFound`, `Conflict`, `Invalid`, ...), when there was one. */
  readonly statusReason: string | undefined;
}

const retryableKinds: ReadonlySet<ApiErrorKind> = new Set(['Conflict', 'Unavailable', 'Timeout', 'Other']);

/**
 * @example
 * ```ts
 * import { apiError } from '@capt-endpoint/core/adapter';
 *
 * const error = apiError('Unavailable', 'connect ECONNREFUSED 10.0.0.1:6443', { code: 503 });
 * error.reason; // 'ApiUnavailable'
 * error.retryable; // true
 * ```
 */
export const apiError = (
  kind: ApiErrorKind,
  message: string,
  details: { code?: number | undefined; statusReason?: string | undefined } = {},
): ApiError => ({
  _tag: 'ApiError',
  kind,
  code: details.code,
  statusReason: details.statusReason,
  message,
  reason: `Api${kind}`,
  retryable: retryableKinds.has(kind),
});

/** A request failed while reconciling: which verb on which object, and the API's error. */
export interface RequestFailed extends ErrorBase {
  readonly _tag: 'RequestFailed';
  readonly verb: 'get' | 'patch' | 'patchStatus';
  readonly object: string;
  readonly error: ApiError;
}

/** Writes kept meeting 409 Conflict after re-reading (patches carry the resourceVersion they were planned from); a later reconcile can try again. Persistent conflicts mean another writer fights over the same fields. */
export interface ConflictRetriesExhausted extends ErrorBase {
  readonly _tag: 'ConflictRetriesExhausted';
  readonly object: string;
}

export type EndpointError =
  | EndpointParseError
  | InvalidEndpointValue
  | EndpointNotAllowed
  | UndecodableSecretValue
  | ObjectDecodeError
  | SecretNamespaceNotAllowed
  | InvalidName
  | InvalidOptions
  | ApiError
  | RequestFailed
  | ConflictRetriesExhausted;

export type EndpointErrorTag = EndpointError['_tag'];

/**
 * The errors about what the objects hold rather than about talking to the API: a reconcile
 * records them as a False condition, and only a change to an object clears them.
 */
export type ValueError =
  | EndpointParseError
  | InvalidEndpointValue
  | EndpointNotAllowed
  | UndecodableSecretValue
  | ObjectDecodeError
  | SecretNamespaceNotAllowed
  | InvalidName;

/**
 * One line for a log or a CLI: `Reason: message`.
 * @example
 * ```ts
 * import { renderError } from '@capt-endpoint/core';
 * import { apiError } from '@capt-endpoint/core/adapter';
 *
 * renderError(apiError('Forbidden', 'secrets "demo-eks-conn" is forbidden', { code: 403 }));
 * // 'ApiForbidden: secrets "demo-eks-conn" is forbidden'
 * ```
 */
export const renderError = (error: EndpointError): string =>
  `${inert(error.reason)}: ${inert(error.message.replace(/\s*\n\s*/g, ' '))}`;

/**
 * Narrowing helper for callers that switch on the tag.
 * @example
 * ```ts
 * import { isEndpointError, renderError } from '@capt-endpoint/core';
 *
 * const reported = (value: unknown): string => (isEndpointError(value) ? renderError(value) : 'not one of ours');
 * ```
 */
export const isEndpointError = (u: unknown): u is EndpointError =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as { _tag?: unknown })._tag === 'string' &&
  typeof (u as { message?: unknown }).message === 'string' &&
  typeof (u as { reason?: unknown }).reason === 'string';
