/**
 * Names before paths: every name and namespace the library reads from an object, a flag or a
 * file is checked against Kubernetes' own rule for that kind of name before it becomes part of a
 * request. A name the API server could never have stored (`.`, `..`, `a/b`, an empty string, a
 * control character) is a typed value error, and nothing is requested with it: a client builds
 * paths from names, and the URL parser resolves `.` and `..`, turning a GET of one Secret into a
 * LIST of every Secret in a namespace or in the cluster.
 *
 * The rules are apimachinery's: a namespace is a DNS-1123 label (`IsDNS1123Label`), the objects
 * read here (Secret, WorkspaceTemplateApply, Workspace, CAPTControlPlane, Cluster) have DNS-1123
 * subdomain names (`IsDNS1123Subdomain`).
 */
import type { InvalidName, NameRule } from './errors';
import { quoteValue } from './quote';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const labelPattern = new RegExp(`^${LABEL}$`);
const subdomainPattern = new RegExp(`^${LABEL}(\\.${LABEL})*$`);

/**
 * Whether `name` is a DNS-1123 label: a namespace's name (at most 63 characters).
 * @example
 * ```ts
 * import { isDnsLabel } from '@capt-endpoint/core/adapter';
 *
 * isDnsLabel('team-a'); // true
 * isDnsLabel('..'); // false
 * ```
 */
export const isDnsLabel = (name: unknown): boolean => typeof name === 'string' && name.length <= 63 && labelPattern.test(name);

/**
 * Whether `name` is a DNS-1123 subdomain: most objects' names (at most 253 characters).
 * @example
 * ```ts
 * import { isDnsSubdomain } from '@capt-endpoint/core/adapter';
 *
 * isDnsSubdomain('demo-eks.conn'); // true
 * isDnsSubdomain('.'); // false
 * ```
 */
export const isDnsSubdomain = (name: unknown): boolean =>
  typeof name === 'string' && name.length <= 253 && subdomainPattern.test(name);

const rules: Readonly<Record<NameRule, { readonly test: (name: unknown) => boolean; readonly says: string }>> = {
  'DNS-1123 label': { test: isDnsLabel, says: `lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters` },
  'DNS-1123 subdomain': {
    test: isDnsSubdomain,
    says: `dot-separated parts of lowercase letters, digits and '-', each starting and ending with a letter or digit, at most 253 characters`,
  },
};

/**
 * The rule a name of `kind` follows: namespaces are labels, every other kind read here a subdomain.
 * @example
 * ```ts
 * import { nameRuleOf } from '@capt-endpoint/core/adapter';
 *
 * nameRuleOf('Namespace'); // 'DNS-1123 label'
 * nameRuleOf('Secret'); // 'DNS-1123 subdomain'
 * ```
 */
export const nameRuleOf = (kind: string): NameRule => (kind === 'Namespace' ? 'DNS-1123 label' : 'DNS-1123 subdomain');

/** Where a checked name was read: the kind it names and the field (or flag) it came from. */
export interface NameSource {
  /** The kind the name names (`Secret`, `Namespace`, ...). */
  readonly kind: string;
  /** Where it was read, e.g. `Workspace eks-a spec.writeConnectionSecretToRef.name`. */
  readonly field: string;
}

/**
 * `undefined` when `name` follows the rule for its kind, otherwise why not, as a value error.
 * @example
 * ```ts
 * import { checkName } from '@capt-endpoint/core/adapter';
 *
 * checkName('demo-eks-conn', { kind: 'Secret', field: 'spec.writeConnectionSecretToRef.name' }); // undefined
 * checkName('.', { kind: 'Secret', field: 'spec.writeConnectionSecretToRef.name' })?.reason; // 'InvalidName'
 * ```
 */
export const checkName = (name: unknown, source: NameSource): InvalidName | undefined => {
  const rule = nameRuleOf(source.kind);
  const { test, says } = rules[rule];
  if (test(name)) return undefined;
  return {
    _tag: 'InvalidName',
    reason: 'InvalidName',
    retryable: false,
    kind: source.kind,
    field: source.field,
    rule,
    message: `${source.field} is not a ${source.kind} name: ${quoteValue(name)} is not a ${rule} (${says}); nothing was requested with it`,
  };
};

/** The first problem among `[name, source]` pairs, checked in order. */
export const firstNameProblem = (checks: ReadonlyArray<readonly [unknown, NameSource]>): InvalidName | undefined => {
  for (const [name, source] of checks) {
    const problem = checkName(name, source);
    if (problem !== undefined) return problem;
  }
  return undefined;
};
