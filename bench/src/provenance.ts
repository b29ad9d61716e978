/**
 * Where committed results come from. A results file names the commit it was measured at; it
 * stands for HEAD only when that commit is an ancestor of HEAD, nothing under the benchmark's
 * code changed between the two, and the working tree had no change there when it ran.
 *
 * The benchmark's code is the bench's own sources and the sources of the packages it measures
 * (core, the Kubernetes adapter, and testing, whose loopback server and fake client it runs).
 * Their tests, READMEs, docs and the results themselves are not: they do not change a figure.
 */
import { execFileSync } from 'node:child_process';

export const BENCHMARK_PATHS = ['bench/run.mjs', 'bench/src', 'packages/core/src', 'packages/kubernetes/src', 'packages/testing/src'] as const;

const git = (root: string, args: readonly string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The commit a run measures, and whether the benchmark's code in the working tree differs from it. */
export const measuredCommit = (root: string): { readonly commit: string; readonly dirty: boolean } => {
  try {
    return { commit: git(root, ['rev-parse', '--short', 'HEAD']), dirty: git(root, ['status', '--porcelain', '--', ...BENCHMARK_PATHS]) !== '' };
  } catch {
    return { commit: 'unknown', dirty: true };
  }
};

/** Why results measured at `commit` (with `dirty` as recorded) do not stand for HEAD, or undefined when they do. */
export const provenanceProblem = (root: string, commit: string, dirty: boolean | undefined): string | undefined => {
  if (dirty !== false) return `the results were measured with uncommitted changes to the benchmark's code (dirty: ${String(dirty)})`;
  try {
    git(root, ['merge-base', '--is-ancestor', commit, 'HEAD']);
  } catch {
    return `commit ${commit} is not an ancestor of HEAD`;
  }
  const changed = git(root, ['diff', '--name-only', commit, 'HEAD', '--', ...BENCHMARK_PATHS]);
  return changed === '' ? undefined : `the benchmark's code changed since ${commit}: ${changed.split('\n').join(', ')}`;
};
