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
      { object: 'CAPTControlPlane team-a/demo-cp', before: null, after: EKS },
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
        { object: 'CAPTControlPlane team-a/demo-cp', before: EKS, after: EKS },
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
});
