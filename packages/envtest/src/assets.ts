/**
 * Where the real server's programs are: a folder holding `kube-apiserver` and `etcd`, as
 * controller-runtime's envtest takes them (`KUBEBUILDER_ASSETS`, setup-envtest's folders).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ASSET_PROGRAMS = ['kube-apiserver', 'etcd'] as const;
export type AssetProgram = (typeof ASSET_PROGRAMS)[number];

export interface EnvtestAssets {
  readonly dir: string;
  readonly kubeApiServer: string;
  readonly etcd: string;
}

/** What was looked for and not found: printed as is, it tells a user how to get the programs. */
export class EnvtestAssetsMissing extends Error {
  override readonly name = 'EnvtestAssetsMissing';
  constructor(
    readonly looked: ReadonlyArray<{ readonly where: string; readonly problem: string }>,
  ) {
    super(
      [
        'the real server\'s programs (kube-apiserver and etcd) were not found:',
        ...looked.map((l) => `  - ${l.where}: ${l.problem}`),
        'Set KUBEBUILDER_ASSETS to a folder holding both (for example `setup-envtest use -p path 1.37.x`),',
        'or, in the capt-endpoint repository, run `npm run envtest:assets` (builds them from Go modules).',
      ].join('\n'),
    );
  }
}

const problemWith = (file: string): string | undefined => {
  try {
    if (!statSync(file).isFile()) return `${file} is not a file`;
    accessSync(file, constants.X_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `no ${file}` : code === 'EACCES' ? `${file} is not executable` : `${file}: ${code ?? String(e)}`;
  }
};

/**
 * The assets folder: `dir` when given, else `KUBEBUILDER_ASSETS`. Throws `EnvtestAssetsMissing`
 * naming each program that is absent or not executable.
 */
export const findAssets = (dir: string | undefined = process.env['KUBEBUILDER_ASSETS']): EnvtestAssets => {
  if (dir === undefined || dir === '') {
    throw new EnvtestAssetsMissing([{ where: 'KUBEBUILDER_ASSETS', problem: 'not set, and no binaryAssetsDirectory was given' }]);
  }
  const folder = resolve(dir);
  const problems = ASSET_PROGRAMS.flatMap((p) => {
    const problem = problemWith(join(folder, p));
    return problem === undefined ? [] : [{ where: folder, problem }];
  });
  if (problems.length > 0) throw new EnvtestAssetsMissing(problems);
  return { dir: folder, kubeApiServer: join(folder, 'kube-apiserver'), etcd: join(folder, 'etcd') };
};
