/**
 * Cold starts on a real kube-apiserver and etcd (@capt-endpoint/envtest), as an operator runs
 * the controller: deploy/'s RBAC applied, `capt-endpoint run` authenticated with a TokenRequest
 * token of deploy/'s ServiceAccount, leader election on, V8's old space from deploy/'s
 * NODE_OPTIONS. The control planes are created through the API as CAPT's users and CAPT create
 * them (Cluster, CAPTControlPlane, WorkspaceTemplateApply, a Workspace already applied).
 * Requests are counted by the server (its audit log, the controller's user only); the CPU of
 * kube-apiserver and etcd is read from /proc over the same span as the controller's.
 */
import { spawnSync } from 'node:child_process';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { AUDIT_WRITE_VERBS, auditLogSize, readAuditLog, tallyAudit, type Envtest } from '@capt-endpoint/envtest';
import { CLUSTER, CONTROL_PLANE, captClusterNames, conditionOf, createCaptCluster, endpointOf, terraformApplied } from '../../deploy/test/captOnServer';
import { CONTROLLER_NAMESPACE, CONTROLLER_USER, applyObjects, rbacObjectsIn, serviceAccountToken, startAuditedEnvtest } from '../../deploy/test/operatorInstall';
import type { ColdStartServer } from './coldStart';
import type { RequestCount } from './loopback';

/**
 * The folder of kube-apiserver and etcd: KUBEBUILDER_ASSETS, or the build `npm run
 * envtest:assets` left in its cache. Throws, naming the command, when neither holds them.
 */
export const envtestAssets = (root: string): string => {
  const found = spawnSync(process.execPath, [join(root, 'scripts', 'envtest-assets.mjs'), '--json', '--no-build'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const last = found.stdout.trim().split('\n').pop();
  if (found.status !== 0 || last === undefined || last === '') {
    throw new Error(`no kube-apiserver and etcd for the real-server section: run \`npm run envtest:assets\` (or set KUBEBUILDER_ASSETS) first${found.stderr ? ` (${found.stderr.trim().split('\n').pop()})` : ''}`);
  }
  return (JSON.parse(last) as { dir: string }).dir;
};

/** The namespace the control planes live in. */
const FLEET = 'fleet';

/** Runs `work` on every item, at most `concurrency` at a time. */
const eachBounded = async <T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
};

/** An endpoint address of its own per control plane (10.0.0.1 on). */
const endpointFor = (index: number): string => {
  const n = index + 1;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

/**
 * The same credentials over kept-alive connections: client-node 1.x gives every request an agent
 * of its own, a TLS handshake each, which made seeding 10,000 control planes take half an hour.
 */
const keptAlive = (kubeConfig: KubeConfig): KubeConfig => {
  const kept = new KubeConfig();
  kept.loadFromString(kubeConfig.exportConfig());
  const authenticate = kept.applySecurityAuthentication.bind(kept);
  let agent: Agent | undefined;
  kept.applySecurityAuthentication = async (context) => {
    await authenticate(context);
    const fresh = (context as unknown as { getAgent(): { options: object } | undefined }).getAgent();
    agent ??= new Agent({ ...fresh?.options, keepAlive: true });
    (context as unknown as { setAgent(agent: Agent): void }).setAgent(agent);
  };
  return kept;
};

/** `controlPlanes` CAPT clusters whose Terraform has applied, created through the API `concurrency` at a time. */
export const seedCaptClusters = async (admin: KubeConfig, controlPlanes: number, concurrency: number): Promise<void> => {
  const kubeConfig = keptAlive(admin);
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: FLEET } } });
  const names = Array.from({ length: controlPlanes }, (_, i) => captClusterNames(FLEET, `cp-${i}`));
  const started = Date.now();
  let done = 0;
  await eachBounded(names, concurrency, async (cluster, i) => {
    await createCaptCluster(kubeConfig, cluster);
    await terraformApplied(kubeConfig, cluster, endpointFor(i), 'outputs');
    if (++done % 1000 === 0 && done < controlPlanes) console.log(`bench:   ${done} of ${controlPlanes} created in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });
};

type Json = Record<string, unknown>;
const nameOf = (object: Json): string => {
  const name = (object['metadata'] as Json | undefined)?.['name'];
  return typeof name === 'string' ? name : '';
};

/**
 * Which control planes have their endpoint set on themselves (with EndpointReady True) and on
 * their Cluster, kept from a watch of each kind from the seeded state on: the server answers
 * watch events, not a list of every object each poll.
 */
const watchEndpoints = async (kubeConfig: KubeConfig): Promise<{ readonly set: () => number; readonly stop: () => void }> => {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const readyPlanes = new Set<string>();
  const readyClusters = new Set<string>();
  const watches: AbortController[] = [];
  let failure: unknown;
  const follow = async (resource: typeof CONTROL_PLANE | typeof CLUSTER, isSet: (object: Json) => boolean, into: Set<string>): Promise<void> => {
    const list = (await api.listClusterCustomObject({ ...resource, limit: 1 })) as Json;
    const resourceVersion = String((list['metadata'] as Json)['resourceVersion']);
    const path = `/apis/${resource.group}/${resource.version}/${resource.plural}`;
    watches.push(
      await new Watch(kubeConfig).watch(
        path,
        { resourceVersion },
        (_phase: string, object: Json) => {
          if (isSet(object)) into.add(nameOf(object));
          else into.delete(nameOf(object));
        },
        (error: unknown) => {
          if (error !== null && error !== undefined && (error as { name?: string }).name !== 'AbortError') failure = error;
        },
      ),
    );
  };
  await follow(CONTROL_PLANE, (o) => endpointOf(o) !== undefined && conditionOf(o, 'EndpointReady')?.['status'] === 'True', readyPlanes);
  await follow(CLUSTER, (o) => endpointOf(o) !== undefined, readyClusters);
  return {
    set: () => {
      if (failure !== undefined) throw new Error(`the watch of endpoints ended: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}`);
      let set = 0;
      for (const name of readyPlanes) if (readyClusters.has(name)) set++;
      return set;
    },
    stop: () => {
      for (const watch of watches) watch.abort();
    },
  };
};

/** The controller's requests logged from byte `from` on, by `verb resource`. */
const controllerRequests = (auditLogPath: string, from: number): RequestCount => {
  const ours = readAuditLog(auditLogPath, from).filter((e) => e.user.username === CONTROLLER_USER);
  return { requests: ours.length, writes: ours.filter((e) => AUDIT_WRITE_VERBS.has(e.verb)).length, byVerb: tallyAudit(ours) };
};

export interface RealServer extends ColdStartServer {
  readonly env: Envtest;
  /** The controller's namespace, where its Lease is. */
  readonly leaseNamespace: string;
  readonly close: () => Promise<void>;
}

/**
 * A fresh audited server holding `controlPlanes` applied CAPT clusters and deploy/'s RBAC, and a
 * kubeconfig with a token of deploy/'s ServiceAccount for the controller.
 */
export const startRealServer = async (root: string, controlPlanes: number, seedConcurrency: number): Promise<RealServer> => {
  const env = await startAuditedEnvtest();
  let endpoints: Awaited<ReturnType<typeof watchEndpoints>> | undefined;
  try {
    await applyObjects(env.kubeConfig, rbacObjectsIn(join(root, 'deploy', 'kubernetes')));
    await seedCaptClusters(env.kubeConfig, controlPlanes, seedConcurrency);
    const watched = await watchEndpoints(env.kubeConfig);
    endpoints = watched;
    const token = await serviceAccountToken(env.kubeConfig);
    const auditLogPath = env.auditLogPath as string;
    let mark = auditLogSize(auditLogPath);
    return {
      env,
      leaseNamespace: CONTROLLER_NAMESPACE,
      kubeConfigYaml: env.kubeConfigForToken(token, 'capt-endpoint').exportConfig(),
      endpointsSet: () => Promise.resolve({ controlPlanes, set: watched.set() }),
      mark: () => {
        mark = auditLogSize(auditLogPath);
        return Promise.resolve();
      },
      count: () => Promise.resolve(controllerRequests(auditLogPath, mark)),
      processes: () => ({ 'kube-apiserver': env.pid('kube-apiserver'), etcd: env.pid('etcd') }),
      close: async () => {
        watched.stop();
        await env.stop();
      },
    };
  } catch (error) {
    endpoints?.stop();
    await env.stop();
    throw error;
  }
};
