// Committed results stand for HEAD only when they were measured at its benchmark code: the rule,
// on throwaway git repositories, including a shallow clone that lacks the measured commit.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployedMemory } from '../src/coldStart';
import { benchmarkCodeDigest, measuredCommit, provenanceProblem } from '../src/provenance';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const write = (root: string, path: string, text: string): void => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

/** A repository with benchmark code and a docs file, one commit. */
const repository = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'bench-provenance-'));
  git(root, 'init', '-q');
  write(root, 'bench/src/main.ts', 'export const x = 1;\n');
  write(root, 'packages/core/src/index.ts', 'export const y = 1;\n');
  write(root, 'docs/benchmarks.md', '# Benchmarks\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'first');
  return root;
};

const commitAll = (root: string, message: string): void => {
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', message);
};

describe('provenance of committed results', () => {
  it('results from HEAD, or from an ancestor whose benchmark code HEAD kept, stand for HEAD', () => {
    const root = repository();
    const measured = measuredCommit(root);
    expect(measured).toMatchObject({ dirty: false, code: benchmarkCodeDigest(root) });
    expect(provenanceProblem(root, measured)).toBeUndefined();
    write(root, 'docs/benchmarks.md', '# Benchmarks, with results\n');
    commitAll(root, 'results');
    expect(provenanceProblem(root, measured)).toBeUndefined();
  });

  it('results measured before a change to the benchmark code do not', () => {
    const root = repository();
    const measured = measuredCommit(root);
    write(root, 'packages/core/src/index.ts', 'export const y = 2;\n');
    commitAll(root, 'faster');
    expect(provenanceProblem(root, measured)).toMatch(/is not the code measured/);
    // An older file without the digest is still caught by the history.
    expect(provenanceProblem(root, { commit: measured.commit, dirty: false })).toBe(`the benchmark's code changed since ${measured.commit}: packages/core/src/index.ts`);
  });

  it('results from a commit that is not an ancestor of HEAD do not', () => {
    const root = repository();
    git(root, 'checkout', '-q', '-b', 'elsewhere');
    write(root, 'docs/other.md', 'other\n');
    commitAll(root, 'elsewhere');
    const measured = measuredCommit(root);
    git(root, 'checkout', '-q', 'main');
    expect(provenanceProblem(root, measured)).toBe(`commit ${measured.commit} is not an ancestor of HEAD`);
  });

  it('results measured with uncommitted changes to the benchmark code do not', () => {
    const root = repository();
    write(root, 'bench/src/main.ts', 'export const x = 2;\n');
    const measured = measuredCommit(root);
    expect(measured.dirty).toBe(true);
    expect(provenanceProblem(root, measured)).toMatch(/uncommitted changes/);
  });

  it('in a shallow clone that lacks the measured commit, the digest decides', () => {
    const root = repository();
    const measured = measuredCommit(root);
    write(root, 'docs/benchmarks.md', '# later\n');
    commitAll(root, 'docs');
    write(root, 'docs/benchmarks.md', '# later still\n');
    commitAll(root, 'docs again');
    const clone = mkdtempSync(join(tmpdir(), 'bench-provenance-shallow-'));
    git(clone, 'clone', '-q', '--depth', '1', `file://${root}`, '.');
    expect(provenanceProblem(clone, measured)).toBeUndefined();
    expect(provenanceProblem(clone, { ...measured, code: '0000000000000000' })).toMatch(/is not the code measured/);
    expect(provenanceProblem(clone, { commit: measured.commit, dirty: false })).toBe(`commit ${measured.commit} is not in this repository`);
  });
});

describe('the committed results', () => {
  it("were measured at HEAD's benchmark code (run `npm run bench` after changing it)", () => {
    const root = join(__dirname, '..', '..');
    const committed = JSON.parse(readFileSync(join(root, 'bench', 'results', 'full.json'), 'utf8')) as { commit: string; dirty?: boolean; code?: string };
    expect(committed.code).toBeDefined();
    expect(provenanceProblem(root, committed)).toBeUndefined();
  });

  it("ran as deployed with deploy/'s NODE_OPTIONS as the manifest gives them now (run `npm run bench` after changing them)", () => {
    const root = join(__dirname, '..', '..');
    const committed = JSON.parse(readFileSync(join(root, 'bench', 'results', 'full.json'), 'utf8')) as {
      coldStart?: { asDeployed?: { nodeOptions?: string } };
      realServer?: { nodeOptions?: string };
    };
    const manifest = deployedMemory(root).nodeOptions.join(' ');
    expect(committed.coldStart?.asDeployed?.nodeOptions).toBe(manifest);
    expect(committed.realServer?.nodeOptions).toBe(manifest);
  });
});
