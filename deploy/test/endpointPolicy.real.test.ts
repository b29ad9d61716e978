// deploy/components/endpoint-policy on a real kube-apiserver (a server of its own: the binding is
// cluster-wide, as shipped): Warn and Audit as shipped, then Deny through the endpoint-policy-deny
// component. The policy and the core's grammar judge the same values alike, or the difference
// is known; CAPT's URL-as-host write is warned, then refused; our own writes never are.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { isEndpointSet, reconcileEndpoint, type KubeObject } from '@capt-endpoint/core';
import type { StoredEndpoint } from '@capt-endpoint/core/adapter';
import { envtestCrds, startEnvtest, type Envtest } from '@capt-endpoint/envtest';
import { EKS_HOST, EKS_URL, cluster, controlPlane, workspace, workspaceApply } from '../../packages/core/test/fixtures';
import { realBackend } from '../../packages/envtest/test/backends';
import { CLUSTER, CP } from '../../packages/envtest/test/scenarios';
import { freshNamespace, uniqueName } from '../../packages/envtest/test/realServer';
import { renderComponents, send, type Answer } from './admissionPolicy';
import { agreementRows, coreVerdict, knownDifferences, type Verdict } from './endpointAgreement';

const POLICY = 'capt-endpoint-control-plane-endpoint';
// A rule's message, never an expression's error (failurePolicy Fail would make that a refusal too).
const DENIED = `ValidatingAdmissionPolicy '${POLICY}' with binding '${POLICY}' denied request: spec.controlPlaneEndpoint: `;
const WARNED = `Validation failed for ValidatingAdmissionPolicy '${POLICY}' with binding '${POLICY}': spec.controlPlaneEndpoint: `;
const AUDIT_KEY = 'validation.policy.admission.k8s.io/validation_failure';
const CAPT_MANAGER = 'manager';

const controlPlanes = (namespace: string) => `/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${namespace}/captcontrolplanes`;
const clusters = (namespace: string, version: 'v1beta1' | 'v1beta2') => `/apis/cluster.x-k8s.io/${version}/namespaces/${namespace}/clusters`;

const controlPlaneBody = (name: string, endpoint?: StoredEndpoint) => ({
  apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
  kind: 'CAPTControlPlane',
  metadata: { name },
  spec: { version: '1.31', workspaceTemplateRef: { name: 'eks-controlplane-template' }, ...(endpoint === undefined ? {} : { controlPlaneEndpoint: endpoint }) },
});

const clusterBody = (version: 'v1beta1' | 'v1beta2', name: string, endpoint?: StoredEndpoint) => ({
  apiVersion: `cluster.x-k8s.io/${version}`,
  kind: 'Cluster',
  metadata: { name },
  spec: endpoint === undefined ? { paused: false } : { controlPlaneEndpoint: endpoint },
});

/** The policy's verdict on a create or update; any other refusal (the CRD schema's) is a failure. */
const verdictOf = (answer: Answer): { verdict: Verdict; message: string } => {
  const message = answer.body.message ?? '';
  if (answer.status === 200 || answer.status === 201) return { verdict: 'admitted', message: answer.warnings.find((w) => w.startsWith(WARNED)) ?? '' };
  if (answer.status === 422 && message.includes(DENIED)) return { verdict: 'refused', message };
  throw new Error(`not the policy's answer: ${answer.status} ${message}`);
};

/** CAPT's controller at HEAD: a full Update of its copy, the raw output as host and 443, as field manager `manager`. */
const captUpdate = async (kubeConfig: KubeConfig, namespace: string, name: string, change: (object: KubeObject) => KubeObject): Promise<Answer> => {
  const path = `${controlPlanes(namespace)}/${name}`;
  const read = await send(kubeConfig, 'GET', path);
  expect(read.status).toBe(200);
  return send(kubeConfig, 'PUT', `${path}?fieldManager=${CAPT_MANAGER}`, change(read.body as unknown as KubeObject));
};

const withEndpoint = (endpoint: StoredEndpoint, label?: string) => (object: KubeObject): KubeObject => ({
  ...object,
  metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...(label === undefined ? {} : { 'capt.example/pass': label }) } },
  spec: { ...(object['spec'] as object), controlPlaneEndpoint: endpoint },
});

const AUDIT_POLICY = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [{ level: 'Metadata', resources: [{ group: 'controlplane.cluster.x-k8s.io', resources: ['captcontrolplanes'] }] }, { level: 'None' }],
};

interface AuditEvent {
  readonly objectRef?: { readonly name?: string; readonly namespace?: string };
  readonly verb?: string;
  readonly annotations?: Record<string, string>;
}

const auditEvents = (path: string | undefined): AuditEvent[] =>
  path === undefined || !existsSync(path)
    ? []
    : readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as AuditEvent);

const eventually = async <A>(what: string, attempt: () => Promise<A | undefined>, ms = 30_000): Promise<A> => {
  const deadline = performance.now() + ms;
  for (;;) {
    const found = await attempt();
    if (found !== undefined) return found;
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

describe('the endpoint admission policy on a real API server', () => {
  let env: Envtest;
  let kubeConfig: KubeConfig;
  let probes: string;

  /** Creates or replaces each object the components give, then waits until the server acts on the binding. */
  const install = async (mode: 'Warn' | 'Deny', ...components: string[]): Promise<void> => {
    for (const object of renderComponents(...components)) {
      const path = `/apis/admissionregistration.k8s.io/v1/${object.kind === 'ValidatingAdmissionPolicy' ? 'validatingadmissionpolicies' : 'validatingadmissionpolicybindings'}`;
      const existing = await send(kubeConfig, 'GET', `${path}/${object.metadata.name}`);
      const answer =
        existing.status === 404
          ? await send(kubeConfig, 'POST', path, object)
          : await send(kubeConfig, 'PUT', `${path}/${object.metadata.name}`, { ...object, metadata: { ...object.metadata, resourceVersion: existing.body.metadata?.resourceVersion } });
      expect([answer.status, answer.body.message]).toEqual([existing.status === 404 ? 201 : 200, undefined]);
    }
    await eventually(`the binding in ${mode} mode`, async () => {
      const { verdict, message } = verdictOf(await send(kubeConfig, 'POST', controlPlanes(probes), controlPlaneBody(uniqueName('probe'), { host: EKS_URL, port: 443 })));
      return (mode === 'Deny' ? verdict === 'refused' : verdict === 'admitted' && message !== '') || undefined;
    });
  };

  beforeAll(async () => {
    env = await startEnvtest({ crds: envtestCrds('servedBoth'), auditPolicy: AUDIT_POLICY });
    kubeConfig = env.kubeConfig;
    probes = await freshNamespace(kubeConfig, 'probes');
    await install('Warn', 'endpoint-policy');
  });

  afterAll(async () => {
    await env?.stop();
  });

  // Stored in Warn mode, read again in Deny mode: a value from before the switch.
  let storedBadly: { namespace: string; name: string };

  describe('as shipped: Warn and Audit', () => {
    it("warns CAPT's URL-as-host write, stores it, and records it in the audit log; the same value written again is not checked", async () => {
      const namespace = await freshNamespace(kubeConfig, 'warn');
      const name = 'demo-cp';
      const created = await send(kubeConfig, 'POST', controlPlanes(namespace), controlPlaneBody(name));
      expect([created.status, created.warnings]).toEqual([201, []]);

      const written = await captUpdate(kubeConfig, namespace, name, withEndpoint({ host: EKS_URL, port: 443 }, 'first'));
      expect(written.status).toBe(200);
      expect(written.warnings).toEqual([`${WARNED}host is a URL: write the host alone and the port in port (https://api.example.com:6443 is host: api.example.com, port: 6443)`]);
      expect(written.body['spec']).toMatchObject({ controlPlaneEndpoint: { host: EKS_URL, port: 443 } });
      expect((written.body['metadata'] as { managedFields: Array<{ manager: string }> }).managedFields.map((m) => m.manager)).toContain(CAPT_MANAGER);

      const annotation = await eventually('the audit event', async () =>
        auditEvents(env.auditLogPath).find((event) => event.verb === 'update' && event.objectRef?.namespace === namespace && event.annotations?.[AUDIT_KEY] !== undefined)?.annotations?.[AUDIT_KEY],
      );
      expect(JSON.parse(annotation)).toEqual([expect.objectContaining({ policy: POLICY, binding: POLICY, validationActions: ['Warn', 'Audit'], message: expect.stringContaining('host is a URL') })]);

      // CAPT's next pass: its other changes, the endpoint as stored.
      const again = await captUpdate(kubeConfig, namespace, name, withEndpoint({ host: EKS_URL, port: 443 }, 'second'));
      expect([again.status, again.warnings]).toEqual([200, []]);
      storedBadly = { namespace, name };
    });
  });

  describe('with endpoint-policy-deny: Deny and Audit', () => {
    beforeAll(async () => {
      await install('Deny', 'endpoint-policy', 'endpoint-policy-deny');
    });

    it("gives every value of the endpoint grammar the core's verdict, or a known difference", async () => {
      const namespace = await freshNamespace(kubeConfig, 'agree');
      const { rows, notStorable } = agreementRows();
      const tally = { agreedAdmitted: 0, agreedRefused: 0, known: new Map<string, string[]>(), unexplained: [] as string[] };
      for (const [i, { label, endpoint }] of rows.entries()) {
        // CAPTControlPlane requires both fields; a v1beta1 Cluster holds either alone.
        const answer =
          endpoint.host !== undefined && endpoint.port !== undefined
            ? await send(kubeConfig, 'POST', controlPlanes(namespace), controlPlaneBody(`cp-${i}`, endpoint))
            : await send(kubeConfig, 'POST', clusters(namespace, 'v1beta1'), clusterBody('v1beta1', `cluster-${i}`, endpoint));
        const policy = verdictOf(answer);
        const core = coreVerdict(endpoint);
        const shown = `${label} ${JSON.stringify(endpoint)}: policy ${policy.verdict}, core ${core}`;
        if (policy.verdict === core) {
          if (core === 'admitted') tally.agreedAdmitted++;
          else tally.agreedRefused++;
          continue;
        }
        const known = knownDifferences.find((difference) => difference.applies(endpoint, policy.verdict, core));
        if (known === undefined) tally.unexplained.push(`${shown} (${policy.message})`);
        else tally.known.set(known.name, [...(tally.known.get(known.name) ?? []), shown]);
      }
      const knownCount = [...tally.known.values()].reduce((sum, shown) => sum + shown.length, 0);
      const summary = `${rows.length} values, ${tally.agreedAdmitted + tally.agreedRefused} agreed (${tally.agreedAdmitted} admitted, ${tally.agreedRefused} refused), ${knownCount} known differences`;
      process.stderr.write(
        `\nadmission policy versus core: ${summary} (${[...tally.known].map(([name, shown]) => `${name} ${shown.length}`).join(', ')}), ${tally.unexplained.length} unexplained; ` +
          `${notStorable.length} grammar values no CRD can hold\n`,
      );
      // docs/admission-policy.md gives the same figures.
      expect(readFileSync(join(__dirname, '..', '..', 'docs', 'admission-policy.md'), 'utf8').replace(/\s+/g, ' ')).toContain(`${summary}:`);
      expect(tally.unexplained).toEqual([]);
      // Each difference listed still occurs.
      expect(knownDifferences.filter((d) => !tally.known.has(d.name)).map((d) => d.name)).toEqual([]);
      expect(tally.agreedRefused).toBeGreaterThan(50);
      expect(tally.agreedAdmitted).toBeGreaterThan(20);
    });

    it("refuses CAPT's URL-as-host write, and with it the other changes of the same Update", async () => {
      const namespace = await freshNamespace(kubeConfig, 'deny');
      expect((await send(kubeConfig, 'POST', controlPlanes(namespace), controlPlaneBody('demo-cp'))).status).toBe(201);
      const refused = await captUpdate(kubeConfig, namespace, 'demo-cp', withEndpoint({ host: EKS_URL, port: 443 }, 'first'));
      expect([refused.status, refused.body.message]).toEqual([
        422,
        `captcontrolplanes.controlplane.cluster.x-k8s.io "demo-cp" is forbidden: ${DENIED}host is a URL: write the host alone and the port in port (https://api.example.com:6443 is host: api.example.com, port: 6443)`,
      ]);
      const stored = await send(kubeConfig, 'GET', `${controlPlanes(namespace)}/demo-cp`);
      expect(stored.body['spec']).not.toHaveProperty('controlPlaneEndpoint');
      expect((stored.body['metadata'] as { labels?: object }).labels ?? {}).not.toHaveProperty('capt.example/pass');
    });

    it('lets an unrelated update through a value stored before, and refuses a changed malformed value', async () => {
      const { namespace, name } = storedBadly;
      const unrelated = await captUpdate(kubeConfig, namespace, name, withEndpoint({ host: EKS_URL, port: 443 }, 'third'));
      expect([unrelated.status, unrelated.warnings]).toEqual([200, []]);
      const changed = await captUpdate(kubeConfig, namespace, name, withEndpoint({ host: EKS_URL, port: 6443 }));
      expect(verdictOf(changed)).toEqual({ verdict: 'refused', message: expect.stringContaining('host is a URL') });
    });

    it('never refuses our writes: a first set, the repair of a value stored before, the clean-up on deletion', async () => {
      const outputs = { outputs: { cluster_endpoint: EKS_URL } };
      const eks = { host: EKS_HOST, port: 443 };
      // A first set on both objects.
      const first = await realBackend(kubeConfig);
      try {
        const client = await first.seed([controlPlane(), cluster(), workspaceApply('demo-eks'), workspace(outputs)]);
        const set = await reconcileEndpoint(client, { namespace: first.namespace, name: CP.name })();
        expect(E.isRight(set) && set.right).toMatchObject({ _tag: 'Updated', updated: expect.arrayContaining(['CAPTControlPlane', 'Cluster']) });
        expect((await first.read(CP))?.['spec']).toMatchObject({ controlPlaneEndpoint: eks });
        expect((await first.read(CLUSTER))?.['spec']).toMatchObject({ controlPlaneEndpoint: eks });
      } finally {
        await first.cleanUp();
      }
      // A control plane whose URL-as-host was stored before the switch: repaired, then deleted and the Cluster cleared.
      const repair = await realBackend(kubeConfig);
      try {
        const finalizer = ['controlplane.cluster.x-k8s.io/captcontrolplane'];
        const held = controlPlane({ endpoint: eks });
        const client = await repair.seed([{ ...held, metadata: { ...held.metadata, finalizers: finalizer } }, cluster(eks), workspaceApply('demo-eks'), workspace(outputs)]);
        await install('Warn', 'endpoint-policy');
        const badly = await captUpdate(kubeConfig, repair.namespace, CP.name, withEndpoint({ host: EKS_URL, port: 443 }));
        expect(badly.warnings).toHaveLength(1);
        await install('Deny', 'endpoint-policy', 'endpoint-policy-deny');

        const repaired = await reconcileEndpoint(client, { namespace: repair.namespace, name: CP.name })();
        expect(E.isRight(repaired) && repaired.right._tag).toBe('Repaired');
        expect((await repair.read(CP))?.['spec']).toMatchObject({ controlPlaneEndpoint: eks });

        await repair.delete(CP);
        const cleaned = await reconcileEndpoint(client, { namespace: repair.namespace, name: CP.name })();
        expect(E.isRight(cleaned) && cleaned.right._tag).toBe('CleanedUp');
        const clusterSpec = (await repair.read(CLUSTER))?.['spec'] as { controlPlaneEndpoint?: StoredEndpoint } | undefined;
        expect(clusterSpec).toBeDefined();
        expect(isEndpointSet(clusterSpec?.controlPlaneEndpoint)).toBe(false);
      } finally {
        await repair.cleanUp();
      }
    });

    it("admits a control plane created without an endpoint, and Clusters unset in either version's spelling", async () => {
      const namespace = await freshNamespace(kubeConfig, 'unset');
      for (const [path, body] of [
        [controlPlanes(namespace), controlPlaneBody('no-endpoint')],
        [clusters(namespace, 'v1beta1'), clusterBody('v1beta1', 'unset-v1beta1', { host: '', port: 0 })],
        [clusters(namespace, 'v1beta2'), clusterBody('v1beta2', 'unset-v1beta2')],
      ] as const) {
        expect(verdictOf(await send(kubeConfig, 'POST', path, body))).toEqual({ verdict: 'admitted', message: '' });
      }
    });

    it('checks Clusters at both versions', async () => {
      const namespace = await freshNamespace(kubeConfig, 'clusters');
      for (const version of ['v1beta1', 'v1beta2'] as const) {
        const answer = await send(kubeConfig, 'POST', clusters(namespace, version), clusterBody(version, `url-${version}`, { host: EKS_URL, port: 443 }));
        expect(verdictOf(answer)).toEqual({ verdict: 'refused', message: expect.stringContaining('host is a URL') });
      }
    });
  });
});
