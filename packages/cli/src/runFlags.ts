/**
 * The flags only `run` takes: the shard it owns (namespaces, a label selector), leader election
 * (on by default, with controller-runtime's and kube-controller-manager's flag names and
 * client-go's defaults) and where metrics and probes are served. Each bad value is a
 * `UsageError` naming the flag.
 */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { DEFAULT_SECRET_RESYNC_MS, leaderElectionTiming, parseBindAddress, type BindAddress, type LeaderElectionTiming } from '@capt-endpoint/controller/offline';
import { isDnsLabel, isDnsSubdomain } from '@capt-endpoint/core/adapter';
import { usageError, type UsageError } from './usage';

export const runFlagDefinitions = {
  namespace: { type: 'string', short: 'n', multiple: true },
  'label-selector': { type: 'string', short: 'l' },
  'leader-elect': { type: 'string' },
  'leader-election-namespace': { type: 'string' },
  'leader-election-id': { type: 'string' },
  'leader-elect-lease-duration': { type: 'string' },
  'leader-elect-renew-deadline': { type: 'string' },
  'leader-elect-retry-period': { type: 'string' },
  'metrics-bind-address': { type: 'string' },
  'metrics-secure': { type: 'string' },
  'metrics-cert-dir': { type: 'string' },
  'health-probe-bind-address': { type: 'string' },
  'secret-cache-namespace': { type: 'string', multiple: true },
  'secret-resync-period': { type: 'string' },
} as const;

export interface RunFlags {
  readonly namespace?: readonly string[] | undefined;
  readonly 'label-selector'?: string | undefined;
  readonly 'leader-elect'?: string | undefined;
  readonly 'leader-election-namespace'?: string | undefined;
  readonly 'leader-election-id'?: string | undefined;
  readonly 'leader-elect-lease-duration'?: string | undefined;
  readonly 'leader-elect-renew-deadline'?: string | undefined;
  readonly 'leader-elect-retry-period'?: string | undefined;
  readonly 'metrics-bind-address'?: string | undefined;
  readonly 'metrics-secure'?: string | undefined;
  readonly 'metrics-cert-dir'?: string | undefined;
  readonly 'health-probe-bind-address'?: string | undefined;
  readonly 'secret-cache-namespace'?: readonly string[] | undefined;
  readonly 'secret-resync-period'?: string | undefined;
}

export interface LeaderElectionFlags extends LeaderElectionTiming {
  /** Undefined: the Pod's own namespace in a cluster, else the kubeconfig context's, else `default`. */
  readonly namespace: string | undefined;
  readonly id: string;
}

export interface RunSettings {
  /** Control planes of these namespaces only; empty for every namespace. */
  readonly namespaces: readonly string[];
  readonly labelSelector: string | undefined;
  /** `false` with `--leader-elect=false`. */
  readonly leaderElection: LeaderElectionFlags | false;
  readonly metricsAddress: BindAddress | undefined;
  /** HTTPS with TokenReview and SubjectAccessReview (default); false with `--metrics-secure=false`. */
  readonly metricsSecure: boolean;
  readonly metricsCertDir: string | undefined;
  readonly healthAddress: BindAddress | undefined;
  /** Namespaces whose connection Secrets are listed and watched; empty (the default) for none: each Secret read is a GET. */
  readonly secretCacheNamespaces: readonly string[];
  /** How often a control plane that read a Secret is reconciled again; 0 for never. */
  readonly secretResyncMs: number;
}

export const DEFAULT_LEADER_ELECTION_ID = 'capt-endpoint';

const BOOLEAN_FLAGS = ['--leader-elect', '--metrics-secure'];

/** `--leader-elect` alone means true, as Go's boolean flags do; `util.parseArgs` wants a value for a string flag. */
export const normalizeRunArgs = (args: readonly string[]): string[] => args.map((arg) => (BOOLEAN_FLAGS.includes(arg) ? `${arg}=true` : arg));

const parseBoolean = (flag: string, text: string | undefined, fallback: boolean): E.Either<UsageError, boolean> =>
  text === undefined ? E.right(fallback) : text === 'true' || text === 'false' ? E.right(text === 'true') : fail(`--${flag} must be true or false, not "${text}"`);

const fail = (message: string): E.Either<UsageError, never> => E.left(usageError(message, 'run'));

/** A Go-style duration as kube components take them: `15s`, `500ms`, `1m`, `1m30s`. */
export const parseDuration = (flag: string, text: string | undefined, fallback: number): E.Either<UsageError, number> => {
  if (text === undefined) return E.right(fallback);
  if (!/^(?:\d{1,6}(?:ms|s|m|h))+$/.test(text)) return fail(`--${flag} must be a duration such as 15s, 500ms or 1m, not "${text}"`);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  for (const [, amount, suffix] of text.matchAll(/(\d+)(ms|s|m|h)/g)) ms += Number(amount) * (unit[suffix ?? 's'] ?? 1000);
  return E.right(ms);
};

// One requirement of a label selector: key, !key, key=v, key==v, key!=v, key in (a,b), key notin (a,b).
const LABEL_KEY = String.raw`(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?`;
const LABEL_VALUE = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?`;
const REQUIREMENT = new RegExp(
  String.raw`^\s*(?:!\s*${LABEL_KEY}|${LABEL_KEY}\s*(?:(?:==?|!=)\s*${LABEL_VALUE}|\s(?:in|notin)\s*\(\s*${LABEL_VALUE}(?:\s*,\s*${LABEL_VALUE})*\s*\))?)\s*$`,
);

/** Splits at the commas that separate requirements (not those inside `in (...)`). */
const requirements = (selector: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts;
};

/** Checks a label selector's syntax here, so a typo is a usage error rather than a watch the API server refuses forever. */
export const parseLabelSelector = (text: string | undefined): E.Either<UsageError, string | undefined> => {
  if (text === undefined) return E.right(undefined);
  if (text.length > 4096 || text.trim() === '' || !requirements(text).every((part) => REQUIREMENT.test(part)))
    return fail(`--label-selector must be a Kubernetes label selector (e.g. shard=a or shard in (a,b)), not "${text.slice(0, 80)}"`);
  return E.right(text.trim());
};

const parseNamespaces = (flag: string, values: readonly string[] | undefined): E.Either<UsageError, readonly string[]> => {
  const namespaces = [...new Set((values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()))];
  const bad = namespaces.find((namespace) => !isDnsLabel(namespace));
  return bad === undefined ? E.right(namespaces) : fail(`--${flag} must name a namespace (a DNS label), not "${bad}"`);
};

const parseAddress = (flag: string, text: string | undefined): E.Either<UsageError, BindAddress | undefined> =>
  text === undefined
    ? E.right(undefined)
    : pipe(
        parseBindAddress(text),
        E.mapLeft((error) => usageError(`--${flag}: ${error.message}`, 'run')),
      );

const parseLeaderElection = (values: RunFlags): E.Either<UsageError, LeaderElectionFlags | false> => {
  const elect = values['leader-elect'];
  if (elect !== undefined && elect !== 'true' && elect !== 'false') return fail(`--leader-elect must be true or false, not "${elect}"`);
  if (elect === 'false') return E.right(false);
  const namespace = values['leader-election-namespace'];
  if (namespace !== undefined && !isDnsLabel(namespace)) return fail(`--leader-election-namespace must name a namespace, not "${namespace}"`);
  const id = values['leader-election-id'] ?? DEFAULT_LEADER_ELECTION_ID;
  if (!isDnsSubdomain(id)) return fail(`--leader-election-id must be a Lease name (a DNS subdomain), not "${id}"`);
  return pipe(
    E.Do,
    E.bind('leaseDurationMs', () => parseDuration('leader-elect-lease-duration', values['leader-elect-lease-duration'], 15_000)),
    E.bind('renewDeadlineMs', () => parseDuration('leader-elect-renew-deadline', values['leader-elect-renew-deadline'], 10_000)),
    E.bind('retryPeriodMs', () => parseDuration('leader-elect-retry-period', values['leader-elect-retry-period'], 2_000)),
    E.chain((timing) =>
      pipe(
        leaderElectionTiming(timing),
        E.mapLeft((error) => usageError(`leader election: ${error.message}`, 'run')),
      ),
    ),
    E.map((timing): LeaderElectionFlags => ({ ...timing, namespace, id })),
  );
};

export const runSettings = (values: RunFlags): E.Either<UsageError, RunSettings> =>
  pipe(
    E.Do,
    E.bind('namespaces', () => parseNamespaces('namespace', values.namespace)),
    E.bind('labelSelector', () => parseLabelSelector(values['label-selector'])),
    E.bind('leaderElection', () => parseLeaderElection(values)),
    E.bind('metricsAddress', () => parseAddress('metrics-bind-address', values['metrics-bind-address'])),
    E.bind('metricsSecure', () => parseBoolean('metrics-secure', values['metrics-secure'], true)),
    E.bind('metricsCertDir', () => E.right(values['metrics-cert-dir'])),
    E.bind('healthAddress', () => parseAddress('health-probe-bind-address', values['health-probe-bind-address'])),
    E.bind('secretCacheNamespaces', () => parseNamespaces('secret-cache-namespace', values['secret-cache-namespace'])),
    E.bind('secretResyncMs', () => parseDuration('secret-resync-period', values['secret-resync-period'], DEFAULT_SECRET_RESYNC_MS)),
  );
