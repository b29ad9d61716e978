// The two backends of the scenario table: the fake in memory, and the real server through
// @capt-endpoint/kubernetes in a namespace of its own.
import * as E from 'fp-ts/lib/Either.js';
import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { refOf, type KubeObject, type ObjectRef } from '@capt-endpoint/core';
import { createKubernetesClient } from '@capt-endpoint/kubernetes';
import { createFakeClient, type FakeClient } from '@capt-endpoint/testing';
import { envtestCrds, type ClusterApiServing } from '../src';
import { NAMESPACE, SEED_MANAGER, type Backend } from './scenarios';
import { freshNamespace } from './realServer';

const orThrow = async <A>(what: string, task: () => Promise<E.Either<{ message: string }, A>>): Promise<A> => {
  const result = await task();
  if (E.isLeft(result)) throw new Error(`${what}: ${result.left.message}`);
  return result.right;
};

/** The fake with the same CRDs as the real server, conversion None included. */
export const fakeBackend = (clusterApi: ClusterApiServing = 'servedBoth'): Backend => {
  let fake: FakeClient | undefined;
  const ready = (): FakeClient => {
    if (fake === undefined) throw new Error('seed first');
    return fake;
  };
  return {
    namespace: NAMESPACE,
    seed: async (objects) => {
      fake = createFakeClient([], { crds: envtestCrds(clusterApi) });
      for (const object of objects) fake.put(object, { fieldManager: SEED_MANAGER });
      return fake;
    },
    write: async (step) => {
      const client = ready();
      await orThrow('write', (step.status ? client.patchStatus : client.patch).call(client, step.ref, step.patch, { fieldManager: step.fieldManager }));
    },
    delete: async (ref) => {
      ready().delete(ref);
    },
    read: async (ref) => ready().object(ref),
  };
};

/** Replaces the scenario's namespace with `namespace` wherever it is a whole string value. */
const moved = <A>(value: A, namespace: string): A =>
  JSON.parse(JSON.stringify(value), (_key, v: unknown) => (v === NAMESPACE ? namespace : v)) as A;

/** What the API server sets itself; a create must leave it out. */
const forCreate = (object: KubeObject): KubeObject => {
  const { resourceVersion: _rv, uid: _uid, generation: _g, managedFields: _mf, creationTimestamp: _ct, ...metadata } = object.metadata;
  const { status: _status, ...rest } = object;
  return { ...rest, metadata };
};

/**
 * A backend on the real server: each seed gets a fresh namespace; cluster-scoped objects it
 * created are deleted by `cleanUp`, so the next scenario can use the same names.
 */
export const realBackend = async (kubeConfig: KubeConfig): Promise<Backend & { cleanUp: () => Promise<void> }> => {
  const namespace = await freshNamespace(kubeConfig, 'scenario');
  const client = createKubernetesClient(kubeConfig);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const clusterScoped: ObjectRef[] = [];
  const here = (ref: ObjectRef): ObjectRef => moved(ref, namespace);
  return {
    namespace,
    seed: async (seeds) => {
      for (const seed of moved(seeds, namespace)) {
        const created = await orThrow(`create ${seed.kind} ${seed.metadata.name}`, client.create(forCreate(seed), { fieldManager: SEED_MANAGER }));
        if (created.metadata.namespace === undefined) clusterScoped.push(refOf(created));
        if (seed['status'] !== undefined && seed.kind !== 'Secret') {
          await orThrow(`status of ${seed.kind} ${seed.metadata.name}`, client.patchStatus(refOf(created), { status: seed['status'] }, { fieldManager: SEED_MANAGER }));
        }
      }
      return client;
    },
    write: async (step) => {
      const patch = moved(step.patch, namespace);
      await orThrow('write', (step.status ? client.patchStatus : client.patch).call(client, here(step.ref), patch, { fieldManager: step.fieldManager }));
    },
    delete: async (ref) => {
      const target = here(ref);
      await objects.delete({ apiVersion: target.apiVersion, kind: target.kind, metadata: { name: target.name, ...(target.namespace ? { namespace: target.namespace } : {}) } });
    },
    read: async (ref) => orThrow('read', client.get(here(ref))),
    cleanUp: async () => {
      for (const ref of clusterScoped.splice(0)) {
        await objects.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name } }).catch(() => undefined);
      }
      await client.close();
    },
  };
};
