// deploy/ on a real kube-apiserver, as an operator installs it (operatorInstall.ts, which the
// bench shares): `capt-endpoint run` started as its own process with a ServiceAccount token, and
// the server's audit log read back to count and attribute every request. Shared by the
// end-to-end, RBAC, leader-election and metrics tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { AuditEvent, Envtest } from '@capt-endpoint/envtest';
import { freeLoopbackPorts } from '../../packages/envtest/src/ports';
import { DEPLOY } from './deployRbac';
import { CONTROLLER_NAMESPACE, applyObjects, rbacObjectsIn, serviceAccountToken, type Manifest } from './operatorInstall';

export const REPO = join(__dirname, '..', '..');
/** The built command, as the image runs it (`npm run build` makes it). */
export const CLI_BIN = join(REPO, 'packages', 'cli', 'dist', 'bin.js');

export {
  CONTROLLER_NAMESPACE,
  CONTROLLER_USER,
  SERVICE_ACCOUNT,
  applyObjects,
  readAudit,
  serviceAccountToken,
  startAuditedEnvtest,
} from './operatorInstall';
export { AUDIT_WRITE_VERBS as WRITE_VERBS, auditResource as resourceOf, tallyAudit as tally, type AuditEvent } from '@capt-endpoint/envtest';

/** The TokenRequest credential a request came with (kube-apiserver puts the token's ID into the user's extra). */
export const credentialOf = (event: AuditEvent): string | undefined => event.user.extra?.['authentication.kubernetes.io/credential-id']?.[0];

/** The same for a token we hold: its JWT ID, as kube-apiserver records it. */
export const credentialOfToken = (token: string): string =>
  `JTI=${(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string }).jti}`;

/** deploy/kubernetes's objects but the Deployment, in the order they can be created. */
export const deployRbacObjects = (): Manifest[] => rbacObjectsIn(DEPLOY);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first truthy answer of `probe`, checked every 100 ms; fails after `ms` with `what`. */
export const waitUntil = async <T>(what: string, probe: () => T | Promise<T>, ms = 30_000): Promise<NonNullable<T>> => {
  const deadline = performance.now() + ms;
  for (;;) {
    const answer = await probe();
    if (answer) return answer;
    if (performance.now() > deadline) throw new Error(`not reached within ${ms} ms: ${what}`);
    await sleep(100);
  }
};

export type LogLine = Record<string, unknown>;

export interface ControllerProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** `127.0.0.1:<port>` of /healthz and /readyz. */
  readonly probes: string;
  /** `127.0.0.1:<port>` of /metrics. */
  readonly metrics: string;
  /** The JSON lines it has logged so far. */
  readonly lines: () => LogLine[];
  readonly stderr: () => string;
  /** The HTTP status of a probe, or 0 when nothing answers. */
  readonly probe: (path: '/healthz' | '/readyz') => Promise<number>;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` (SIGTERM by default) and waits for the process to end. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | string>;
}

/** Short leader-election timings, so a test of handovers takes seconds (client-go's proportions). */
export const FAST_LEADER_ELECTION = ['--leader-elect-lease-duration=4s', '--leader-elect-renew-deadline=3s', '--leader-elect-retry-period=500ms'];

/**
 * `capt-endpoint run` as its own process, authenticated with `token` only (a kubeconfig holding
 * the server, its CA and the token; nothing from this process's environment), with its probes
 * and metrics on free loopback ports and the Lease in deploy/'s namespace.
 */
export const startControllerProcess = async (env: Envtest, token: string, name: string, args: readonly string[] = []): Promise<ControllerProcess> => {
  const kubeconfig = env.writeKubeconfigForToken(token, name);
  const [probePort, metricsPort] = (await freeLoopbackPorts(2)) as [number, number];
  const probes = `127.0.0.1:${probePort}`;
  const metrics = `127.0.0.1:${metricsPort}`;
  const child = spawn(
    process.execPath,
    [
      CLI_BIN,
      'run',
      `--kubeconfig=${kubeconfig}`,
      `--leader-election-namespace=${CONTROLLER_NAMESPACE}`,
      `--health-probe-bind-address=${probes}`,
      `--metrics-bind-address=${metrics}`,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production' } },
  );
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const probe = async (path: '/healthz' | '/readyz'): Promise<number> => {
    try {
      return (await fetch(`http://${probes}${path}`, { signal: AbortSignal.timeout(2_000) })).status;
    } catch {
      return 0;
    }
  };
  return {
    name,
    pid: child.pid ?? -1,
    child,
    probes,
    metrics,
    lines: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine),
    stderr: () => err,
    probe,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
};

export const SCRAPER_NAMESPACE = 'monitoring';

/**
 * A scraper's ServiceAccount in `monitoring` and a TokenRequest token for it: bound to deploy/'s
 * capt-endpoint-metrics-reader ClusterRole when `allowed`, bound to nothing otherwise.
 */
export const scraperToken = async (kubeConfig: KubeConfig, name: string, allowed: boolean): Promise<string> => {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.readNamespace({ name: SCRAPER_NAMESPACE }).catch(() => core.createNamespace({ body: { metadata: { name: SCRAPER_NAMESPACE } } }));
  await core.createNamespacedServiceAccount({ namespace: SCRAPER_NAMESPACE, body: { metadata: { name } } });
  if (allowed)
    await applyObjects(kubeConfig, [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `${SCRAPER_NAMESPACE}-${name}-metrics-reader` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'capt-endpoint-metrics-reader' },
        subjects: [{ kind: 'ServiceAccount', name, namespace: SCRAPER_NAMESPACE }],
      },
    ]);
  return serviceAccountToken(kubeConfig, SCRAPER_NAMESPACE, name);
};

/** GET /metrics over HTTPS at `address` (`host:port`), trusting its self-signed certificate; status 0 when nothing answers. */
export const scrapeMetrics = (address: string, token?: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve) => {
    const [host, port] = address.split(':') as [string, string];
    const request = httpsRequest(
      { host, port: Number(port), path: '/metrics', rejectUnauthorized: false, timeout: 5_000, headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve({ status: 0, body: '' }));
    request.end();
  });
