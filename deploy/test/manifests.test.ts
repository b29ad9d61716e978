// deploy/: the Kubernetes manifests parse, hang together (names, namespace, ports, probes), run
// the controller the way docs/controller.md says (two replicas, non-root, read-only root
// filesystem, resources), grant exactly packages/kubernetes/rbac.yaml's role plus the Lease, and
// put the Lease's requests at kube-apiserver's leader-election priority level; the Dockerfile
// builds what the manifests run. No image can be built here (there is no Docker engine): its
// instructions are checked against the repository instead, and the packing step is run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { loadAllYaml } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { parseCommandLine } from '@capt-endpoint/cli';
import { memoryReport } from '../../packages/cli/src/memory';
import { rbacRules } from '../../packages/kubernetes/test/harness';
import { DEPLOY, boundRoles, deployManifests, type Binding, type Manifest, type Rule } from './deployRbac';

const REPO = join(__dirname, '..', '..');
const MIB = 2 ** 20;
const manifests = deployManifests();
const one = (kind: string): Manifest => {
  const found = manifests.filter(({ object }) => object.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!.object;
};
const triples = (rules: readonly Rule[]): string[] =>
  rules.flatMap((rule) => (rule.apiGroups ?? []).flatMap((g) => (rule.resources ?? []).flatMap((r) => rule.verbs.map((v) => `${v} ${g}/${r}`)))).sort();

type Container = {
  name: string;
  image: string;
  args: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
  ports: Array<{ name: string; containerPort: number }>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: Record<string, unknown>;
};
interface FlowSchemaSpec {
  priorityLevelConfiguration: { name: string };
  matchingPrecedence: number;
  rules: Array<{ subjects: unknown[]; resourceRules?: Array<Rule & { namespaces?: string[]; clusterScope?: boolean }>; nonResourceRules?: unknown[] }>;
}
const deployment = one('Deployment') as Manifest & {
  spec: { replicas: number; template: { metadata: { annotations: Record<string, string> }; spec: { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Container[] } } };
};
const pod = deployment.spec.template.spec;
const container = pod.containers[0]!;
const flag = (name: string): string | undefined => container.args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

describe('deploy/kubernetes', () => {
  it('lists every manifest in the kustomization, and only those', () => {
    const kustomization = loadAllYaml(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8'))[0] as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual([...new Set(manifests.map(({ file }) => file))].sort());
  });

  it('puts every namespaced object in the controller namespace', () => {
    const namespace = one('Namespace').metadata.name;
    for (const { object } of manifests.filter(({ object }) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'FlowSchema'].includes(object.kind)))
      expect([object.kind, object.metadata.namespace]).toEqual([object.kind, namespace]);
  });

  it('grants the ServiceAccount cluster-wide exactly packages/kubernetes/rbac.yaml and the metrics reviews, and the Lease only in the controller namespace', () => {
    const reviews = ['create authentication.k8s.io/tokenreviews', 'create authorization.k8s.io/subjectaccessreviews'];
    expect(triples(boundRoles('ClusterRole').flatMap((role) => role.rules))).toEqual([...triples(rbacRules()), ...reviews].sort());
    const [role, ...others] = boundRoles('Role');
    expect(others).toEqual([]);
    expect(triples(role!.rules)).toEqual(['create coordination.k8s.io/leases', 'get coordination.k8s.io/leases', 'patch coordination.k8s.io/leases']);
    expect(role!.namespace).toBe(deployment.metadata.namespace);
  });

  it("puts the ServiceAccount's Lease requests in its namespace, and nothing else, at kube-apiserver's leader-election priority level", () => {
    const account = one('ServiceAccount');
    const flowSchema = one('FlowSchema') as Manifest & { spec: FlowSchemaSpec };
    expect(flowSchema.apiVersion).toBe('flowcontrol.apiserver.k8s.io/v1');
    // kube-apiserver's suggested objects (1.37): the `leader-election` level, and the
    // `service-accounts` FlowSchema (precedence 9000) that would otherwise match first.
    expect(flowSchema.spec.priorityLevelConfiguration).toEqual({ name: 'leader-election' });
    expect(flowSchema.spec.matchingPrecedence).toBeLessThan(9000);
    // One subject, the ServiceAccount by name: no group, no wildcard.
    expect(flowSchema.spec.rules).toEqual([
      {
        subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: account.metadata.name, namespace: account.metadata.namespace } }],
        resourceRules: [expect.objectContaining({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: [deployment.metadata.namespace] })],
      },
    ]);
    const [leases] = flowSchema.spec.rules[0]!.resourceRules!;
    expect(leases!.clusterScope ?? false).toBe(false);
    // Single-object verbs only: a list or watch of Leases never rides on the leader's level.
    expect([...leases!.verbs].sort()).toEqual(['create', 'get', 'patch', 'update']);
    // Every Lease verb the leader-election Role grants is classified here.
    const [role] = boundRoles('Role');
    expect(triples(role!.rules).map((grant) => grant.split(' ')[0]).filter((verb) => !leases!.verbs.includes(verb!))).toEqual([]);
  });

  it('offers scrapers a ClusterRole to get /metrics, bound to nobody', () => {
    const reader = manifests.map(({ object }) => object).find((object) => object.kind === 'ClusterRole' && object.metadata.name === 'capt-endpoint-metrics-reader');
    expect(reader?.['rules']).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    expect(manifests.some(({ object }) => (object as Binding).roleRef?.name === 'capt-endpoint-metrics-reader')).toBe(false);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/scheme']).toBe('https');
  });

  it('reads Secrets with get only: no list or watch, in any namespace', () => {
    const secretVerbs = [...boundRoles('ClusterRole'), ...boundRoles('Role')].flatMap((role) => triples(role.rules)).filter((grant) => grant.endsWith(' /secrets'));
    expect(secretVerbs).toEqual(['get /secrets']);
  });

  it('binds every role to the ServiceAccount the Deployment runs as', () => {
    const account = one('ServiceAccount');
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    for (const { object } of manifests.filter(({ object }) => object.kind === 'ClusterRoleBinding' || object.kind === 'RoleBinding')) {
      const binding = object as Binding;
      const role = binding.roleRef.kind === 'Role' ? 'Role' : 'ClusterRole';
      expect(boundRoles(role).map((r) => r.name)).toContain(binding.roleRef.name);
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace }]);
    }
  });
});

describe('deploy/kubernetes/components/namespaced-secrets', () => {
  const dir = join(DEPLOY, 'components', 'namespaced-secrets');
  const component = loadAllYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0] as {
    kind: string;
    resources: string[];
    patches: Array<{ patch: string }>;
  };
  const added = deployManifests(dir).map(({ object }) => object);
  // The yaml library, not client-node's loader: that one drops fields its types do not know ($patch).
  const deleted = component.patches.map(({ patch }) => parseYaml(patch) as Manifest & { $patch?: string });
  /** The base as kustomize builds it with the component: the deleted objects gone, the component's added. */
  const built = [
    ...manifests.map(({ object }) => object).filter((object) => !deleted.some((d) => d.kind === object.kind && d.metadata.name === object.metadata.name)),
    ...added,
  ];

  it('is a kustomize Component that lists its files and deletes objects the base has', () => {
    expect(component.kind).toBe('Component');
    expect([...component.resources].sort()).toEqual([...new Set(deployManifests(dir).map(({ file }) => file))].sort());
    for (const patch of deleted) {
      expect(patch.$patch).toBe('delete');
      expect(manifests.filter(({ object }) => object.kind === patch.kind && object.metadata.name === patch.metadata.name)).toHaveLength(1);
    }
  });

  it('grants get on Secrets per namespace only, and everything else as the base does', () => {
    const secretGrants = (kind: 'ClusterRole' | 'Role') =>
      boundRoles(kind, built).flatMap((role) => triples(role.rules).filter((grant) => grant.endsWith(' /secrets')).map((grant) => `${grant} ${role.namespace ?? '(cluster)'}`));
    expect(secretGrants('ClusterRole')).toEqual([]);
    expect(secretGrants('Role')).toEqual(['get /secrets clusters']);
    const others = (objects: readonly Manifest[]) =>
      boundRoles('ClusterRole', objects).flatMap((role) => triples(role.rules)).filter((grant) => !grant.endsWith(' /secrets'));
    expect(others(built)).toEqual(others(manifests.map(({ object }) => object)));
  });

  it("sizes V8's heap, old space and young generation, within the share of the memory limit `run` accepts, with 32 MiB semi-spaces", () => {
    const nodeOptions = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
    const flag = (name: string): number => Number(new RegExp(`(?:^|\\s)--${name}=(\\d+)(?:\\s|$)`).exec(nodeOptions)?.[1]);
    const limitMiB = Number(/^(\d+)Mi$/.exec(String(container.resources.limits?.['memory']))?.[1]);
    // The heap limit V8 makes of the flags, read from a node started with them.
    const heapLimitBytes = Number(
      execFileSync(process.execPath, ['-e', "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))"], { env: { ...process.env, NODE_OPTIONS: nodeOptions } }).toString(),
    );
    expect(heapLimitBytes / MIB).toBe(flag('max-old-space-size') + 3 * flag('max-semi-space-size'));
    expect(memoryReport({ heapLimitBytes, memoryLimitBytes: limitMiB * MIB }).level).toBe('info');
    // The heap holds 10,000 control planes' cache, and a young generation that 16 reconciles in
    // flight do not overflow into the old space (docs/controller.md, ADR 0097).
    expect(flag('max-old-space-size')).toBeGreaterThanOrEqual(256);
    expect(flag('max-semi-space-size')).toBeGreaterThanOrEqual(32);
  });

  it('runs two replicas, non-root, on a read-only root filesystem, with requests and a memory limit', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(Object.keys(container.resources.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(container.resources.limits?.['memory']).toBeDefined();
  });

  it('probes /healthz and /readyz on the health probe port, and exposes the metrics port', () => {
    const portOf = (name: string): number | undefined => container.ports.find((port) => port.name === name)?.containerPort;
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.port).toBe(container.readinessProbe.httpGet.port);
    expect(`:${portOf(container.livenessProbe.httpGet.port)}`).toBe(flag('health-probe-bind-address'));
    expect(`:${portOf('metrics')}`).toBe(flag('metrics-bind-address'));
  });

  it('passes arguments the command accepts: run, leader election on, metrics and probes on their ports', () => {
    // The kubelet expands $(POD_NAMESPACE) from the env entry before the command sees it.
    const parsed = parseCommandLine(container.args.map((arg) => arg.replace('$(POD_NAMESPACE)', 'capt-endpoint-system')));
    expect(E.isRight(parsed) && parsed.right).toMatchObject({
      _tag: 'Run',
      run: {
        leaderElection: { namespace: 'capt-endpoint-system', id: 'capt-endpoint', leaseDurationMs: 15_000 },
        metricsAddress: { host: '', port: 8443 },
        metricsSecure: true,
        healthAddress: { host: '', port: 8081 },
      },
    });
  });

  it('leads with a Lease in its own namespace, given by the downward API', () => {
    expect(flag('leader-election-namespace')).toBe('$(POD_NAMESPACE)');
    expect(container.env?.find((e) => e.name === 'POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(container.args.includes('--leader-elect=false')).toBe(false);
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO, 'deploy', 'Dockerfile'), 'utf8');
  // One instruction per logical line: continuation lines joined, comments dropped.
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const space = line.indexOf(' ');
      return { op: line.slice(0, space).toUpperCase(), rest: line.slice(space + 1).trim() };
    });
  const stages = instructions.reduce<Array<Array<{ op: string; rest: string }>>>((all, instruction) => {
    if (instruction.op === 'FROM') all.push([]);
    all[all.length - 1]?.push(instruction);
    return all;
  }, []);
  const final = stages[stages.length - 1]!;

  it('builds on an exact Node release of the major the tests run on, and runs on distroless of that major, as a numeric non-root user', () => {
    const images = instructions.filter((i) => i.op === 'FROM').map((i) => i.rest.split(/\s+/)[0]!);
    const major = process.versions.node.split('.')[0]!;
    for (const image of images.slice(0, -1)) expect(image).toMatch(new RegExp(`^node:${major}\\.\\d+\\.\\d+-bookworm-slim$`));
    expect(images[images.length - 1]).toMatch(new RegExp(`^gcr\\.io/distroless/nodejs${major}-debian12:nonroot(@sha256:[0-9a-f]{64})?$`));
    const user = final.filter((i) => i.op === 'USER').pop()?.rest;
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    // The Deployment runs as the same user the image declares.
    expect(String(pod.securityContext['runAsUser'])).toBe(user?.split(':')[0]);
  });

  it('names its image as the documented build tags it, at the packages\' version', () => {
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const tags = [dockerfile, readFileSync(join(REPO, 'docs', 'controller.md'), 'utf8')].map((text) => /docker build -f deploy\/Dockerfile -t (\S+) \./.exec(text)?.[1]);
    expect(tags).toEqual([`capt-endpoint:${version}`, `capt-endpoint:${version}`]);
    expect(container.image).toBe(tags[0]);
  });

  it('leaves out of its build context nothing it copies, and keeps built output and modules out', () => {
    const rules = readFileSync(join(REPO, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const glob = (pattern: string): RegExp => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(?:.*/)?').replace(/\*(?![^(]*\))/g, '[^/]*')}$`);
    // Docker's rule: the last pattern that matches decides; `!` includes again.
    const included = (path: string): boolean =>
      rules.reduce((keep, rule) => (rule.startsWith('!') ? (glob(rule.slice(1)).test(path) ? true : keep) : glob(rule).test(path) ? false : keep), true);
    const copied = instructions.filter((i) => i.op === 'COPY' && !i.rest.startsWith('--from')).flatMap((i) => i.rest.split(/\s+/).slice(0, -1));
    expect(copied.filter((path) => !included(path))).toEqual([]);
    for (const path of ['node_modules', 'packages/core/dist', 'packages/cli/node_modules', '.git', 'bench', 'docs', 'packed', 'packages/core/test']) expect([path, included(path)]).toEqual([path, false]);
  });

  it('copies only what exists, and adds nothing from the network', () => {
    expect(instructions.some((i) => i.op === 'ADD')).toBe(false);
    for (const copy of instructions.filter((i) => i.op === 'COPY' && !i.rest.startsWith('--from'))) {
      const sources = copy.rest.split(/\s+/).slice(0, -1);
      for (const source of sources) expect([source, existsSync(join(REPO, source))]).toEqual([source, true]);
    }
  });

  it('runs the scripts the repository has and packs every workspace package the command needs', () => {
    const root = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string>; workspaces: string[] };
    const run = instructions.filter((i) => i.op === 'RUN').map((i) => i.rest).join(' && ');
    for (const script of [...run.matchAll(/npm run (\S+)/g)].map((m) => m[1]!)) expect(Object.keys(root.scripts)).toContain(script);
    const packed = [...run.matchAll(/--workspace (\S+)/g)].map((m) => m[1]!).sort();
    const needed = new Set<string>();
    const visit = (name: string): void => {
      if (needed.has(name)) return;
      needed.add(name);
      const dir = root.workspaces.find((w) => JSON.parse(readFileSync(join(REPO, w, 'package.json'), 'utf8')).name === name)!;
      const manifest = JSON.parse(readFileSync(join(REPO, dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      for (const dependency of Object.keys(manifest.dependencies ?? {})) if (dependency.startsWith('@capt-endpoint/')) visit(dependency);
    };
    visit('@capt-endpoint/cli');
    expect(packed).toEqual([...needed].sort());
  });

  it('runs the controller by default, with arguments the command accepts', () => {
    const command = JSON.parse(final.find((i) => i.op === 'CMD')!.rest) as string[];
    const parsed = parseCommandLine(command);
    expect(E.isRight(parsed) && parsed.right).toMatchObject({ _tag: 'Run', run: { metricsAddress: { port: 8443 }, metricsSecure: true, healthAddress: { port: 8081 } } });
    expect(final.find((i) => i.op === 'EXPOSE')?.rest.split(/\s+/).sort()).toEqual(['8081', '8443']);
  });

  it('starts the packed command: its entry point is the file the cli package publishes as its bin', () => {
    const entrypoint = JSON.parse(final.find((i) => i.op === 'ENTRYPOINT')!.rest) as string[];
    expect(entrypoint[0]).toBe('/nodejs/bin/node');
    const cli = JSON.parse(readFileSync(join(REPO, 'packages', 'cli', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(entrypoint[1]).toBe(join('/app/node_modules/@capt-endpoint/cli', cli.bin['capt-endpoint']!));
    // `npm pack` as the build stage runs it (dry run): the bin is in the tarball.
    const listing = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--workspace', '@capt-endpoint/cli'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    ) as Array<{ files: Array<{ path: string }> }>;
    expect(listing[0]!.files.map((f) => f.path)).toContain(cli.bin['capt-endpoint']!.replace(/^\.\//, ''));
  });
});
