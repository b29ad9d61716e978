import * as E from 'fp-ts/lib/Either.js';
import { parseCommandLine, parseOutputKey } from '../src';

const parsed = (argv: string[]) => {
  const result = parseCommandLine(argv);
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
};
const failure = (argv: string[]) => {
  const result = parseCommandLine(argv);
  if (E.isRight(result)) throw new Error(`expected a usage error for ${argv.join(' ')}`);
  return result.left.message;
};

describe('parseCommandLine', () => {
  it('reads explain with its files, control plane, output and every shared option', () => {
    const command = parsed([
      'explain', '-f', 'a.yaml', 'b.yaml', '--file', 'c.yaml', '--control-plane', 'team-a/demo-cp', '-o', 'yaml',
      '--workspace-api-version', 'tf.m.upbound.io/v1beta1', '--output-key', 'endpoint', '--output-key', 'host+port',
      '--default-port', '6443', '--on-endpoint-change', 'update', '--no-update-cluster', '--allow-secret-namespace', 'infra',
    ]);
    expect(command).toEqual({
      _tag: 'Explain',
      files: ['a.yaml', 'c.yaml', 'b.yaml'],
      controlPlane: { namespace: 'team-a', name: 'demo-cp' },
      output: 'yaml',
      settings: {
        workspaceApiVersion: 'tf.m.upbound.io/v1beta1',
        outputKeys: ['endpoint', { host: 'host', port: 'port' }],
        defaultPort: 6443,
        onEndpointChange: 'update',
        updateCluster: false,
        allowSecretNamespaces: ['infra'],
      },
    });
  });

  it('reads reconcile and run', () => {
    expect(parsed(['reconcile', '--kubeconfig', 'k', '--context', 'c', '-n', 'team-a', 'demo-cp', '--dry-run'])).toMatchObject({
      _tag: 'Reconcile', connection: { kubeconfig: 'k', context: 'c' }, namespace: 'team-a', name: 'demo-cp', dryRun: true, output: 'text',
    });
    expect(parsed(['run', '--namespace', 'team-a', '--concurrency', '4', '--allow-secret-namespace', '*'])).toMatchObject({
      _tag: 'Run', run: { namespaces: ['team-a'] }, concurrency: 4, settings: { allowSecretNamespaces: 'any' },
    });
    expect(parsed(['reconcile', '-n', 'team-a', 'demo-cp', '--allow-endpoint-range', 'loopback,link-local', '--allow-endpoint-range', 'unspecified'])).toMatchObject({
      settings: { allowEndpointRanges: ['loopback', 'link-local', 'unspecified'] },
    });
    expect(parsed(['run'])).toMatchObject({
      _tag: 'Run',
      concurrency: 2,
      events: true,
      run: {
        namespaces: [],
        labelSelector: undefined,
        leaderElection: { namespace: undefined, id: 'capt-endpoint', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
        metricsAddress: undefined,
        healthAddress: undefined,
      },
    });
    expect(parsed(['run', '--no-events'])).toMatchObject({ _tag: 'Run', events: false });
  });

  it('reads run\'s shard, leader election, metrics and probe flags', () => {
    expect(
      parsed([
        'run', '-n', 'team-a,team-b', '-n', 'team-c', '-l', 'shard in (a, b),!legacy', '--leader-election-namespace', 'capt-system',
        '--leader-election-id', 'capt-endpoint-shard-a', '--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s',
        '--leader-elect-retry-period', '500ms', '--metrics-bind-address', ':8080', '--health-probe-bind-address', '127.0.0.1:8081',
      ]),
    ).toMatchObject({
      run: {
        namespaces: ['team-a', 'team-b', 'team-c'],
        labelSelector: 'shard in (a, b),!legacy',
        leaderElection: { namespace: 'capt-system', id: 'capt-endpoint-shard-a', leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 },
        metricsAddress: { host: '', port: 8080 },
        healthAddress: { host: '127.0.0.1', port: 8081 },
      },
    });
    for (const off of [['--leader-elect=false'], ['--leader-elect', '--leader-elect=false']]) expect(parsed(['run', ...off])).toMatchObject({ run: { leaderElection: false } });
    expect(parsed(['run', '--leader-elect'])).toMatchObject({ run: { leaderElection: { id: 'capt-endpoint' } } });
    expect(parsed(['run', '--metrics-bind-address', '0'])).toMatchObject({ run: { metricsAddress: undefined } });
    expect(parsed(['run'])).toMatchObject({ run: { secretCacheNamespaces: [], secretResyncMs: 600_000, metricsSecure: true, metricsCertDir: undefined } });
    expect(parsed(['run', '--metrics-secure=false', '--metrics-cert-dir', '/certs'])).toMatchObject({ run: { metricsSecure: false, metricsCertDir: '/certs' } });
    expect(parsed(['run', '--metrics-secure=false', '--metrics-secure'])).toMatchObject({ run: { metricsSecure: true } });
    expect(parsed(['run', '--secret-cache-namespace', 'a,b', '--secret-cache-namespace', 'c', '--secret-resync-period', '1m'])).toMatchObject({
      run: { secretCacheNamespaces: ['a', 'b', 'c'], secretResyncMs: 60_000 },
    });
    expect(parsed(['run', '--leader-elect-lease-duration', '1m30s', '--leader-elect-renew-deadline', '1m'])).toMatchObject({
      run: { leaderElection: { leaseDurationMs: 90_000, renewDeadlineMs: 60_000 } },
    });
  });

  it('answers --help for every command and for none', () => {
    for (const command of ['explain', 'reconcile', 'run', 'demo'] as const) {
      expect(parsed([command, '--help'])).toEqual({ _tag: 'Help', command });
      expect(parsed(['help', command])).toEqual({ _tag: 'Help', command });
    }
    expect(parsed([])).toEqual({ _tag: 'Help', command: 'main' });
    expect(parsed(['-h'])).toEqual({ _tag: 'Help', command: 'main' });
  });

  it('refuses mistakes with one line each', () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['explain', '--bogus', '-f', 'a'], /Unknown option '--bogus'/],
      [['explain'], /at least one manifest/],
      [['explain', '-f', 'a', '-o', 'xml'], /-o must be text, json or yaml/],
      [['explain', '-f', 'a', '--control-plane', 'demo'], /NAMESPACE\/NAME/],
      [['explain', '-f', 'a', '--default-port', '0'], /port number from 1 to 65535/],
      [['explain', '-f', 'a', '--default-port', '443x'], /port number/],
      [['explain', '-f', 'a', '--on-endpoint-change', 'always'], /keep, update/],
      [['explain', '-f', 'a', '--workspace-api-version', 'tf.upbound.io/v1'], /tf\.upbound\.io\/v1beta1, tf\.m\.upbound\.io\/v1beta1/],
      [['explain', '-f', 'a', '--output-key', 'host+'], /NAME or HOST\+PORT/],
      [['reconcile', 'demo-cp'], /-n NAMESPACE/],
      [['reconcile', '-n', 'team-a'], /-n NAMESPACE NAME/],
      [['reconcile', '-n', 'team-a', 'a', 'b'], /unexpected argument "b"/],
      [['run', '--concurrency', '0'], /--concurrency/],
      [['run', 'extra'], /unexpected argument "extra"/],
      [['run', '--leader-elect=maybe'], /--leader-elect must be true or false/],
      [['run', '--leader-elect-lease-duration', '15'], /must be a duration/],
      [['run', '--leader-elect-lease-duration', '10s'], /lease duration must be longer than the renew deadline/],
      [['run', '--leader-elect-retry-period', '9s'], /renew deadline must be longer than 1.2 x the retry period/],
      [['run', '--leader-elect-lease-duration', '2500ms', '--leader-elect-renew-deadline', '1s', '--leader-elect-retry-period', '100ms'], /whole seconds/],
      [['run', '--leader-election-id', 'Not_A_Name'], /--leader-election-id/],
      [['run', '--leader-election-namespace', 'a/b'], /--leader-election-namespace/],
      [['run', '--namespace', 'Team A'], /--namespace must name a namespace/],
      [['run', '--secret-cache-namespace', '..'], /--secret-cache-namespace must name a namespace/],
      [['run', '--secret-resync-period', '10'], /--secret-resync-period must be a duration/],
      [['run', '--metrics-secure=yes'], /--metrics-secure must be true or false/],
      [['run', '--allow-secret-namespace', '..'], /--allow-secret-namespace must name a namespace \(a DNS label\) or be \*, not "\.\."/],
      [['reconcile', '-n', 'team-a', '--allow-secret-namespace', 'a\nb', 'cp'], /--allow-secret-namespace must name a namespace/],
      [['run', '--allow-endpoint-range', 'loopback,private'], /--allow-endpoint-range must be one of cloud-metadata, unspecified, loopback, link-local, not "private"/],
      [['run', '--label-selector', 'shard=a b'], /--label-selector must be a Kubernetes label selector/],
      [['run', '--label-selector', 'shard in (a'], /--label-selector/],
      [['run', '--metrics-bind-address', '8080'], /--metrics-bind-address: "8080" is not an address/],
      [['run', '--health-probe-bind-address', ':99999'], /--health-probe-bind-address/],
      [['demo', '--manifests'], /argument missing/],
    ];
    for (const [argv, pattern] of cases) {
      const message = failure(argv);
      expect(message).toMatch(pattern);
      expect(message).not.toContain('\n');
    }
  });
});

describe('parseOutputKey', () => {
  it('reads a name or a host+port pair', () => {
    expect(parseOutputKey('cluster_endpoint')).toEqual(E.right('cluster_endpoint'));
    expect(parseOutputKey('api_host+api_port')).toEqual(E.right({ host: 'api_host', port: 'api_port' }));
    expect(E.isLeft(parseOutputKey('+port'))).toBe(true);
    expect(E.isLeft(parseOutputKey('a+b+c'))).toBe(true);
    expect(E.isLeft(parseOutputKey(''))).toBe(true);
  });
});
