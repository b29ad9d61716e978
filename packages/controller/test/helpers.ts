// Shared by the controller tests: the repository's example manifests, and a WatchedCluster over
// the fake client's store (the shape of the cached Kubernetes client).
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import * as E from 'fp-ts/lib/Either.js';
import { refOf, type KubeObject } from '@capt-endpoint/core';
import { CONTROL_PLANE_API_VERSION } from '@capt-endpoint/core/adapter';
import type { CacheChange } from '@capt-endpoint/kubernetes';
import type { FakeApiServer, FakeClient } from '@capt-endpoint/testing';
import { jsonLogger, startManager, type Manager, type ManagerOptions, type ObjectChange, type WatchedCluster } from '../src';

export const REPO = join(__dirname, '..', '..', '..');
export { EKS_HOST, MANIFESTS, initialObjects, manifest } from '../../../examples/objects';

const WATCHED: ReadonlyArray<readonly [string, string]> = [
  [CONTROL_PLANE_API_VERSION, 'CAPTControlPlane'],
  ['infrastructure.cluster.x-k8s.io/v1beta1', 'WorkspaceTemplateApply'],
  ['tf.upbound.io/v1beta1', 'Workspace'],
  ['v1', 'Secret'],
];

/**
 * The fake as a watched cluster: like an informer, it reports what exists first, then each
 * write; `list` answers from the store, as the cache lists what it holds once synced.
 */
export const watchedFake = (fake: FakeClient, options: { readonly replay?: boolean } = {}): WatchedCluster & { stopped: boolean } => {
  const state = { stopped: false };
  const change = (type: ObjectChange['type'], object: KubeObject): CacheChange => ({ type, ...refOf(object), namespace: object.metadata.namespace, resourceVersion: object.metadata.resourceVersion });
  return {
    get: (ref, requestOptions) => fake.get(ref, requestOptions),
    patch: (ref, patch, requestOptions) => fake.patch(ref, patch, requestOptions),
    patchStatus: (ref, patch, requestOptions) => fake.patchStatus(ref, patch, requestOptions),
    list: (apiVersion, kind, namespace) => fake.store.list(apiVersion, kind, namespace).items,
    onChange: (listener) => {
      const existing = options.replay === false ? [] : WATCHED.flatMap(([apiVersion, kind]) => fake.store.list(apiVersion, kind).items);
      queueMicrotask(() => existing.forEach((object) => listener(change('added', object))));
      return fake.store.watch((event) => listener(change(event.type.toLowerCase() as ObjectChange['type'], event.object)));
    },
    synced: () => Promise.resolve(),
    stop: async () => {
      state.stopped = true;
    },
    get stopped() {
      return state.stopped;
    },
  };
};

/** Resolves once `predicate` holds, checking after each turn of the event loop (fails the test after `ms`). */
export const eventually = async (predicate: () => boolean, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** A manager on the loopback server, without leader election or Events, logging JSON lines to `write`; throws when it cannot start. */
export const startManagerOn = async (server: FakeApiServer, write: (text: string) => void, options: Partial<ManagerOptions> = {}): Promise<Manager> => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(server.kubeConfigYaml());
  const started = await startManager({ kubeConfig, logger: jsonLogger({ write }), leaderElection: false, events: false, ...options });
  if (E.isLeft(started)) throw new Error(started.left.message);
  return started.right;
};
