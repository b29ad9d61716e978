// Text a tenant controls reaches `reconcile -o text`, `explain -o text` and the error line on
// stderr escaped: a forged newline cannot add a line, an ESC or a one-byte CSI cannot reach the
// terminal, a bidirectional override cannot reorder what is read.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '@capt-endpoint/core';
import { apiError } from '@capt-endpoint/core/adapter';
import { createFakeClient, type FakeClient } from '@capt-endpoint/testing';
import { parseCommandLine, reconcileOnce, type ClosableClient } from '../src';
import { capture, initialObjects, run } from './helpers';

/** A line a tenant would like the reader to believe, with a terminal escape, a CSI and an override. */
const FORGED = 'demo-eks\n  ✓ endpoint set by the platform team\u001b[2J\u009b31m\u202egnp.lmay';

const withWorkspaceName = (name: string): KubeObject[] =>
  initialObjects().map((object) => (object.kind === 'WorkspaceTemplateApply' ? { ...object, status: { applied: true, workspaceName: name } } : object));

const reconcileText = async (fake: FakeClient): Promise<{ readonly stdout: string; readonly stderr: string }> => {
  const parsed = parseCommandLine(['reconcile', '-n', 'team-a', 'demo', '-o', 'text']);
  if (E.isLeft(parsed) || parsed.right._tag !== 'Reconcile') throw new Error('the command line does not parse');
  const stdout = capture();
  const stderr = capture();
  const client: ClosableClient = {
    get: (ref, options) => fake.get(ref, options),
    patch: (ref, patch, options) => fake.patch(ref, patch, options),
    patchStatus: (ref, patch, options) => fake.patchStatus(ref, patch, options),
    close: () => Promise.resolve(),
  };
  await reconcileOnce(new KubeConfig(), parsed.right, { env: {}, stdout: stdout.stream, stderr: stderr.stream }, () => client);
  return { stdout: stdout.text(), stderr: stderr.text() };
};

/** C0 but the line ends, DEL, C1, and the bidirectional controls: none may reach the reader raw. */
const isUnsafe = (character: string): boolean => {
  const code = character.codePointAt(0)!;
  return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f) || [0x061c, 0x200e, 0x200f, 0x2028, 0x2029].includes(code) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
};

const expectInert = (text: string): void => {
  expect([...text].filter(isUnsafe)).toEqual([]);
  expect(text.split('\n').filter((line) => line.includes('endpoint set by the platform team') && !line.includes('\\n'))).toEqual([]);
};

describe('reconcile -o text', () => {
  it('shows a forged status.workspaceName escaped, on the line it belongs to', async () => {
    const { stdout } = await reconcileText(createFakeClient(withWorkspaceName(FORGED)));
    expect(stdout).toContain('InvalidName');
    expect(stdout).toContain('\\n  ✓ endpoint set by the platform team\\u001b[2J\\x9b31m\\u202egnp.lmay');
    expectInert(stdout);
  });

  it("shows an API server's message escaped", async () => {
    const fake = createFakeClient(initialObjects());
    fake.failOn('get', apiError('Forbidden', `captcontrolplanes is forbidden: ${FORGED}`, { code: 403, statusReason: 'Forbidden' }));
    const { stdout } = await reconcileText(fake);
    expect(stdout).toContain('forbidden');
    expectInert(stdout);
  });
});

describe('explain -o text', () => {
  it('shows a forged status.workspaceName from a file escaped', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'capt-inert-')), 'apply.yaml');
    const apply = initialObjects().find((object) => object.kind === 'WorkspaceTemplateApply')!;
    writeFileSync(file, JSON.stringify({ ...apply, status: { applied: true, workspaceName: FORGED } }));
    const { stdout, stderr } = await run(['explain', '-f', 'examples/manifests', '-f', file, '-o', 'text']);
    expect(stderr).toBe('');
    expect(stdout).toContain('InvalidName');
    expectInert(stdout);
  });
});
