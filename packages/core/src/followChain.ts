/**
 * The read half of locating: from a CAPTControlPlane along its WorkspaceTemplateApply and
 * Workspace to the outputs or the connection Secret, fetching each link through the client and
 * handing the objects to the pure `findInWorkspace` / `findInSecret`. A missing link is a
 * waiting state and a link of the wrong shape is an invalid value, both results; only a request
 * that fails is a Left. Not exported from the package.
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { andThen, type Calls, type Now } from './clusterCalls';
import { describeRef, type KubeObject, type ObjectRef } from './objectRef';
import type { EndpointError, SecretNamespaceNotAllowed, SecretRef } from './errors';
import { CLUSTER_SCOPED_WORKSPACE_API_VERSION, WORKSPACE_TEMPLATE_APPLY_API_VERSION, type WorkspaceApiVersion } from './kinds';
import { findInSecret, findInWorkspace, invalid, notYetAvailable, type LocateOptions, type Location } from './locate';
import { checkName, firstNameProblem } from './names';
import { Secret, Workspace, WorkspaceTemplateApply, type CAPTControlPlane } from './objects';

export interface ChainOptions extends LocateOptions {
  readonly workspaceApiVersion?: WorkspaceApiVersion | undefined;
  readonly allowSecretNamespaces?: readonly string[] | 'any' | undefined;
}

/** A step of the chain: at once, or later when it had to read through the client (see `andThen`). */
type Located = Now<EndpointError, Location>;

const at = (location: Location): E.Either<EndpointError, Location> => E.right(location);

/**
 * One link: the object held or fetched for `ref`, decoded and handed to `next`; `missing` when
 * it does not exist, an invalid value when it does not decode.
 */
const link = <C extends t.Mixed>(calls: Calls, codec: C, ref: ObjectRef, held: KubeObject | undefined, missing: Location, next: (object: t.TypeOf<C>) => Located): Located =>
  andThen(held === undefined ? calls.get(ref)() : E.right(held), (object): Located => {
    if (object === undefined) return at(missing);
    const decoded = calls.decode(codec, ref, object);
    return E.isLeft(decoded) ? at(invalid(decoded.left)) : next(decoded.right);
  });

const secretNamespaceAllowed = (namespace: string, controlPlane: CAPTControlPlane, options: ChainOptions): boolean =>
  namespace === controlPlane.metadata.namespace ||
  options.allowSecretNamespaces === 'any' ||
  (Array.isArray(options.allowSecretNamespaces) && options.allowSecretNamespaces.includes(namespace));

const namespaceNotAllowed = (workspaceRef: ObjectRef, secret: SecretRef, controlPlane: CAPTControlPlane): SecretNamespaceNotAllowed => ({
  _tag: 'SecretNamespaceNotAllowed',
  reason: 'SecretNamespaceNotAllowed',
  retryable: false,
  secret,
  allowedNamespace: controlPlane.metadata.namespace ?? '',
  message: `${describeRef(workspaceRef)} writes its connection Secret to namespace "${secret.namespace}", outside the control plane's namespace "${controlPlane.metadata.namespace}"; allow it with the allowSecretNamespaces option`,
});

const fromWorkspace = (calls: Calls, controlPlane: CAPTControlPlane, workspace: Workspace, workspaceRef: ObjectRef, options: ChainOptions): Located => {
  const located = findInWorkspace(workspace, options);
  if (located._tag !== 'NeedSecret') return at(located);
  const secret = located.secret;
  const field = `${describeRef(workspaceRef)} spec.writeConnectionSecretToRef`;
  const badName = firstNameProblem([
    [secret.namespace, { kind: 'Namespace', field: `${field}.namespace` }],
    [secret.name, { kind: 'Secret', field: `${field}.name` }],
  ]);
  if (badName !== undefined) return at(invalid(badName));
  if (!secretNamespaceAllowed(secret.namespace, controlPlane, options)) return at(invalid(namespaceNotAllowed(workspaceRef, secret, controlPlane)));
  const ref: ObjectRef = { apiVersion: 'v1', kind: 'Secret', namespace: secret.namespace, name: secret.name };
  return link(calls, Secret, ref, undefined, findInSecret(undefined, secret, options), (object) => at(findInSecret(object, secret, options)));
};

const fromApply = (calls: Calls, controlPlane: CAPTControlPlane, apply: WorkspaceTemplateApply, options: ChainOptions): Located => {
  const namespace = controlPlane.metadata.namespace;
  const workspaceName = apply.status?.workspaceName;
  if (workspaceName === undefined || workspaceName === '') {
    return at(notYetAvailable('WorkspaceName', `WorkspaceTemplateApply ${namespace}/${apply.metadata.name} has no status.workspaceName yet`));
  }
  const badName = checkName(workspaceName, { kind: 'Workspace', field: `WorkspaceTemplateApply ${namespace}/${apply.metadata.name} status.workspaceName` });
  if (badName !== undefined) return at(invalid(badName));
  const apiVersion = options.workspaceApiVersion ?? CLUSTER_SCOPED_WORKSPACE_API_VERSION;
  const ref: ObjectRef = {
    apiVersion,
    kind: 'Workspace',
    namespace: apiVersion === CLUSTER_SCOPED_WORKSPACE_API_VERSION ? undefined : namespace,
    name: workspaceName,
  };
  const missing = notYetAvailable('Workspace', `${describeRef(ref)} does not exist yet`);
  return link(calls, Workspace, ref, undefined, missing, (workspace) => fromWorkspace(calls, controlPlane, workspace, ref, options));
};

/**
 * Where the endpoint stands for a control plane. `heldApply` is used when it is the
 * WorkspaceTemplateApply the control plane names; otherwise it is fetched.
 */
export const followChain = (calls: Calls, controlPlane: CAPTControlPlane, heldApply: KubeObject | undefined, options: ChainOptions): Located => {
  const namespace = controlPlane.metadata.namespace;
  const applyName = controlPlane.spec?.workspaceTemplateApplyName;
  if (applyName === undefined || applyName === '') {
    return at(notYetAvailable('WorkspaceTemplateApplyName', `CAPTControlPlane has no spec.workspaceTemplateApplyName`));
  }
  const badName = checkName(applyName, { kind: 'WorkspaceTemplateApply', field: `CAPTControlPlane ${namespace}/${controlPlane.metadata.name} spec.workspaceTemplateApplyName` });
  if (badName !== undefined) return at(invalid(badName));
  const ref: ObjectRef = { apiVersion: WORKSPACE_TEMPLATE_APPLY_API_VERSION, kind: 'WorkspaceTemplateApply', namespace, name: applyName };
  const held = heldApply?.metadata?.name === applyName && heldApply.metadata?.namespace === namespace ? heldApply : undefined;
  const missing = notYetAvailable('WorkspaceTemplateApply', `WorkspaceTemplateApply ${namespace}/${applyName} does not exist yet`);
  return link(calls, WorkspaceTemplateApply, ref, held, missing, (apply) => fromApply(calls, controlPlane, apply, options));
};
