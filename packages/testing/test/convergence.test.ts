// reconcileEndpoint under faults and races, through the fake cluster.
import * as E from 'fp-ts/lib/Either.js';
import { reconcileEndpoint, type KubeObject, type ObjectRef } from '@capt-endpoint/core';
import { captEndpointCrds, createFakeClient, type FakeClient } from '../src';
import { cluster, controlPlane, secret, workspace, workspaceApply } from '../../core/test/fixtures';

const CP_API = 'controlplane.cluster.x-k8s.io/v1beta1';
const ns = (i: number) => `tenant-${i % 7}`;

/** One control plane's objects, renamed for index i; a third read their endpoint from the Secret. */
const objectsFor = (i: number): { objects: KubeObject[]; host: string } => {
  const rename = (o: KubeObject, name: string, namespaced = true): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, name, ...(namespaced ? { namespace: ns(i) } : {}) },
  });
  const host = `cp-${i}.gr7.eu-west-1.eks.amazonaws.com`;
  const viaSecret = i % 3 === 0;
  const cp = rename(controlPlane(), `cp-${i}`);
  (cp['spec'] as Record<string, unknown>)['workspaceTemplateApplyName'] = `apply-${i}`;
  cp.metadata.ownerReferences = [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name: `cluster-${i}`, uid: `u-${i}` }];
  const ws = viaSecret
    ? workspace({ secretRef: { name: `conn-${i}`, namespace: ns(i) } })
    : workspace({ outputs: { cluster_endpoint: `https://${host.toUpperCase()}` } });
  return {
    host,
    objects: [
      cp,
      rename(cluster(), `cluster-${i}`),
      rename(workspaceApply(`ws-${i}`), `apply-${i}`),
      rename(ws, `ws-${i}`, false),
      ...(viaSecret ? [rename(secret({ cluster_endpoint: `https://${host}:443\n` }), `conn-${i}`)] : []),
    ],
  };
};

const ref = (kind: 'CAPTControlPlane' | 'Cluster', i: number): ObjectRef =>
  kind === 'CAPTControlPlane'
    ? { apiVersion: CP_API, kind, namespace: ns(i), name: `cp-${i}` }
    : { apiVersion: 'cluster.x-k8s.io/v1beta1', kind, namespace: ns(i), name: `cluster-${i}` };

const withoutOwnedFields = (o: KubeObject | undefined) => {
  const copy = structuredClone(o) as Record<string, any>;
  for (const key of ['resourceVersion', 'generation', 'managedFields']) delete copy['metadata'][key];
  // Our record of endpoint writes is ours too.
  if (copy['metadata']['annotations']) {
    delete copy['metadata']['annotations']['capt-endpoint.io/endpoint-writes'];
    if (Object.keys(copy['metadata']['annotations']).length === 0) delete copy['metadata']['annotations'];
  }
  delete copy['spec']['controlPlaneEndpoint'];
  if (copy['status']?.conditions) copy['status'].conditions = copy['status'].conditions.filter((c: { type: string }) => c.type !== 'EndpointReady');
  return copy;
};

const settled = (fake: FakeClient, i: number, host: string): boolean => {
  const cp = fake.object(ref('CAPTControlPlane', i)) as any;
  const cl = fake.object(ref('Cluster', i)) as any;
  const want = { host, port: 443 };
  return (
    JSON.stringify(cp.spec.controlPlaneEndpoint) === JSON.stringify(want) &&
    JSON.stringify(cl.spec.controlPlaneEndpoint) === JSON.stringify(want) &&
    cp.status.conditions.some((c: any) => c.type === 'EndpointReady' && c.status === 'True')
  );
};

describe('convergence under faults', () => {
  it('200 control planes, 30% of calls failing: every one settles within 10 rounds, nothing else changes', async () => {
    const fleet = Array.from({ length: 200 }, (_, i) => objectsFor(i));
    const fake = createFakeClient(fleet.flatMap((f) => f.objects), { crds: captEndpointCrds, randomFailures: { rate: 0.3, seed: 1337 } });
    const before = fleet.map((_, i) => [withoutOwnedFields(fake.object(ref('CAPTControlPlane', i))), withoutOwnedFields(fake.object(ref('Cluster', i)))]);

    // A controller's round: each unsettled control plane is reconciled with the objects an
    // informer cache would hold (read here without going through the failing client), and a
    // retryable failure is retried at most twice more in the round, as a work queue's first
    // fast retries would.
    const done = new Set<number>();
    let rounds = 0;
    let failures = 0;
    for (; rounds < 10 && done.size < fleet.length; rounds++) {
      for (let i = 0; i < fleet.length; i++) {
        if (done.has(i)) continue;
        for (let attempt = 0; attempt < 3; attempt++) {
          const result = await reconcileEndpoint(fake, {
            controlPlane: fake.object(ref('CAPTControlPlane', i))!,
            cluster: fake.object(ref('Cluster', i))!,
          })();
          if (E.isRight(result)) break;
          failures++;
          expect(result.left.retryable).toBe(true);
        }
        if (settled(fake, i, fleet[i]!.host)) done.add(i);
      }
    }
    expect(done.size).toBe(fleet.length);
    expect(rounds).toBeLessThanOrEqual(10);
    // The faults really happened.
    expect(failures).toBeGreaterThan(50);
    expect(fake.calls.filter((c) => c.error !== undefined).length).toBeGreaterThan(100);
    fleet.forEach((_, i) => {
      expect([withoutOwnedFields(fake.object(ref('CAPTControlPlane', i))), withoutOwnedFields(fake.object(ref('Cluster', i)))]).toEqual(before[i]);
    });
  });
});

describe('racing writers', () => {
  it('two reconcilers and a third writer on the same objects: the endpoint is right and no condition is lost', async () => {
    const { objects, host } = objectsFor(1);
    // Latency spreads the calls so the reconcilers really interleave.
    let tick = 0;
    const fake = createFakeClient(objects, { crds: captEndpointCrds, latency: () => (tick++ % 3) + 1 });
    const cpRef = ref('CAPTControlPlane', 1);
    const third = (async () => {
      await new Promise((r) => setTimeout(r, 4));
      // Another controller records its own condition while ours are in flight (it bumps the resourceVersion).
      const current = fake.object(cpRef)!;
      const conditions = [...((current['status'] as any).conditions ?? []), { type: 'OtherReady', status: 'True', reason: 'Fine', message: '', lastTransitionTime: '2026-11-26T00:00:00Z' }];
      fake.edit(cpRef, { status: { conditions } });
    })();
    const [a, b] = await Promise.all([reconcileEndpoint(fake, { namespace: ns(1), name: 'cp-1' })(), reconcileEndpoint(fake, { namespace: ns(1), name: 'cp-1' })(), third]);
    // Each reconciler either finished or gave up with a retryable error; a later reconcile settles it.
    for (const r of [a, b]) if (E.isLeft(r)) expect(r.left.retryable).toBe(true);
    await reconcileEndpoint(fake, { namespace: ns(1), name: 'cp-1' })();

    expect(settled(fake, 1, host)).toBe(true);
    const types = ((fake.object(cpRef)!['status'] as any).conditions as Array<{ type: string }>).map((c) => c.type).sort();
    // Ours and the original are there once, and the third writer's condition was not lost.
    expect(types.filter((t) => t === 'EndpointReady')).toHaveLength(1);
    expect(types).toContain('Ready');
    // The race was real: some write met a 409 and was planned again.
    expect(fake.calls.some((c) => c.error?.kind === 'Conflict')).toBe(true);
    expect(types).toContain('OtherReady');
    // Nothing wrote the endpoint twice with different values.
    const endpointWrites = fake.writes().filter((c) => c.verb === 'patch' && c.error === undefined).map((c) => JSON.stringify((c.body as any).spec.controlPlaneEndpoint));
    expect(new Set(endpointWrites).size).toBe(1);
  });
});
