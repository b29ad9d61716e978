import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '@capt-endpoint/core';
import { selectorOf } from '../src/selectors';
import { left, right } from './fixtures';

const object = (labels: Record<string, string> | undefined, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'conn', namespace: 'default', ...(labels ? { labels } : {}) },
  ...extra,
});

const selects = (query: Record<string, string>, target: KubeObject, apiVersion = 'v1', kind = 'Secret'): boolean =>
  right(selectorOf(query, apiVersion, kind))(target);

describe('label selectors', () => {
  const capt = object({ app: 'capt', tier: 'control' });
  const bare = object(undefined);

  it.each([
    ['app=capt', true, false],
    ['app==capt', true, false],
    ['app!=capt', false, true],
    ['app', true, false],
    ['!app', false, true],
    ['app in (capt, other)', true, false],
    ['app notin (capt)', false, true],
    ['app=capt,tier=control', true, false],
    ['app=capt,tier=data', false, false],
    ['app in (a,capt),!missing', true, false],
    ['', true, true],
  ])('%s', (selector, onCapt, onBare) => {
    expect([selects({ labelSelector: selector }, capt), selects({ labelSelector: selector }, bare)]).toEqual([onCapt, onBare]);
  });

  it.each(['app in capt', 'a b', '=x', 'app>1'])('refuses %j with 400', (selector) => {
    expect(left(selectorOf({ labelSelector: selector }, 'v1', 'Secret'))).toMatchObject({ code: 400, statusReason: 'BadRequest' });
  });
});

describe('field selectors', () => {
  const conn = object(undefined, { type: 'connection.crossplane.io/v1alpha1' });

  it('reads metadata.name, metadata.namespace and the fields a kind indexes', () => {
    expect(selects({ fieldSelector: 'metadata.name=conn' }, conn)).toBe(true);
    expect(selects({ fieldSelector: 'metadata.namespace!=default' }, conn)).toBe(false);
    expect(selects({ fieldSelector: 'type=connection.crossplane.io/v1alpha1' }, conn)).toBe(true);
    expect(selects({ fieldSelector: 'type==Opaque' }, conn)).toBe(false);
    const event = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'CAPTControlPlane', name: 'cp' }, reason: 'EndpointSet' };
    expect(selects({ fieldSelector: 'involvedObject.name=cp,reason=EndpointSet' }, event, 'v1', 'Event')).toBe(true);
  });

  it('combines with a label selector', () => {
    expect(selects({ fieldSelector: 'metadata.name=conn', labelSelector: 'app' }, conn)).toBe(false);
  });

  it('refuses a field the kind does not index', () => {
    expect(left(selectorOf({ fieldSelector: 'type=x' }, 'cluster.x-k8s.io/v1beta1', 'Cluster'))).toMatchObject({
      code: 400,
      message: 'field label not supported: type',
    });
    expect(E.isLeft(selectorOf({ fieldSelector: 'nonsense' }, 'v1', 'Secret'))).toBe(true);
  });
});
