import * as O from 'fp-ts/lib/Option.js';
import { decideEndpointWrite, ENDPOINT_WRITES_ANNOTATION, writeRecordOf, type ContestSettings } from '../src/contest';
import { heldEndpointOf } from '../src/heldEndpoint';
import { describeWriter, endpointWriter } from '../src/writers';

const at = (seconds: number): Date => new Date(Date.UTC(2026, 11, 2, 10, 0, seconds));
const iso = (seconds: number): string => at(seconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
const settings = (seconds: number): ContestSettings => ({ fieldManager: 'capt-endpoint', now: at(seconds), window: 600_000 });
const withRecord = (writes: number[], probes = 0) => ({
  metadata: { annotations: { [ENDPOINT_WRITES_ANNOTATION]: JSON.stringify({ writes: writes.map(iso), probes }) } },
});
const manager = (seconds: number) => ({ manager: 'manager', operation: 'Update', time: iso(seconds) });
const endpointFields = { 'f:spec': { 'f:controlPlaneEndpoint': { 'f:host': {}, 'f:port': {} } } };

describe('heldEndpointOf', () => {
  it.each([
    ['absent', 'Unset', undefined],
    ["v1beta1's unset", 'Unset', { host: '', port: 0 }],
    ['a bare host and port', 'WellFormed', { host: 'api.example.com', port: 443 }],
    ['an IPv6 address as Cluster API stores it', 'WellFormed', { host: '2001:db8::1', port: 6443 }],
    ['a URL in host', 'Malformed', { host: 'https://abc.gr7.us-west-2.eks.amazonaws.com', port: 443 }],
    ['a path', 'Malformed', { host: 'api.example.com/k8s', port: 443 }],
    ['a zero port with a host', 'Malformed', { host: 'api.example.com', port: 0 }],
    ['a host with no port', 'Malformed', { host: 'api.example.com' }],
    ['a host the parser rejects', 'Malformed', { host: 'api_example.com', port: 443 }],
    ['a port out of range', 'Malformed', { host: 'api.example.com', port: 70000 }],
    ['IPv6 in brackets', 'Malformed', { host: '[2001:db8::1]', port: 6443 }],
  ])('%s is %s', (_, tag, stored) => {
    expect(heldEndpointOf(stored)._tag).toBe(tag);
  });

  it('says what is wrong without quoting the value', () => {
    const held = heldEndpointOf({ host: 'https://user:hunter2@api.example.com', port: 443 });
    expect(held).toMatchObject({ _tag: 'Malformed', host: 'https://user:hunter2@api.example.com', port: 443 });
    if (held._tag === 'Malformed') expect(held.problem).not.toContain('hunter2');
  });
});

describe('endpointWriter', () => {
  it('names the manager whose entry owns spec.controlPlaneEndpoint, the newest when two do', () => {
    const object = {
      metadata: {
        managedFields: [
          { manager: 'capt-endpoint', operation: 'Update', time: iso(0), fieldsV1: { 'f:metadata': { 'f:annotations': {} } } },
          { manager: 'kubectl-edit', operation: 'Update', time: iso(10), fieldsV1: endpointFields },
          { manager: 'manager', operation: 'Update', time: iso(30), fieldsV1: endpointFields },
          { manager: 'manager', operation: 'Update', time: iso(40), subresource: 'status', fieldsV1: { 'f:status': {} } },
        ],
      },
    };
    expect(endpointWriter(object)).toEqual(O.some(manager(30)));
    expect(describeWriter(manager(30))).toBe(`field manager "manager" (Update at ${iso(30)})`);
  });

  it('at the same second, names the other manager: its write is the one over ours', () => {
    const entries = [
      { manager: 'manager', operation: 'Update', time: iso(30), fieldsV1: endpointFields },
      { manager: 'capt-endpoint', operation: 'Update', time: iso(30), fieldsV1: endpointFields },
    ];
    for (const managedFields of [entries, [...entries].reverse()]) {
      expect(endpointWriter({ metadata: { managedFields } }, 'capt-endpoint')).toEqual(O.some(manager(30)));
    }
    // Without our name, the first of the tied entries stays.
    expect(endpointWriter({ metadata: { managedFields: entries } })).toEqual(O.some(manager(30)));
  });

  it.each([
    ['no managedFields', { metadata: {} }],
    ['managedFields that are not an array', { metadata: { managedFields: 'x' } }],
    ['entries of the wrong shape', { metadata: { managedFields: [null, 3, { manager: 7, fieldsV1: endpointFields }, { manager: 'm', fieldsV1: [] }] } }],
    ['not an object', null],
  ])('is none for %s', (_, object) => {
    expect(endpointWriter(object)).toEqual(O.none);
  });
});

describe('decideEndpointWrite', () => {
  it('writes when no one else wrote the endpoint, and records the write', () => {
    const decision = decideEndpointWrite({ metadata: {} }, undefined, settings(0));
    expect(decision).toEqual({ _tag: 'MayWrite', annotation: JSON.stringify({ writes: [iso(0)], probes: 0 }) });
  });

  it('repairs once more after another writer answers our first write, then stops: contested', () => {
    const second = decideEndpointWrite(withRecord([0]), manager(1), settings(30));
    expect(second).toEqual({ _tag: 'MayWrite', annotation: JSON.stringify({ writes: [iso(0), iso(30)], probes: 0 }) });
    const third = decideEndpointWrite(withRecord([0, 30]), manager(31), settings(60));
    expect(third).toMatchObject({ _tag: 'Contested', writer: manager(31), resumeAt: iso(631), resumeAfter: 571_000 });
  });

  it('stays contested while the other writer is not quiet for the window, even when our writes grow old', () => {
    expect(decideEndpointWrite(withRecord([0, 30]), manager(31), settings(620))._tag).toBe('Contested');
  });

  it('writes again once the other writer has been quiet for the window; an answered probe doubles the wait', () => {
    const probe = decideEndpointWrite(withRecord([0, 30]), manager(31), settings(631));
    expect(probe).toEqual({ _tag: 'MayWrite', annotation: JSON.stringify({ writes: [iso(30), iso(631)], probes: 1 }) });
    // The other writer answers the probe at once: now it must be quiet for two windows.
    const after = decideEndpointWrite(withRecord([30, 631], 1), manager(632), settings(1300));
    expect(after).toMatchObject({ _tag: 'Contested', resumeAt: iso(632 + 1200) });
    expect(decideEndpointWrite(withRecord([30, 631], 1), manager(632), settings(1832))._tag).toBe('MayWrite');
  });

  it('does not hold an old fight against a writer that comes back much later', () => {
    // Our two writes are a day old; the other writer's write now is not an answer to them.
    const decision = decideEndpointWrite(withRecord([0, 30], 3), manager(86_400), settings(86_430));
    expect(decision).toEqual({ _tag: 'MayWrite', annotation: JSON.stringify({ writes: [iso(30), iso(86_430)], probes: 0 }) });
  });

  it('our own earlier writes are not a contest', () => {
    const ours = { manager: 'capt-endpoint', operation: 'Update', time: iso(31) };
    expect(decideEndpointWrite(withRecord([0, 30]), ours, settings(60))._tag).toBe('MayWrite');
  });

  it.each([
    ['not JSON', '{'],
    ['the wrong shape', '{"writes":"x"}'],
    ['unreadable times', '{"writes":["yesterday"],"probes":0}'],
  ])('an annotation that is %s counts as no record', (_, text) => {
    const object = { metadata: { annotations: { [ENDPOINT_WRITES_ANNOTATION]: text } } };
    expect(writeRecordOf(object).writes).toEqual([]);
    expect(decideEndpointWrite(object, manager(1), settings(30))._tag).toBe('MayWrite');
  });

  it('the same objects and clock give the same decision: two replicas agree, a restart changes nothing', () => {
    const object = withRecord([0, 30]);
    const decisions = [1, 2].map(() => decideEndpointWrite(structuredClone(object), manager(31), settings(90)));
    expect(decisions[0]).toEqual(decisions[1]);
  });
});
