// A server that echoes the request's Authorization header in its error bodies: `reconcile`
// prints, and `run` logs on every list and watch retry, the server's message with the token as
// ***, never the token.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHostileApiServer, type HostileApiServer, type HostileEcho } from '@capt-endpoint/testing';
import { main } from '../src';
import { eventually, run } from './helpers';

const TOKEN = 'hostile-token';

let server: HostileApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const kubeconfigFor = async (echoAuthorization: HostileEcho): Promise<string> => {
  server = await startHostileApiServer({ echoAuthorization, list: 'empty', maxStreamMs: 10_000 });
  const file = join(mkdtempSync(join(tmpdir(), 'capt-scrub-')), 'kubeconfig');
  writeFileSync(file, server.kubeConfigYaml());
  return file;
};

describe('reconcile against a server that echoes the Authorization header', () => {
  it.each(['text', 'json'])('-o %s shows the refusal without the token', async (output) => {
    const kubeconfig = await kubeconfigFor('everyRequest');
    const { code, stdout, stderr } = await run(['reconcile', '--kubeconfig', kubeconfig, '-n', 'team-a', 'demo', '-o', output]);
    expect(code).toBe(1);
    expect(stdout).toContain('Unauthorized');
    expect(stdout).toContain('***');
    expect(`${stdout}${stderr}`).not.toContain(TOKEN);
  });
});

describe('run against a server that echoes the Authorization header', () => {
  it.each(['everyRequest', 'watchEvents'] as const)('%s: every retry is logged without the token', async (echo) => {
    const kubeconfig = await kubeconfigFor(echo);
    let logs = '';
    let errors = '';
    const stop = new AbortController();
    const running = main(['run', '--kubeconfig', kubeconfig, '--leader-elect=false'], {
      env: {},
      signal: stop.signal,
      stdout: { write: (text: string) => (logs += text) },
      stderr: { write: (text: string) => (errors += text) },
    });
    // Retries of the list (everyRequest) or of the watch (watchEvents), each logged.
    await eventually(() => (logs.match(/Unauthorized/g) ?? []).length >= 3);
    stop.abort();
    await running;
    expect(logs).toContain('***');
    expect(`${logs}${errors}`).not.toContain(TOKEN);
  });
});
