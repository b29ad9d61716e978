import fc from 'fast-check';
import { MAX_QUOTED, quoteValue, redactUserinfo } from '../src/quote';

describe('redactUserinfo', () => {
  it.each([
    ['https://admin:PASSWORD@api.example.com', 'https://***@api.example.com'],
    ['https://admin:PASSWORD@api.example.com:6443/x', 'https://***@api.example.com:6443/x'],
    ['admin:PASSWORD@api.example.com', '***@api.example.com'],
    ['https://a@b@api.example.com', 'https://***@api.example.com'],
    ['https://user:pa/ss@api.example.com', 'https://***@api.example.com'],
    ['https://@api.example.com', 'https://***@api.example.com'],
    ['https://api.example.com', 'https://api.example.com'],
    ['', ''],
  ])('%s is shown as %s', (text, shown) => {
    expect(redactUserinfo(text)).toBe(shown);
  });
});

describe('quoteValue', () => {
  it('quotes strings as JSON and other values as their JSON text, redacted and cut', () => {
    expect(quoteValue('api.example.com:0')).toBe('"api.example.com:0"');
    expect(quoteValue({ host: 'https://u:PASSWORD@h' })).not.toContain('PASSWORD');
    expect(quoteValue('x'.repeat(1000))).toBe(JSON.stringify(`${'x'.repeat(MAX_QUOTED)}…`));
    expect(quoteValue(undefined)).toBe('"undefined"');
    expect(quoteValue(10n)).toBe('"a bigint"');
  });

  it('never shows what stands between a scheme and an @, however the rest is built', () => {
    const noAt = fc.string({ unit: fc.constantFrom('a', 'Z', '9', ':', '/', '?', '#', '%', '.', '-', '[', ']', ' '), minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(fc.constantFrom('https://', 'http://', ''), noAt, fc.stringMatching(/^[A-Za-z0-9]{12,20}$/), noAt, (scheme, before, secret, after) => {
        const quoted = quoteValue(`${scheme}${before}${secret}${before}@${after}`);
        return !quoted.includes(secret) && quoted.length <= MAX_QUOTED + 3 + 2 * 6;
      }),
      { numRuns: 2000 },
    );
  });
});
