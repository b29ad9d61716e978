// loadKubeConfig's failures: one line that says what is wrong with the file and never quotes
// it, since a kubeconfig holds tokens and passwords.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { loadKubeConfig } from '../src/kubeconfig';

const SECRET = 'hunter2-PASSWORD-9f8e';

const fileWith = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'capt-kubeconfig-')), 'config');
  writeFileSync(file, text);
  return file;
};

const messageFor = (text: string): string => {
  const loaded = loadKubeConfig({ kubeconfig: fileWith(text), context: undefined }, {});
  if (E.isRight(loaded)) throw new Error('expected the kubeconfig to be refused');
  return loaded.left.message;
};

const withUser = (user: string): string =>
  ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: c', '  cluster: {server: "https://10.0.0.1:6443"}', 'users:', '- name: u', `  user: ${user}`, 'current-context: x', ''].join('\n');

describe('a kubeconfig that cannot be parsed', () => {
  it.each([
    ['an unquoted !tag', withUser(`{password: !secret ${SECRET}}`)],
    ['an unknown *alias', withUser(`{password: *${SECRET}}`)],
    ['a broken flow mapping', withUser(`{password: ${SECRET}`)],
    ['a tab in the indentation', withUser(`\n\tpassword: ${SECRET}`)],
  ])('with %s is refused in one line that names the file and the position, never the contents', (_, text) => {
    const message = messageFor(text);
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain('password');
    expect(message).toMatch(/^kubeconfig \/.+\/config: not valid YAML( \(line \d+, column \d+\))?$/);
  });

  it('a missing field is named, the values are not', () => {
    const message = messageFor(['apiVersion: v1', 'clusters:', `- cluster: {server: "https://${SECRET}@10.0.0.1"}`, ''].join('\n'));
    expect(message).toMatch(/: clusters\[0\]\.name is missing$/);
    expect(message).not.toContain(SECRET);
  });
});

describe('no kubeconfig at all', () => {
  // client-node's default search, given nothing to find: no $KUBECONFIG, a home without
  // .kube/config, and no service account (this machine is not a Pod).
  const withoutAny = <A>(body: () => A): A => {
    const saved = { HOME: process.env['HOME'], KUBECONFIG: process.env['KUBECONFIG'] };
    process.env['HOME'] = mkdtempSync(join(tmpdir(), 'capt-home-'));
    delete process.env['KUBECONFIG'];
    try {
      return body();
    } finally {
      for (const [key, value] of Object.entries(saved)) if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };

  it("is refused at load in one line that says where it looked, not taken as client-node's http://localhost:8080", () => {
    const loaded = withoutAny(() => loadKubeConfig({ kubeconfig: undefined, context: undefined }, {}));
    if (E.isRight(loaded)) throw new Error(`expected no kubeconfig, got the server ${loaded.right.getCurrentCluster()?.server}`);
    expect(loaded.left.message).toMatch(/^kubeconfig \(default\): no kubeconfig was found \(\$KUBECONFIG, ~\/\.kube\/config, a Pod's service account\)/);
    expect(loaded.left.message).not.toContain('\n');
  });
});
