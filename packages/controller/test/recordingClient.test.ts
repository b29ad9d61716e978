import * as E from 'fp-ts/lib/Either.js';
import { createFakeClient } from '@capt-endpoint/testing';
import { reconcileEndpoint, type ClusterClient, type SteadyMemo } from '@capt-endpoint/core';
import { emptyOutcome } from '@capt-endpoint/core/adapter';
import { recordingClient } from '../src';
import { initialObjects, manifest } from './helpers';

const cp = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo' };

describe('recordingClient', () => {
  it('in dry-run mode sends no write, returns the patched object and reads its own patches back', async () => {
    const fake = createFakeClient(initialObjects());
    const client = recordingClient(fake, { dryRun: true });
    const patched = await client.patch(cp, { spec: { controlPlaneEndpoint: { host: 'h.example', port: 443 } }, status: { ignored: true } })();
    expect(E.isRight(patched) && patched.right['spec']).toMatchObject({ controlPlaneEndpoint: { host: 'h.example', port: 443 }, workspaceTemplateApplyName: 'demo-eks-controlplane-apply' });
    expect(E.isRight(patched) && patched.right['status']).toBeUndefined();
    const status = await client.patchStatus(cp, { status: { conditions: [] }, spec: { ignored: true } })();
    expect(E.isRight(status) && status.right['spec']).toMatchObject({ controlPlaneEndpoint: { host: 'h.example', port: 443 } });
    expect(E.isRight(status) && (status.right['spec'] as Record<string, unknown>)['ignored']).toBeUndefined();
    const read = await client.get(cp)();
    expect(E.isRight(read) && read.right?.['status']).toEqual({ conditions: [] });

    expect(fake.writes()).toEqual([]);
    expect(fake.get(cp.apiVersion, cp.kind, cp.namespace, cp.name)?.['spec']).not.toHaveProperty('controlPlaneEndpoint');
    expect(client.writes.map((w) => [w.verb, w.sent])).toEqual([['patch', false], ['patchStatus', false]]);
    expect(client.reads.map((r) => r.ref.name)).toEqual(['demo']);
  });

  it('in dry-run mode answers a patch of a missing object with NotFound', async () => {
    const client = recordingClient(createFakeClient([]), { dryRun: true });
    const result = await client.patch(cp, { spec: {} })();
    expect(E.isLeft(result) && result.left.kind).toBe('NotFound');
    expect(client.writes[0]?.error?.kind).toBe('NotFound');
  });

  it('otherwise passes writes through and records them and their failures', async () => {
    const fake = createFakeClient(initialObjects());
    const client = recordingClient(fake);
    await client.patch(cp, { metadata: { labels: { a: 'b' } } })();
    fake.failOnce('patch', undefined, 'Unavailable');
    await client.patch(cp, { metadata: { labels: { c: 'd' } } })();
    expect(client.writes.map((w) => [w.sent, w.error?.kind])).toEqual([[true, undefined], [true, 'Unavailable']]);
    expect(fake.get(cp.apiVersion, cp.kind, cp.namespace, cp.name)?.metadata.labels).toEqual({ a: 'b' });
  });

  it('records missing objects and failed reads', async () => {
    const fake = createFakeClient([]);
    const client = recordingClient(fake);
    await client.get(cp)();
    fake.failOnce('get', undefined, 'Timeout');
    await client.get(cp)();
    expect(client.reads.map((r) => [r.object, r.error?.kind])).toEqual([[undefined, undefined], [undefined, 'Timeout']]);
  });
});

describe('recordingClient and the inner client steady memo', () => {
  /** The fake with a memo that answers `outcome` for every control plane, counting what it is asked. */
  const withMemo = () => {
    const fake = createFakeClient(initialObjects());
    const counts = { recall: 0, remember: 0 };
    const outcome = Object.freeze(emptyOutcome(cp, 'UpToDate', 'UpToDate: remembered'));
    const steadyMemo: SteadyMemo = {
      recall: () => {
        counts.recall++;
        return outcome;
      },
      remember: () => {
        counts.remember++;
      },
    };
    const inner: ClusterClient = {
      get: (ref, options) => fake.get(ref, options),
      patch: (ref, patch, options) => fake.patch(ref, patch, options),
      patchStatus: (ref, patch, options) => fake.patchStatus(ref, patch, options),
      steadyMemo,
    };
    return { fake, inner, counts, outcome };
  };

  it('passes the memo through: a recalled reconcile reads nothing and says so', async () => {
    const { inner, counts, outcome } = withMemo();
    const client = recordingClient(inner);
    const result = await reconcileEndpoint(client, { namespace: 'team-a', name: 'demo' })();
    expect(E.isRight(result) && result.right).toBe(outcome);
    expect(counts.recall).toBe(1);
    expect(client.recalled).toBe(true);
    expect(client.reads).toEqual([]);
    expect(client.writes).toEqual([]);
  });

  it('with recall off, reconciles in full and records every read', async () => {
    const { inner, counts } = withMemo();
    const client = recordingClient(inner, { recall: false });
    const result = await reconcileEndpoint(client, { namespace: 'team-a', name: 'demo' })();
    expect(E.isRight(result) && result.right._tag).toBe('Waiting');
    expect(counts.recall).toBe(0);
    expect(client.recalled).toBe(false);
    expect(client.reads.map((read) => read.ref.kind)).toContain('Workspace');
  });

  it('in dry-run mode neither recalls nor remembers', async () => {
    const { fake, inner, counts } = withMemo();
    manifest('later/workspace-applied.yaml').forEach((object) => fake.put(object));
    const client = recordingClient(inner, { dryRun: true });
    expect(client.steadyMemo).toBeUndefined();
    const result = await reconcileEndpoint(client, { namespace: 'team-a', name: 'demo' })();
    expect(E.isRight(result) && result.right._tag).toBe('Updated');
    expect(counts).toEqual({ recall: 0, remember: 0 });
    expect(client.recalled).toBe(false);
    expect(client.reads.map((read) => read.ref.kind)).toContain('Workspace');
    expect(fake.writes()).toEqual([]);
  });
});
