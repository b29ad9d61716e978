/**
 * @capt-endpoint/testing: an in-memory Kubernetes API for tests. `ObjectStore` holds the API
 * server's semantics; `createFakeClient` puts the core's `ClusterClient` in front of it, with
 * error injection and call recording; `startFakeApiServer` serves the same store over loopback
 * HTTP so the real `@kubernetes/client-node` can talk to it.
 */
export * from './store';
export * from './apiErrors';
export * from './faults';
export * from './fakeClient';
export { objectsFromYaml, YamlDocumentError, DEFAULT_YAML_LIMITS, type YamlLimits, type YamlProblem } from './yaml';
export * from './server';
export { startHostileApiServer, type HostileApiServer, type HostileServerOptions, type HostileList, type HostileWatch } from './hostileServer';
export { PagedLists, limitOf, type Page, type PagedListsOptions, type PageRequest, type Snapshot } from './pagedLists';
export * from './status';
export { routeOf, type Route } from './routes';
export { selectorOf, type Selector } from './selectors';
