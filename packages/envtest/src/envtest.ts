/**
 * A real etcd and kube-apiserver on loopback ports, started the way controller-runtime's envtest
 * starts them, for tests that need the server's own behaviour.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAssets } from './assets';
import { ADMIN_USER, writeCredentials } from './credentials';
import { freeLoopbackPorts } from './ports';
import { startSupervised, type SupervisedProgram } from './supervised';

export interface EnvtestOptions {
  /** The folder holding `kube-apiserver` and `etcd`; defaults to `KUBEBUILDER_ASSETS`. */
  readonly binaryAssetsDirectory?: string;
  /** CustomResourceDefinitions to install (and wait for) once the server is ready. */
  readonly crds?: ReadonlyArray<object>;
  /** How long to wait for each program to become ready; 90 s by default (a loaded 2-core machine). */
  readonly startTimeoutMs?: number;
  /** More kube-apiserver flags, after the harness's own (a repeated flag takes the later value). */
  readonly apiServerArgs?: readonly string[];
  /**
   * An audit policy (audit.k8s.io/v1 Policy) to record with: the log, one JSON event a line, is
   * at `auditLogPath`.
   */
  readonly auditPolicy?: object;
  /** SIGTERM to SIGKILL for each program on stop; 2 s by default, so stop() ends within 5 s. */
  readonly stopGraceMs?: number;
}

export interface Envtest {
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** A kubeconfig file for the admin (in `system:masters`), for other processes. */
  readonly kubeconfigPath: string;
  /** The same, loaded. */
  readonly kubeConfig: KubeConfig;
  /** The PEM of the CA that signed the server's certificate. */
  readonly caPem: string;
  /** This run's folder (etcd's data, certificates, logs); removed by stop(). */
  readonly dir: string;
  readonly auditLogPath: string | undefined;
  /** A KubeConfig for the same server that authenticates with a bearer token (a ServiceAccount's). */
  readonly kubeConfigForToken: (token: string, user?: string) => KubeConfig;
  /** Writes a kubeconfig file for a bearer token, for another process; returns its path. */
  readonly writeKubeconfigForToken: (token: string, user?: string) => string;
  readonly installCrds: (crds: ReadonlyArray<object>) => Promise<void>;
  /** Stops kube-apiserver and starts it again on the same port and etcd. */
  readonly restartApiServer: () => Promise<void>;
  /** The programs that ended by themselves (a crash): a test's failures may come from there. */
  readonly crashed: () => ReadonlyArray<'etcd' | 'kube-apiserver'>;
  /**
   * The process id of a running program itself (not its supervisor's), e.g. to read its CPU
   * from /proc; undefined once it has ended or where /proc does not tell.
   */
  readonly pid: (program: 'etcd' | 'kube-apiserver') => number | undefined;
  /** The last lines of a program's log, for a failing test's message. */
  readonly logTail: (program: 'etcd' | 'kube-apiserver', lines?: number) => string;
  /** Ends both programs (SIGTERM, then SIGKILL) and removes the run's folder. Safe to call twice. */
  readonly stop: () => Promise<void>;
}

/** Start-up failed: which program, why, and the end of its log. */
export class EnvtestStartFailed extends Error {
  override readonly name = 'EnvtestStartFailed';
}

const DEFAULT_START_TIMEOUT_MS = 90_000;
/** The audit log's size before kube-apiserver would rotate it, in MB: never, for a test. */
const AUDIT_LOG_MAX_MB = 1_000_000;
const DEFAULT_GRACE_MS = 2_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const tailOf = (file: string, lines = 30): string => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
};

/** The last certificate of a PEM bundle: kube-apiserver writes its serving certificate, then the CA. */
const lastCertificate = (bundle: string): string => {
  const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const last = blocks[blocks.length - 1];
  if (last === undefined) throw new EnvtestStartFailed('kube-apiserver wrote no certificate into its cert dir');
  return `${last}\n`;
};

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

const httpsGet = (url: string, token: string, ca: string | undefined, timeoutMs = 5_000): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', headers: { authorization: `Bearer ${token}` }, timeout: timeoutMs, ...(ca ? { ca } : { rejectUnauthorized: false }) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 4 << 20) chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });

/** Polls `probe` until it answers true, a program ends, or the time is up. */
const waitFor = async (
  what: string,
  probe: () => Promise<boolean>,
  programs: readonly SupervisedProgram[],
  timeoutMs: number,
): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  let lastError = '';
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const ended = programs.find((p) => p.hasExited());
    if (ended) {
      throw new EnvtestStartFailed(`${ended.name} ended while waiting for ${what}:\n${tailOf(ended.logFile)}`);
    }
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    if (performance.now() > deadline) {
      const logs = programs.map((p) => `--- ${p.name} ---\n${tailOf(p.logFile, 15)}`).join('\n');
      throw new EnvtestStartFailed(`${what} not ready within ${timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}\n${logs}`);
    }
    await sleep(delay);
  }
};

const isPortClash = (error: unknown): boolean => error instanceof EnvtestStartFailed && /address already in use/.test(error.message);

const kubeConfigFor = (server: string, caPem: string, user: string, token: string): KubeConfig => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'envtest', server, caData: Buffer.from(caPem).toString('base64'), skipTLSVerify: false }],
    users: [{ name: user, token }],
    contexts: [{ name: 'envtest', cluster: 'envtest', user }],
    currentContext: 'envtest',
  });
  return kubeConfig;
};

interface CrdLike {
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly group: string;
    readonly names: { readonly plural: string };
    readonly versions: ReadonlyArray<{ readonly name: string; readonly served: boolean }>;
  };
}

const isCrdLike = (value: unknown): value is CrdLike => {
  const v = value as CrdLike | null;
  return typeof v?.metadata?.name === 'string' && typeof v.spec?.group === 'string' && Array.isArray(v.spec.versions);
};

/**
 * Starts etcd and kube-apiserver with fresh data, certificates and credentials in a temporary
 * folder, waits for `/readyz` and the `default` namespace, installs `crds`, and hands back an
 * admin kubeconfig. Throws `EnvtestAssetsMissing` when the programs are not found and
 * `EnvtestStartFailed` (with the end of the failing program's log) when one does not come up.
 * `stop()` ends both within 5 s, and a supervisor ends them when the test process goes away by
 * any path. There is no controller-manager (a deleted namespace stays Terminating, nothing is
 * garbage-collected) and no Cluster API conversion webhook (see `envtestCrds`).
 *
 * Measured on 2 cores: start to ready with CRDs established 5 to 7 s; idle kube-apiserver 290
 * MiB, etcd 41 MiB; `stop()` 2.1 s. Building the programs from Go modules (`npm run
 * envtest:assets` in this repository): 840 s cold, 21 s with a warm Go build cache, 0.86 GB of
 * module cache, kube-apiserver 119 MB and etcd 25 MB.
 */
export const startEnvtest = async (options: EnvtestOptions = {}): Promise<Envtest> => {
  const assets = findAssets(options.binaryAssetsDirectory);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(assets.etcd, assets.kubeApiServer, options);
    } catch (e) {
      if (attempt >= 3 || !isPortClash(e)) throw e;
    }
  }
};

const startOnce = async (etcdPath: string, apiServerPath: string, options: EnvtestOptions): Promise<Envtest> => {
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const graceMs = options.stopGraceMs ?? DEFAULT_GRACE_MS;
  const dir = mkdtempSync(join(tmpdir(), 'capt-envtest-'));
  const running: SupervisedProgram[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(running.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const [etcdClientPort, etcdPeerPort, securePort] = (await freeLoopbackPorts(3)) as [number, number, number];
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = startSupervised(
      'etcd',
      etcdPath,
      [
        '--name=envtest',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=envtest=${peerUrl}`,
        '--unsafe-no-fsync=true',
      ],
      join(dir, 'etcd.log'),
      graceMs,
    );
    running.push(etcd);
    await waitFor('etcd', async () => (await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2_000) })).ok, [etcd], timeoutMs);

    const credentials = writeCredentials(dir);
    const certDir = join(dir, 'certs');
    const server = `https://127.0.0.1:${securePort}`;
    let auditLogPath: string | undefined;
    const auditArgs: string[] = [];
    if (options.auditPolicy !== undefined) {
      const policyFile = join(dir, 'audit-policy.json');
      writeFileSync(policyFile, JSON.stringify(options.auditPolicy));
      auditLogPath = join(dir, 'audit.log');
      // Never rotated (0 would mean the log library's 100 MB): a reader's byte mark stays valid.
      auditArgs.push(`--audit-policy-file=${policyFile}`, `--audit-log-path=${auditLogPath}`, '--audit-log-mode=blocking', '--audit-log-format=json', `--audit-log-maxsize=${AUDIT_LOG_MAX_MB}`);
    }
    const apiServerArgs = [
      `--etcd-servers=${etcdUrl}`,
      `--secure-port=${securePort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // No Endpoints object for the kubernetes Service: a loopback address may not go there.
      '--endpoint-reconciler-type=none',
      `--cert-dir=${certDir}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=RBAC',
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${credentials.serviceAccountPublicKeyFile}`,
      `--service-account-signing-key-file=${credentials.serviceAccountPrivateKeyFile}`,
      `--token-auth-file=${credentials.tokenAuthFile}`,
      ...auditArgs,
      ...(options.apiServerArgs ?? []),
    ];
    const apiServerLog = join(dir, 'kube-apiserver.log');
    const startApiServer = (): SupervisedProgram => startSupervised('kube-apiserver', apiServerPath, apiServerArgs, apiServerLog, graceMs);

    let caPem: string | undefined;
    const readCa = (): string | undefined => {
      const crt = join(certDir, 'apiserver.crt');
      if (caPem === undefined && existsSync(crt)) caPem = lastCertificate(readFileSync(crt, 'utf8'));
      return caPem;
    };
    const get = (path: string): Promise<HttpAnswer> => httpsGet(`${server}${path}`, credentials.adminToken, readCa());
    const waitReady = async (program: SupervisedProgram): Promise<void> => {
      await waitFor('kube-apiserver /readyz', async () => readCa() !== undefined && (await get('/readyz')).status === 200, [etcd, program], timeoutMs);
      await waitFor('the default namespace', async () => (await get('/api/v1/namespaces/default')).status === 200, [etcd, program], timeoutMs);
    };

    let apiServer = startApiServer();
    running.push(apiServer);
    await waitReady(apiServer);

    const ca = readCa() as string;
    const kubeConfig = kubeConfigFor(server, ca, ADMIN_USER, credentials.adminToken);
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });
    let tokenFiles = 0;

    const installCrds = async (crds: ReadonlyArray<object>): Promise<void> => {
      const { ApiextensionsV1Api } = await import('@kubernetes/client-node');
      const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
      for (const crd of crds) {
        if (!isCrdLike(crd)) throw new TypeError('installCrds takes CustomResourceDefinition objects (apiextensions.k8s.io/v1)');
        await api.createCustomResourceDefinition({ body: crd as never });
      }
      for (const crd of crds as readonly CrdLike[]) {
        await waitFor(
          `CustomResourceDefinition ${crd.metadata.name} Established`,
          async () => {
            const read = await api.readCustomResourceDefinition({ name: crd.metadata.name });
            return (read.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
          },
          running,
          timeoutMs,
        );
        // Established comes before discovery serves the resource, and before its storage is
        // ready (a list answers 429 "storage is (re)initializing" meanwhile): wait for a list of
        // each served version to answer 200.
        for (const version of crd.spec.versions.filter((v) => v.served)) {
          await waitFor(
            `${crd.spec.names.plural}.${crd.spec.group}/${version.name} served`,
            async () => (await get(`/apis/${crd.spec.group}/${version.name}/${crd.spec.names.plural}?limit=1`)).status === 200,
            running,
            timeoutMs,
          );
        }
      }
    };

    const env: Envtest = {
      server,
      kubeconfigPath,
      kubeConfig,
      caPem: ca,
      dir,
      auditLogPath,
      kubeConfigForToken: (token, user = 'token-user') => kubeConfigFor(server, ca, user, token),
      writeKubeconfigForToken: (token, user = 'token-user') => {
        const path = join(dir, `kubeconfig-${++tokenFiles}`);
        writeFileSync(path, kubeConfigFor(server, ca, user, token).exportConfig(), { mode: 0o600 });
        return path;
      },
      installCrds,
      restartApiServer: async () => {
        await apiServer.stop();
        running.splice(running.indexOf(apiServer), 1);
        apiServer = startApiServer();
        running.push(apiServer);
        await waitReady(apiServer);
      },
      crashed: () => (stopped ? [] : running.filter((p) => p.hasExited()).map((p) => p.name as 'etcd' | 'kube-apiserver')),
      pid: (program) => running.find((p) => p.name === program)?.programPid(),
      logTail: (program, lines = 30) => tailOf(join(dir, `${program}.log`), lines),
      stop,
    };
    if (options.crds !== undefined && options.crds.length > 0) await installCrds(options.crds);
    return env;
  } catch (e) {
    await stop();
    throw e;
  }
};
