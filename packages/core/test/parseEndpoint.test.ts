import * as E from 'fp-ts/lib/Either.js';
import type { ApiEndpoint } from '../src/apiEndpoint';
import type { EndpointParseError } from '../src/errors';
import { parseEndpoint, type ParseEndpointOptions } from '../src/parseEndpoint';
import { grammarCases, type Case, type Expected } from './grammarCases';

/** The endpoint, or only the error's tag. */
const outcome = (raw: unknown, options?: ParseEndpointOptions): Expected =>
  E.match<EndpointParseError, ApiEndpoint, Expected>(
    (error) => error._tag,
    (endpoint) => endpoint,
  )(parseEndpoint(raw, options));

describe('parseEndpoint', () => {
  // A rest parameter: jest reads a fourth named parameter as a `done` callback on 3-element rows.
  it.each(grammarCases)('%s', (...[, raw, expected, options]: Case) => {
    expect(outcome(raw, options)).toEqual(expected);
  });

  it('keeps problem free of the value and quotes it in message, its user information redacted', () => {
    const result = parseEndpoint('https://admin:hunter2@api.example.com');
    expect(E.isLeft(result) && result.left).toMatchObject({
      _tag: 'UserinfoNotAllowed',
      reason: 'UserinfoNotAllowed',
      retryable: false,
      problem: 'user information (user:password@) is not allowed in an endpoint',
      message: 'user information (user:password@) is not allowed in an endpoint: "https://***@api.example.com"',
    });
  });

  it.each([
    ['a password with a slash, which ends the authority early', 'https://admin:pa/ss@api.example.com', 'pa/ss'],
    ['user information and a path', 'https://admin:hunter2@api.example.com/x', 'hunter2'],
    ['user information in a bare value', 'admin:hunter2@api.example.com:6443', 'hunter2'],
    ['two @ signs', 'https://a@b:hunter2@api.example.com', 'hunter2'],
    ['a long value with user information past the cut', `https://${'u'.repeat(300)}:hunter2@api.example.com`, 'hunter2'],
    ['user information in an object host', { host: 'https://admin:hunter2@api.example.com' }, 'hunter2'],
  ])('never shows the credential of %s', (_, raw, credential) => {
    const result = parseEndpoint(raw);
    expect(E.isLeft(result)).toBe(true);
    const message = E.isLeft(result) ? result.left.message : '';
    expect(message).not.toContain(credential);
    expect(message).toContain('***@api.example.com');
  });

  it('cuts a long value short in message', () => {
    const result = parseEndpoint(`https://h/${'p'.repeat(10_000)}`);
    expect(E.isLeft(result) && result.left.message.length).toBeLessThan(400);
  });

  it('does not name an unexpected object field in problem', () => {
    const result = parseEndpoint({ host: 'h', token: 'x' });
    expect(E.isLeft(result) && result.left.problem).not.toContain('token');
    expect(E.isLeft(result) && result.left.message).toContain('"token"');
  });
});

describe('parseEndpoint on hostile values', () => {
  const throwing = () => {
    throw new Error('boom');
  };

  it.each<[string, () => unknown]>([
    ['a host getter that throws', () => Object.defineProperty({ port: 1 }, 'host', { get: throwing, enumerable: true })],
    ['a port getter that throws', () => Object.defineProperty({ host: 'h' }, 'port', { get: throwing, enumerable: true })],
    ['a proxy whose get throws', () => new Proxy({ host: 'h' }, { get: throwing })],
    ['a proxy whose ownKeys throws', () => new Proxy({ host: 'h' }, { ownKeys: throwing })],
    [
      'a revoked proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({ host: 'h' }, {});
        revoke();
        return proxy;
      },
    ],
  ])('returns MalformedEndpointObject for %s', (_label, make) => {
    expect(outcome(make())).toBe('MalformedEndpointObject');
  });

  it('rejects a revoked proxy array without throwing', () => {
    const { proxy, revoke } = Proxy.revocable([], {});
    revoke();
    expect(outcome(proxy)).toBe('MalformedEndpointObject');
  });

  it('reads a circular object without following it', () => {
    const circular: Record<string, unknown> = { host: 'h' };
    circular.port = circular;
    expect(outcome(circular)).toBe('MalformedEndpointObject');
  });

  it('returns InvalidPort for options whose defaultPort getter throws', () => {
    const options = Object.defineProperty({}, 'defaultPort', { get: throwing }) as ParseEndpointOptions;
    expect(outcome('h', options)).toBe('InvalidPort');
  });

  it('handles a string of a million characters', () => {
    expect(outcome('a'.repeat(1_000_000))).toBe('InvalidHost');
    expect(outcome(`https://h:${'9'.repeat(1_000_000)}`)).toBe('InvalidPort');
  });

  it('handles lone surrogates', () => {
    expect(outcome('api.\uD800.example.com')).toBe('InvalidHost');
  });
});
