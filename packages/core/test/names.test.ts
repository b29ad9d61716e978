// Kubernetes' name rules, as apimachinery's IsDNS1123Label and IsDNS1123Subdomain state them,
// and checkName's value error, which never lets the name it refuses through unescaped.
import fc from 'fast-check';
import { checkName, isDnsLabel, isDnsSubdomain, nameRuleOf } from '../src/names';

describe('isDnsLabel and isDnsSubdomain', () => {
  it.each(['a', 'team-a', '0', 'a0-b1', 'x'.repeat(63)])('%s is a label and a subdomain', (name) => {
    expect(isDnsLabel(name)).toBe(true);
    expect(isDnsSubdomain(name)).toBe(true);
  });

  it.each(['', '.', '..', '-a', 'a-', 'A', 'a_b', 'a/b', 'a b', 'a\n', 'ａ', 'x'.repeat(64), 'a.b'])('%j is not a label', (name) => {
    expect(isDnsLabel(name)).toBe(false);
  });

  it.each(['a.b', 'demo-eks.conn', `${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(61)}`])('%s is a subdomain', (name) => {
    expect(isDnsSubdomain(name)).toBe(true);
  });

  it.each(['', '.', '..', 'a.', '.a', 'a..b', 'a/b', '%2e', 'A.b', 'a.-b', 'x'.repeat(254), 'a\u0000', 'é'])('%j is not a subdomain', (name) => {
    expect(isDnsSubdomain(name)).toBe(false);
  });

  it('anything not a string is neither', () => {
    fc.assert(fc.property(fc.anything().filter((u) => typeof u !== 'string'), (u) => !isDnsLabel(u) && !isDnsSubdomain(u)));
  });

  it('no name either accepts is ".", "..", empty, or holds a "/" or a character outside [a-z0-9.-]', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (name) => {
        if (!isDnsSubdomain(name)) return true;
        return name !== '.' && name !== '..' && name !== '' && /^[a-z0-9.-]+$/.test(name) && !name.split('.').includes('');
      }),
    );
  });
});

describe('checkName', () => {
  it('namespaces follow the label rule, the objects read here the subdomain rule', () => {
    expect(nameRuleOf('Namespace')).toBe('DNS-1123 label');
    for (const kind of ['Secret', 'Workspace', 'WorkspaceTemplateApply', 'CAPTControlPlane', 'Cluster']) expect(nameRuleOf(kind)).toBe('DNS-1123 subdomain');
    expect(checkName('a.b', { kind: 'Secret', field: 'f' })).toBeUndefined();
    expect(checkName('a.b', { kind: 'Namespace', field: 'f' })).toMatchObject({ _tag: 'InvalidName', rule: 'DNS-1123 label' });
  });

  it('is a typed value error naming the field, the kind and the rule, with the name quoted and escaped', () => {
    const error = checkName('.\n\u001b[2J', { kind: 'Secret', field: 'Workspace ws spec.writeConnectionSecretToRef.name' });
    expect(error).toMatchObject({ _tag: 'InvalidName', reason: 'InvalidName', retryable: false, kind: 'Secret', rule: 'DNS-1123 subdomain' });
    expect(error?.message).toContain('Workspace ws spec.writeConnectionSecretToRef.name is not a Secret name');
    expect([...(error?.message ?? '')].filter((c) => c < ' ')).toEqual([]);
  });
});
