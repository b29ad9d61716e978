import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLogSize, auditResource, readAuditLog, tallyAudit, type AuditEvent } from '../src';

const event = (auditID: string, stage: AuditEvent['stage'], verb: string, objectRef?: AuditEvent['objectRef']): string =>
  JSON.stringify({ auditID, stage, verb, requestURI: '/apis/x?watch=true', user: { username: 'u' }, objectRef, stageTimestamp: '2026-12-07T00:00:00Z' });

describe('reading the audit log back', () => {
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'capt-envtest-audit-'));
    log = join(dir, 'audit.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts each request once, by its last stage, from a mark on, leaving out a line still being written', () => {
    const planes = { apiGroup: 'controlplane.cluster.x-k8s.io', resource: 'captcontrolplanes' };
    writeFileSync(log, `${event('a', 'ResponseComplete', 'list', planes)}\n`);
    const mark = auditLogSize(log);
    appendFileSync(log, [event('w', 'ResponseStarted', 'watch', planes), event('p', 'ResponseComplete', 'patch', { ...planes, subresource: 'status' }), event('w', 'ResponseComplete', 'watch', planes)].join('\n'));
    appendFileSync(log, `\n${event('e', 'ResponseComplete', 'create', { resource: 'events' }).slice(0, 40)}`);

    const since = readAuditLog(log, mark);
    expect(since.map((e) => [e.auditID, e.stage])).toEqual([
      ['w', 'ResponseComplete'],
      ['p', 'ResponseComplete'],
    ]);
    expect(tallyAudit(readAuditLog(log))).toEqual({
      'list controlplane.cluster.x-k8s.io/captcontrolplanes': 1,
      'patch controlplane.cluster.x-k8s.io/captcontrolplanes/status': 1,
      'watch controlplane.cluster.x-k8s.io/captcontrolplanes': 1,
    });
  });

  it('names a core resource with an empty group and a non-resource request by its path; a missing log is empty', () => {
    expect(auditResource(JSON.parse(event('e', 'ResponseComplete', 'create', { resource: 'events' })) as AuditEvent)).toBe('/events');
    expect(auditResource(JSON.parse(event('m', 'ResponseComplete', 'get')) as AuditEvent)).toBe('/apis/x');
    expect(readAuditLog(join(dir, 'none.log'))).toEqual([]);
    expect(auditLogSize(join(dir, 'none.log'))).toBe(0);
  });
});
