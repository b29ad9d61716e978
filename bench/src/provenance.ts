/**
 * Where committed results come from. A results file names the commit it was measured at and a
 * digest of the benchmark's code there; it stands for HEAD only when HEAD's benchmark code has
 * the same digest, the commit is an ancestor of HEAD, and the working tree had no change there
 * when it ran. A shallow clone may lack the commit: the digest alone then says whether the code
 * measured is HEAD's.
 *
 * The benchmark's code is the bench's own sources and the sources of the packages it measures
 * (core, the Kubernetes adapter, testing, whose loopback server and fake client it runs, and
 * the controller and the command, which its cold starts run). Their tests, READMEs, docs and
 * the results themselves are not: they do not change a figure. deploy/'s V8 flags, which the
 * as-deployed runs take, are recorded in the results and checked against the manifest instead.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

export const BENCHMARK_PATHS = [
  'bench/run.mjs',
  'bench/src',
  'packages/core/src',
  'packages/kubernetes/src',
  'packages/testing/src',
  'packages/controller/src',
  'packages/cli/src',
] as const;

const git = (root: string, args: readonly string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const succeeds = (root: string, args: readonly string[]): boolean => {
  try {
    git(root, args);
    return true;
  } catch {
    return false;
  }
};

/** A digest of the benchmark's code at `rev`: its files' paths and blob ids, as git names them. */
export const benchmarkCodeDigest = (root: string, rev = 'HEAD'): string =>
  createHash('sha256')
    .update(git(root, ['ls-tree', '-r', rev, '--', ...BENCHMARK_PATHS]))
    .digest('hex')
    .slice(0, 16);

/** What a run records of where it was measured. */
export interface Provenance {
  readonly commit: string;
  /** Whether the benchmark's code in the working tree differed from `commit`. */
  readonly dirty: boolean;
  /** `benchmarkCodeDigest` at `commit`. */
  readonly code: string | undefined;
}

/** The commit a run measures, and whether the benchmark's code in the working tree differs from it. */
export const measuredCommit = (root: string): Provenance => {
  try {
    return {
      commit: git(root, ['rev-parse', '--short', 'HEAD']),
      dirty: git(root, ['status', '--porcelain', '--', ...BENCHMARK_PATHS]) !== '',
      code: benchmarkCodeDigest(root),
    };
  } catch {
    return { commit: 'unknown', dirty: true, code: undefined };
  }
};

/** Why results measured as `recorded` says do not stand for HEAD, or undefined when they do. */
export const provenanceProblem = (root: string, recorded: { readonly commit: string; readonly dirty?: boolean | undefined; readonly code?: string | undefined }): string | undefined => {
  const { commit, dirty, code } = recorded;
  if (dirty !== false) return `the results were measured with uncommitted changes to the benchmark's code (dirty: ${String(dirty)})`;
  const head = benchmarkCodeDigest(root);
  if (code !== undefined && code !== head) return `the benchmark's code at HEAD (${head}) is not the code measured (${code})`;
  if (!succeeds(root, ['cat-file', '-e', `${commit}^{commit}`])) {
    const shallow = git(root, ['rev-parse', '--is-shallow-repository']) === 'true';
    return shallow && code !== undefined ? undefined : `commit ${commit} is not in this repository`;
  }
  if (!succeeds(root, ['merge-base', '--is-ancestor', commit, 'HEAD'])) return `commit ${commit} is not an ancestor of HEAD`;
  const changed = git(root, ['diff', '--name-only', commit, 'HEAD', '--', ...BENCHMARK_PATHS]);
  return changed === '' ? undefined : `the benchmark's code changed since ${commit}: ${changed.split('\n').join(', ')}`;
};
