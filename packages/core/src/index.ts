/**
 * @capt-endpoint/core: pure endpoint resolution and update planning for CAPT control planes.
 * Everything here is total: functions return `Either`/`TaskEither` values and never throw.
 */
export * from './errors';
export * from './endpoint';
export * from './kinds';
export * from './objects';
export * from './clusterClient';
export * from './mergePatch';
export * from './jsonValue';
export * from './stringPool';
export * from './logger';
export * from './locate';
export * from './condition';
export * from './plan';
export * from './reconcile';
export * from './parseEndpoint';
