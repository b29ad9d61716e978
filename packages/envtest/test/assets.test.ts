import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvtestAssetsMissing, findAssets, startEnvtest } from '../src';

describe('finding the real server\'s programs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'capt-envtest-assets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const program = (name: string, mode = 0o755) => {
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, name), mode);
  };

  it('names each program that is missing, and says how to get them', () => {
    program('etcd');
    const error = (() => {
      try {
        findAssets(dir);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EnvtestAssetsMissing);
    const message = (error as Error).message;
    expect(message).toContain(`no ${join(dir, 'kube-apiserver')}`);
    expect(message).not.toContain(`no ${join(dir, 'etcd')}`);
    expect(message).toContain('KUBEBUILDER_ASSETS');
    expect(message).toContain('npm run envtest:assets');
  });

  it('says when a program is there but cannot be run', () => {
    program('etcd', 0o644);
    program('kube-apiserver');
    expect(() => findAssets(dir)).toThrow(`${join(dir, 'etcd')} is not executable`);
  });

  it('takes KUBEBUILDER_ASSETS when no folder is given, and says when it is not set', () => {
    program('etcd');
    program('kube-apiserver');
    const saved = process.env['KUBEBUILDER_ASSETS'];
    try {
      process.env['KUBEBUILDER_ASSETS'] = dir;
      expect(findAssets()).toEqual({ dir, etcd: join(dir, 'etcd'), kubeApiServer: join(dir, 'kube-apiserver') });
      delete process.env['KUBEBUILDER_ASSETS'];
      expect(() => findAssets()).toThrow(/KUBEBUILDER_ASSETS: not set/);
    } finally {
      if (saved === undefined) delete process.env['KUBEBUILDER_ASSETS'];
      else process.env['KUBEBUILDER_ASSETS'] = saved;
    }
  });

  it('startEnvtest fails with the same message before starting anything', async () => {
    await expect(startEnvtest({ binaryAssetsDirectory: dir })).rejects.toBeInstanceOf(EnvtestAssetsMissing);
  });
});
