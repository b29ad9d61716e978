// The scenario table on both backends. Where the fake and the real server disagree, the fake is
// wrong, or the difference is listed here and in docs/testing.md with its reason.
import type { KubeConfig } from '@kubernetes/client-node';
import { envtestCrds, startEnvtest, type Envtest } from '../src';
import { fakeBackend, realBackend } from './backends';
import { runScenario, scenarios, type Observation } from './scenarios';
import { sharedKubeConfig } from './realServer';

/** Scenario name -> why the fake and the real server are allowed to differ there. */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};

const tally = { scenarios: 0, agreed: 0, known: 0 };

describe('one scenario table, two backends', () => {
  const shared = sharedKubeConfig();
  // Cluster API 1.16's serving (v1beta2 alone) needs a server of its own.
  let v1beta2Only: Envtest | undefined;
  beforeAll(async () => {
    if (scenarios.some((s) => s.clusterApi === 'v1beta2Only')) v1beta2Only = await startEnvtest({ crds: envtestCrds('v1beta2Only') });
  });
  afterAll(() => v1beta2Only?.stop());
  const serverFor = (clusterApi: 'servedBoth' | 'v1beta2Only' = 'servedBoth'): KubeConfig =>
    clusterApi === 'servedBoth' ? shared : (v1beta2Only as Envtest).kubeConfig;

  afterAll(() => {
    process.stderr.write(`\nfake versus real server: ${tally.scenarios} scenarios, ${tally.agreed} agreed, ${tally.known} known differences\n`);
  });

  it.each(scenarios.map((s) => [s.from, s.name, s] as const))('%s: %s', async (_from, name, scenario) => {
    const onFake: Observation[] = await runScenario(scenario, fakeBackend(scenario.clusterApi));
    const real = await realBackend(serverFor(scenario.clusterApi));
    let onReal: Observation[];
    try {
      onReal = await runScenario(scenario, real);
    } finally {
      await real.cleanUp();
    }
    tally.scenarios++;
    const known = KNOWN_DIFFERENCES[name];
    if (known !== undefined && JSON.stringify(onReal) !== JSON.stringify(onFake)) {
      tally.known++;
      return;
    }
    expect(onReal).toEqual(onFake);
    tally.agreed++;
  });
});
