// `npm run demo` builds the command only when what it is built from changed: the stamp beside
// the bin holds the digest of the sources and of the bin built from them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binSources, ensureBuilt } from '../../../scripts/binBuild.mjs';
import { REPO } from './helpers';

describe('the demo build', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'capt-demo-build-'));
    mkdirSync(join(root, 'packages/core/src'), { recursive: true });
    mkdirSync(join(root, 'examples/manifests'), { recursive: true });
    mkdirSync(join(root, 'packages/cli/dist'), { recursive: true });
    writeFileSync(join(root, 'packages/core/src/index.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'examples/manifests/cluster.yaml'), 'kind: Cluster\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds the first time, not again while nothing changed, and again when a source, a manifest or the bin changed', async () => {
    const bin = join(root, 'packages/cli/dist/bin.js');
    let builds = 0;
    const once = () =>
      ensureBuilt({
        root,
        bin,
        stamp: join(root, 'packages/cli/dist/bin.sources'),
        build: () => writeFileSync(bin, `// build ${++builds}\n`),
      });
    expect(await once()).toBe(true);
    expect(await once()).toBe(false);
    expect(builds).toBe(1);
    writeFileSync(join(root, 'packages/core/src/index.ts'), 'export const a = 2;\n');
    expect(await once()).toBe(true);
    expect(await once()).toBe(false);
    writeFileSync(join(root, 'examples/manifests/workspace.yaml'), 'kind: Workspace\n');
    expect(await once()).toBe(true);
    // Another build replaced the bin (npm run build from other sources): built again.
    writeFileSync(bin, '// someone else\n');
    expect(await once()).toBe(true);
    rmSync(bin);
    expect(await once()).toBe(true);
    expect(builds).toBe(5);
  });

  it("reads the repository's bin sources: every package the bin bundles, its build configuration and the demo's manifests", () => {
    const sources = binSources(REPO);
    for (const file of ['packages/core/src/index.ts', 'packages/controller/src/offline.ts', 'packages/cli/src/main.ts', 'packages/cli/tsup.bin.config.ts', 'packages/cli/tsup.esm.ts', 'examples/manifests/cluster.yaml', 'package-lock.json'])
      expect(sources).toContain(file);
    expect(sources.some((file) => file.startsWith('packages/envtest/'))).toBe(false);
  });
});
