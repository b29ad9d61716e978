import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { billionLaughs } from '../../testing/test/fixtures';
import { EKS_HOST, jsonLines, REPO, run } from './helpers';

const initial = ['-f', 'examples/manifests'];
const applied = [...initial, '-f', 'examples/manifests/later/workspace-applied.yaml'];

const tempFile = (name: string, text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'capt-explain-')), name);
  writeFileSync(path, text);
  return path;
};

/** The example's control plane, as a file, holding `host` and port 443. */
const controlPlaneHolding = (host: string): string =>
  tempFile(
    'cp.yaml',
    `apiVersion: controlplane.cluster.x-k8s.io/v1beta1
kind: CAPTControlPlane
metadata: {name: demo, namespace: team-a, ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: demo}]}
spec: {workspaceTemplateApplyName: demo-eks-controlplane-apply, controlPlaneEndpoint: {host: ${JSON.stringify(host)}, port: 443}}
`,
  );

describe('capt-endpoint explain', () => {
  it('explains why it waits, and exits 2, while the Workspace has no endpoint', async () => {
    const { code, stdout, stderr } = await run(['explain', ...initial]);
    expect(code).toBe(2);
    expect(stderr).toBe('');
    expect(stdout).toContain('CAPTControlPlane team-a/demo: waiting for EndpointOutput (dry run)');
    expect(stdout).toContain('✓ Workspace demo-eks-controlplane');
    expect(stdout).toContain('✓ Secret team-a/demo-eks-connection, the connection Secret: the outputs lack the endpoint');
    expect(stdout).toContain('… connection Secret team-a/demo-eks-connection has no key "cluster_endpoint" yet');
    expect(stdout).not.toContain('\u001b[');
  });

  it('says what would be set, from which output, with the patches it would send, and exits 0', async () => {
    const { code, stdout } = await run(['explain', ...applied, '-o', 'json']);
    expect(code).toBe(0);
    const [report, ...more] = jsonLines(stdout);
    expect(more).toEqual([]);
    expect(report).toMatchObject({
      controlPlane: 'team-a/demo',
      result: 'Updated',
      exitCode: 0,
      dryRun: true,
      endpoint: { host: EKS_HOST, port: 443 },
      source: { from: 'outputs', workspace: 'Workspace demo-eks-controlplane', key: 'cluster_endpoint' },
      condition: { type: 'EndpointReady', status: 'True', reason: 'EndpointSet' },
      endpoints: [
        { object: 'CAPTControlPlane team-a/demo', before: null, after: { host: EKS_HOST, port: 443 } },
        { object: 'Cluster team-a/demo', before: null, after: { host: EKS_HOST, port: 443 } },
      ],
    });
    const writes = report?.['writes'] as Array<{ verb: string; object: string; sent: boolean; patch: { spec?: unknown } }>;
    expect(writes.map((w) => `${w.verb} ${w.object} ${w.sent}`)).toEqual([
      'patch CAPTControlPlane team-a/demo false',
      'patch Cluster team-a/demo false',
      'patchStatus CAPTControlPlane team-a/demo false',
    ]);
    expect(writes[0]?.patch.spec).toEqual({ controlPlaneEndpoint: { host: EKS_HOST, port: 443 } });
    expect(report?.['message']).toMatch(/\(would write CAPTControlPlane, Cluster, CAPTControlPlaneStatus\)$/);
  });

  it('prints YAML documents through dumpYaml', async () => {
    const { code, stdout } = await run(['explain', ...applied, '-o', 'yaml']);
    expect(code).toBe(0);
    const documents = loadAllYaml(stdout) as Array<Record<string, unknown>>;
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ result: 'Updated', endpoint: { host: EKS_HOST, port: 443 } });
  });

  it('shows drift as a refusal with its condition, and exits 1', async () => {
    const drifted = controlPlaneHolding('old.example.com');
    const { code, stdout } = await run(['explain', ...applied, '-f', drifted]);
    expect(code).toBe(1);
    expect(stdout).toContain('drift: keeps old.example.com:443, the Workspace says');
    expect(stdout).toContain('condition EndpointReady=False EndpointDrift');
    // The Cluster had no endpoint: it gets the one the control plane holds, never the Workspace's new one.
    expect(stdout).toMatch(/Cluster team-a\/demo +\(unset\) → old\.example\.com:443/);
  });

  it('repairs a malformed endpoint and points to the admission policy that flags such a write', async () => {
    const malformed = controlPlaneHolding(`https://${EKS_HOST}`);
    const { code, stdout } = await run(['explain', ...applied, '-f', malformed]);
    expect(code).toBe(0);
    expect(stdout).toContain('would repair a malformed endpoint');
    expect(stdout).toContain('hint: with deploy/components/endpoint-policy installed, the API server warns the writer of such a value (or refuses it): docs/admission-policy.md');
    // Nothing malformed, no hint.
    expect((await run(['explain', ...applied])).stdout).not.toContain('endpoint-policy');
  });

  it('shows a contested endpoint: the other writer, what it writes, when writing resumes, what to do; exits 1', async () => {
    const ago = (seconds: number): string => new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const url = 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com';
    // Stamped once: the expectation below must not fall in the next minute.
    const otherWriteAt = ago(30);
    // Two of our writes in the record, each answered by CAPT's controller (field manager "manager").
    const contested = tempFile(
      'cp.yaml',
      JSON.stringify({
        apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
        kind: 'CAPTControlPlane',
        metadata: {
          name: 'demo',
          namespace: 'team-a',
          ownerReferences: [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name: 'demo' }],
          annotations: { 'capt-endpoint.io/endpoint-writes': JSON.stringify({ writes: [ago(90), ago(60)], probes: 0 }) },
          managedFields: [
            { manager: 'manager', operation: 'Update', apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', time: otherWriteAt, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:controlPlaneEndpoint': { 'f:host': {}, 'f:port': {} } } } },
          ],
        },
        spec: { workspaceTemplateApplyName: 'demo-eks-controlplane-apply', controlPlaneEndpoint: { host: url, port: 443 } },
      }),
    );
    const { code, stdout } = await run(['explain', ...applied, '-f', contested]);
    expect(code).toBe(1);
    expect(stdout).toContain('contested on CAPTControlPlane');
    expect(stdout).toContain(`other writer: field manager "manager" (Update at ${otherWriteAt})`);
    expect(stdout).toContain(`it writes: host ${JSON.stringify(url)}, port 443`);
    expect(stdout).toMatch(/writes again: after \d{4}-\d\d-\d\dT[\d:]+Z, if that writer stays quiet until then/);
    expect(stdout).toContain("to do: turn off the other writer's endpoint update (CAPT's controller: docs/migrating-from-go.md)");
    expect(stdout).toContain('condition EndpointReady=False EndpointContested');
    // No write of the contested endpoint is planned.
    expect(stdout).not.toMatch(/CAPTControlPlane team-a\/demo +\S.* → /);
  });

  it('explains each control plane in the files, and the worst exit status wins', async () => {
    const second = tempFile(
      'second.yaml',
      `apiVersion: controlplane.cluster.x-k8s.io/v1beta1
kind: CAPTControlPlane
metadata: {name: other-cp, namespace: team-b}
spec: {}
`,
    );
    const { code, stdout } = await run(['explain', ...applied, '-f', second, '-o', 'json']);
    const reports = jsonLines(stdout);
    expect(reports.map((r) => [r['controlPlane'], r['result'], r['waitingOn']])).toEqual([
      ['team-a/demo', 'Updated', undefined],
      ['team-b/other-cp', 'Waiting', 'WorkspaceTemplateApplyName'],
    ]);
    expect(reports[1]?.['checks']).toContainEqual({ status: 'info', text: 'no owner Cluster in ownerReferences: only the control plane is updated' });
    expect(code).toBe(2);

    const only = await run(['explain', ...applied, '-f', second, '--control-plane', 'team-a/demo', '-o', 'json']);
    expect(jsonLines(only.stdout).map((r) => r['controlPlane'])).toEqual(['team-a/demo']);
    expect(only.code).toBe(0);
  });

  it('reads the endpoint from the connection Secret and never prints a Secret value', async () => {
    const secretOnly = tempFile(
      'secret.yaml',
      `apiVersion: v1
kind: Secret
metadata: {name: demo-eks-connection, namespace: team-a}
type: connection.crossplane.io/v1alpha1
data:
  cluster_endpoint: ${Buffer.from('https://api.internal.example:6443').toString('base64')}
  kubeconfig: ${Buffer.from('token: very-secret-token').toString('base64')}
`,
    );
    for (const format of ['text', 'json', 'yaml']) {
      const { code, stdout } = await run(['explain', ...initial, '-f', secretOnly, '-o', format]);
      expect(code).toBe(0);
      expect(stdout).toContain('api.internal.example');
      expect(stdout).not.toContain('very-secret-token');
      expect(stdout).not.toContain(Buffer.from('token: very-secret-token').toString('base64'));
      expect(stdout).not.toContain('https://api.internal.example:6443');
    }
    const { stdout } = await run(['explain', ...initial, '-f', secretOnly]);
    expect(stdout).toContain('✓ key "cluster_endpoint" of Secret team-a/demo-eks-connection (value not shown) → host api.internal.example, port 6443');
  });

  it('says why it waits for a Workspace that publishes its connection details to a secret store', async () => {
    const workspaceText = readFileSync(join(REPO, 'examples/manifests/workspace.yaml'), 'utf8');
    const published = tempFile(
      'workspace.yaml',
      workspaceText.replace(/writeConnectionSecretToRef:\n.*\n.*\n/, 'publishConnectionDetailsTo:\n    name: demo-eks-connection\n    configRef:\n      name: vault\n'),
    );
    const { code, stdout } = await run(['explain', ...initial, '-f', published]);
    expect(code).toBe(2);
    expect(stdout).toContain('CAPTControlPlane team-a/demo: waiting for EndpointOutput (dry run)');
    expect(stdout).toContain(
      '… Workspace demo-eks-controlplane has no output "cluster_endpoint" yet and it writes no connection Secret: it publishes its connection details to "demo-eks-connection" in the secret store "vault" (spec.publishConnectionDetailsTo), which capt-endpoint does not read; set spec.writeConnectionSecretToRef',
    );
    expect(stdout).not.toContain('Secret team-a/demo-eks-connection,');
  });

  it('shows a rejected output with its user information redacted, in every format', async () => {
    const workspaceText = readFileSync(join(REPO, 'examples/manifests/later/workspace-applied.yaml'), 'utf8');
    const withPassword = tempFile(
      'workspace.yaml',
      workspaceText.replace(/cluster_endpoint: .*/, 'cluster_endpoint: https://admin:PASSWORD-c41d@0123456789abcdef.gr7.us-west-2.eks.amazonaws.com'),
    );
    for (const format of ['text', 'json', 'yaml']) {
      const { code, stdout } = await run(['explain', ...initial, '-f', withPassword, '-o', format]);
      expect(code).toBe(1);
      expect(stdout).toContain('https://***@0123456789abcdef.gr7.us-west-2.eks.amazonaws.com');
      expect(stdout).not.toContain('PASSWORD-c41d');
      expect(stdout).not.toContain('admin');
    }
  });

  it('honours the shared options: --no-update-cluster and --output-key', async () => {
    const { stdout } = await run(['explain', ...applied, '--no-update-cluster', '-o', 'json']);
    const [report] = jsonLines(stdout);
    expect((report?.['writes'] as Array<{ object: string }>).map((w) => w.object)).not.toContain('Cluster team-a/demo');
    expect(report?.['checks']).toContainEqual({ status: 'info', text: '--no-update-cluster: the Cluster is left alone' });

    const other = await run(['explain', ...applied, '--output-key', 'no_such_output', '-o', 'json']);
    expect(other.code).toBe(2);
    expect(jsonLines(other.stdout)[0]).toMatchObject({ result: 'Waiting', waitingOn: 'EndpointOutput' });
  });

  it('colours text on a terminal, and not with NO_COLOR', async () => {
    expect((await run(['explain', ...applied], { tty: true })).stdout).toContain('\u001b[32m✓\u001b[39m');
    expect((await run(['explain', ...applied], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
  });

  it('reads manifests from standard input with -f -', async () => {
    const { readFileSync } = await import('node:fs');
    const text = ['cluster', 'controlplane', 'workspacetemplateapply', 'later/workspace-applied']
      .map((name) => readFileSync(join(__dirname, '../../../examples/manifests', `${name}.yaml`), 'utf8'))
      .join('\n---\n');
    const { code, stdout } = await run(['explain', '-f', '-', '-o', 'json'], { readStdin: async () => text });
    expect(code).toBe(0);
    expect(jsonLines(stdout)[0]).toMatchObject({ result: 'Updated' });
  });

  it('fails with one line, no stack, on unreadable files, bad YAML, non-objects and empty input', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['explain', '-f', 'no/such/file.yaml'], /file\.yaml: no such file$/],
      [['explain', '-f', tempFile('bad.yaml', 'a: [\n')], /bad\.yaml: YAML document at line 1: .* at line 2, column 1$/],
      [['explain', '-f', tempFile('list.yaml', '- 1\n- 2\n')], /list\.yaml: YAML document at line 1 is not a Kubernetes object/],
      [['explain', '-f', tempFile('empty.yaml', '# nothing\n')], /the files hold no CAPTControlPlane to explain$/],
      [['explain', '--nope'], /Unknown option '--nope'/],
    ];
    for (const [argv, pattern] of cases) {
      const { code, stdout, stderr } = await run(argv);
      expect(code).not.toBe(0);
      expect(stdout).toBe('');
      expect(stderr.trimEnd()).toMatch(pattern);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
    expect((await run(['explain', '--nope'])).code).toBe(64);
  });

  it('refuses a billion laughs document at once, with one line and exit 1', async () => {
    const started = performance.now();
    const { code, stdout, stderr } = await run(['explain', '-f', tempFile('laughs.yaml', billionLaughs)]);
    // Expanding the aliases takes minutes and gigabytes: the refusal comes before any expansion.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^capt-endpoint: .*laughs\.yaml: YAML document at line 2 is refused: .*\n$/);
  });

  it('says what deleting would clear, without clearing it', async () => {
    const deleting = tempFile(
      'deleting.yaml',
      `apiVersion: controlplane.cluster.x-k8s.io/v1beta1
kind: CAPTControlPlane
metadata: {name: demo, namespace: team-a, deletionTimestamp: "2026-01-05T10:00:00Z", finalizers: [x], ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: demo}]}
spec: {workspaceTemplateApplyName: demo-eks-controlplane-apply}
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata: {name: demo, namespace: team-a}
spec: {controlPlaneEndpoint: {host: ${EKS_HOST}, port: 443}}
`,
    );
    const { code, stdout } = await run(['explain', ...initial, '-f', deleting]);
    expect(code).toBe(0);
    expect(stdout).toContain("deleted: would clear the Cluster's endpoint (dry run)");
    expect(stdout).toContain('✓ would remove the endpoint from Cluster team-a/demo');
    expect(stdout).toContain('patch Cluster team-a/demo: {"metadata":{"resourceVersion":');
  });

  it('prints help for each command and exits 0', async () => {
    for (const command of ['explain', 'reconcile', 'run', 'demo']) {
      const { code, stdout } = await run([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`capt-endpoint ${command}`);
    }
  });
});
