import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_MANIFESTS, readManifestFiles } from '../tsup.embed';
import { EKS_HOST, jsonLines, run } from './helpers';

const EKS = { host: EKS_HOST, port: 443 };

describe('capt-endpoint demo', () => {
  it('tells the life of the endpoint as one JSON line per step', async () => {
    const { code, stdout, stderr } = await run(['demo', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const steps = jsonLines(stdout);
    expect(steps.map((s) => [s['step'], s['result'], s['exitCode']])).toEqual([
      [1, 'Waiting', 2],
      [2, 'Updated', 0],
      [3, 'UpToDate', 0],
      [4, 'Drift', 1],
      [5, 'CleanedUp', 0],
    ]);
    const [waiting, set, steady, drift, deleted] = steps;
    expect(waiting).toMatchObject({ waitingOn: 'EndpointOutput', requests: { writes: 1 } });
    expect(set?.['endpoints']).toEqual([
      { object: 'CAPTControlPlane team-a/demo', before: null, after: EKS },
      { object: 'Cluster team-a/demo', before: null, after: EKS },
    ]);
    expect(set?.['requests']).toEqual({ reads: 4, writes: 3 });
    // Steady state: the same reads, not one write.
    expect(steady?.['requests']).toEqual({ reads: 4, writes: 0 });
    expect(steady?.['writes']).toEqual([]);
    expect(drift).toMatchObject({
      drift: { current: EKS, workspace: { host: 'fedcba9876543210fedcba9876543210.gr7.us-west-2.eks.amazonaws.com', port: 443 } },
      condition: { status: 'False', reason: 'EndpointDrift' },
      endpoints: [
        { object: 'CAPTControlPlane team-a/demo', before: EKS, after: EKS },
        { object: 'Cluster team-a/demo', before: EKS, after: EKS },
      ],
    });
    expect(deleted?.['endpoints']).toContainEqual({ object: 'Cluster team-a/demo', before: EKS, after: null });
  });

  it('reads well on a terminal and plain when piped', async () => {
    const piped = await run(['demo']);
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toContain('\u001b[');
    expect(piped.stdout).toContain('1. Terraform is still applying');
    expect(piped.stdout).toContain('requests: 4 reads, 0 writes; exit status 0');
    expect(piped.stdout).toMatch(/Cluster team-a\/demo +\(unset\) → 0123456789abcdef0123456789abcdef\.gr7\.us-west-2\.eks\.amazonaws\.com:443/);
    expect(piped.stdout).toContain('condition EndpointReady=False EndpointDrift');
    expect(piped.stdout).toContain("deleted: cleared the Cluster's endpoint");

    const tty = await run(['demo'], { tty: true });
    expect(tty.stdout).toContain('\u001b[');
    expect(await run(['demo'], { tty: true, env: { NO_COLOR: '1' } })).toEqual(expect.objectContaining({ stdout: expect.not.stringContaining('\u001b[') }));
  });

  it('never prints the connection Secret', async () => {
    const { stdout } = await run(['demo', '--json']);
    expect(stdout).not.toContain('ZGVtbw==');
  });

  it('says in one line when its manifests are missing', async () => {
    const { code, stderr } = await run(['demo', '--manifests', 'no/such/dir']);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('examples/manifests');
  });

  it('plays the same story from the files built into the command, without reading the disk', async () => {
    const files = readManifestFiles(EXAMPLE_MANIFESTS);
    const elsewhere = mkdtempSync(join(tmpdir(), 'capt-demo-'));
    const { code, stdout } = await run(['demo', '--json'], { demoManifests: files, cwd: elsewhere });
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((s) => s['result'])).toEqual(['Waiting', 'Updated', 'UpToDate', 'Drift', 'CleanedUp']);
    const incomplete: Record<string, string> = { ...files };
    delete incomplete['later/workspace-applied.yaml'];
    const missing = await run(['demo'], { demoManifests: incomplete, cwd: elsewhere });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('capt-endpoint: later/workspace-applied.yaml: no such file; the manifests built into the command are incomplete\n');
  });
});

describe('the build that embeds the demo manifests', () => {
  it('takes every YAML file under the directory as it is, keyed by its path there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'capt-embed-'));
    mkdirSync(join(dir, 'later', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'b.yaml'), 'kind: B\n');
    writeFileSync(join(dir, 'a.yml'), '# kept as written\nkind: A\n');
    writeFileSync(join(dir, 'notes.md'), 'not a manifest');
    writeFileSync(join(dir, 'later', 'workspace-applied.yaml'), 'kind: W\n');
    writeFileSync(join(dir, 'later', 'deeper', 'c.yaml'), 'kind: C\n');
    expect(readManifestFiles(dir)).toEqual({
      'a.yml': '# kept as written\nkind: A\n',
      'b.yaml': 'kind: B\n',
      'later/deeper/c.yaml': 'kind: C\n',
      'later/workspace-applied.yaml': 'kind: W\n',
    });
  });

  it('finds the repository example manifests the demo needs', () => {
    expect(Object.keys(readManifestFiles(EXAMPLE_MANIFESTS))).toEqual(expect.arrayContaining(['later/workspace-applied.yaml', 'later/workspace-endpoint-changed.yaml']));
  });
});
