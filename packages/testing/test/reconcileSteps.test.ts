// reconcileEndpoint labels a throw by the step that threw: the verb and the object of the
// request it was making.
import * as E from 'fp-ts/lib/Either.js';
import { reconcileEndpoint, type ClusterClient } from '@capt-endpoint/core';
import { createFakeClient } from '../src';
import { cluster, controlPlane, workspace, workspaceApply } from '../../core/test/fixtures';

const target = { namespace: 'team-a', name: 'demo-cp' };
const objects = () => [controlPlane(), cluster(), workspaceApply('demo-eks'), workspace({ outputs: { cluster_endpoint: 'api.example.com' } })];

describe('a step that throws', () => {
  it.each([
    ['get', 'Workspace', 'Workspace demo-eks'],
    ['patch', 'Cluster', 'Cluster team-a/demo'],
    ['patchStatus', 'CAPTControlPlane', 'CAPTControlPlane team-a/demo-cp'],
  ] as const)('a %s of the %s is labelled with that verb and object', async (verb, kind, object) => {
    const fake = createFakeClient(objects());
    const client: ClusterClient = {
      get: (ref, options) => (verb === 'get' && ref.kind === kind ? () => { throw new Error('boom'); } : fake.get(ref, options)),
      patch: (ref, patch, options) => (verb === 'patch' && ref.kind === kind ? () => { throw new Error('boom'); } : fake.patch(ref, patch, options)),
      patchStatus: (ref, patch, options) => (verb === 'patchStatus' && ref.kind === kind ? () => Promise.reject(new Error('boom')) : fake.patchStatus(ref, patch, options)),
    };
    const result = await reconcileEndpoint(client, target)();
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'RequestFailed', verb, object, reason: 'ApiOther' });
    expect(JSON.stringify(result)).not.toContain('boom');
  });

  it('a logger that throws while a control plane is cleaned up fails that patch step', async () => {
    const fake = createFakeClient([controlPlane({ deleting: true }), cluster({ host: 'api.example.com', port: 443 })]);
    const throwing = () => {
      throw new Error('logger down');
    };
    const result = await reconcileEndpoint(fake, target, { logger: { debug: throwing, info: throwing, warn: throwing, error: throwing } })();
    expect(E.isLeft(result) && result.left).toMatchObject({ _tag: 'RequestFailed', verb: 'patch', object: 'Cluster team-a/demo' });
  });
});
