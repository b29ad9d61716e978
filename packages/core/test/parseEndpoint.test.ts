import * as E from 'fp-ts/lib/Either.js';
import type { ApiEndpoint } from '../src/apiEndpoint';
import type { EndpointParseError, EndpointParseErrorTag } from '../src/errors';
import { parseEndpoint, type ParseEndpointOptions } from '../src/parseEndpoint';

type Expected = { host: string; port: number } | EndpointParseErrorTag;
type Case = [label: string, raw: unknown, expected: Expected, options?: ParseEndpointOptions];

const ok = (host: string, port: number) => ({ host, port });

// Every accepted and rejected form of docs/endpoint-grammar.md, in its order.
const cases: Case[] = [
  // Accepted: what real Terraform outputs hold.
  ['EKS URL', 'https://0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com', ok('0123456789abcdef.gr7.us-west-2.eks.amazonaws.com', 443)],
  ['GKE bare IPv4', '34.1.2.3', ok('34.1.2.3', 443)],
  ['AKS URL with explicit 443', 'https://name.hcp.eastus.azmk8s.io:443', ok('name.hcp.eastus.azmk8s.io', 443)],
  ['self-managed URL with port', 'https://10.0.0.10:6443', ok('10.0.0.10', 6443)],
  ['URL with a lone trailing slash', 'https://api.example.com:6443/', ok('api.example.com', 6443)],
  ['scheme in capitals', 'HTTPS://api.example.com', ok('api.example.com', 443)],
  ['bare host', 'api.example.com', ok('api.example.com', 443)],
  ['bare host:port', 'api.example.com:6443', ok('api.example.com', 6443)],
  ['bare host:port with trailing slash', 'localhost:6443/', ok('localhost', 6443)],
  ['single-label host', 'localhost', ok('localhost', 443)],
  ['bare IPv4:port', '10.0.0.10:6443', ok('10.0.0.10', 6443)],
  ['bracketed IPv6 with port', '[2001:db8::1]:6443', ok('2001:db8::1', 6443)],
  ['bracketed IPv6 without port', '[2001:db8::1]', ok('2001:db8::1', 443)],
  ['URL with IPv6 and port', 'https://[2001:DB8:0:0::1]:6443', ok('2001:db8::1', 6443)],
  ['bare IPv6 address', '2001:db8::1', ok('2001:db8::1', 443)],
  ['bare IPv6 loopback', '::1', ok('::1', 443)],
  ['IPv4-mapped IPv6 in the parser form', '[::ffff:10.0.0.1]', ok('::ffff:a00:1', 443)],
  ['Secret value ending in a newline', 'https://api.example.com:6443\n', ok('api.example.com', 6443)],
  ['surrounding whitespace', ' \t api.example.com \r\n', ok('api.example.com', 443)],
  ['DNS name in mixed case', 'API.Example.COM', ok('api.example.com', 443)],
  ['Unicode host in xn-- form', 'https://bücher.example', ok('xn--bcher-kva.example', 443)],
  ['xn-- host as written', 'xn--bcher-kva.example', ok('xn--bcher-kva.example', 443)],
  ['63-character label', `${'a'.repeat(63)}.example.com`, ok(`${'a'.repeat(63)}.example.com`, 443)],
  ['253-character name', `${'a.'.repeat(126)}b`, ok(`${'a.'.repeat(126)}b`, 443)],
  ['port 1', 'h:1', ok('h', 1)],
  ['port 65535', 'h:65535', ok('h', 65535)],
  ['defaultPort fills a missing port', 'https://api.example.com', ok('api.example.com', 6443), { defaultPort: 6443 }],
  ['explicit 443 is kept when defaultPort differs', 'https://api.example.com:443', ok('api.example.com', 443), { defaultPort: 6443 }],
  ['explicit 443 on a bare host is kept too', 'h:443', ok('h', 443), { defaultPort: 6443 }],
  ['explicit 443 after IPv6', 'https://[::1]:443', ok('::1', 443), { defaultPort: 6443 }],
  ['defaultPort undefined means 443', 'h', ok('h', 443), { defaultPort: undefined }],
  ['object with numeric port', { host: 'API.example.com', port: 6443 }, ok('api.example.com', 6443)],
  ['object with numeric string port', { host: '10.0.0.10', port: '6443' }, ok('10.0.0.10', 6443)],
  ['object without port', { host: 'api.example.com' }, ok('api.example.com', 6443), { defaultPort: 6443 }],
  ['object with null port (unset Terraform attribute)', { host: 'h', port: null }, ok('h', 443)],
  ['object with bare IPv6 host', { host: '2001:db8::1', port: 6443 }, ok('2001:db8::1', 6443)],
  ['object with bracketed IPv6 host', { host: '[2001:db8::1]', port: 6443 }, ok('2001:db8::1', 6443)],
  ['object host with surrounding whitespace', { host: ' h\n', port: 6443 }, ok('h', 6443)],

  // Rejected.
  ['object port text with a leading space', { host: 'h', port: ' 6443' }, 'InvalidPort'],
  ['object port text with a trailing newline', { host: 'h', port: '6443\n' }, 'InvalidPort'],
  ['fullwidth letters that stand for localhost', '\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54', 'InvalidHost'],
  ['circled letters that stand for a plain name', 'https://\u24d0\u24df\u24d8.example.com', 'InvalidHost'],
  ['the long s, which IDNA reads as s', 'https://\u017fecure.example.com', 'InvalidHost'],
  ['the Kelvin sign, which IDNA reads as k', 'https://\u212aube.example.com:6443', 'InvalidHost'],
  ['an ideographic full stop, which IDNA reads as a dot', 'api\u3002example.com', 'InvalidHost'],
  ['empty string', '', 'EmptyEndpoint'],
  ['only whitespace', ' \n\t ', 'EmptyEndpoint'],
  ['null', null, 'EmptyEndpoint'],
  ['undefined', undefined, 'EmptyEndpoint'],
  ['object with empty host', { host: '', port: 0 }, 'EmptyEndpoint'],
  ['http scheme', 'http://api.example.com', 'UnsupportedScheme'],
  ['ftp scheme', 'ftp://x', 'UnsupportedScheme'],
  ['kubernetes-looking scheme', 'tcp://10.0.0.10:6443', 'UnsupportedScheme'],
  ['userinfo', 'https://admin:s3cret@api.example.com', 'UserinfoNotAllowed'],
  ['empty userinfo, dropped by the parser', 'https://@api.example.com', 'UserinfoNotAllowed'],
  ['userinfo on a bare value', 'admin@api.example.com:6443', 'UserinfoNotAllowed'],
  ['path', 'https://api.example.com/healthz', 'PathNotAllowed'],
  ['path with an @ in it', 'https://api.example.com/a@b', 'PathNotAllowed'],
  ['dot segment, resolved away by the parser', 'https://api.example.com/.', 'PathNotAllowed'],
  ['encoded dot segment', 'https://api.example.com/%2e', 'PathNotAllowed'],
  ['double slash', 'https://api.example.com//', 'PathNotAllowed'],
  ['path on a bare value', 'api.example.com:6443/v1', 'PathNotAllowed'],
  ['query', 'https://api.example.com?x=1', 'QueryOrFragmentNotAllowed'],
  ['empty query', 'https://api.example.com/?', 'QueryOrFragmentNotAllowed'],
  ['fragment', 'https://api.example.com#top', 'QueryOrFragmentNotAllowed'],
  ['empty fragment', 'api.example.com#', 'QueryOrFragmentNotAllowed'],
  ['inner space', 'api.example .com', 'InvalidCharacters'],
  ['inner tab, stripped by the parser', 'https://api.exa\tmple.com', 'InvalidCharacters'],
  ['inner newline, stripped by the parser', 'https://api.example.com\n:6443', 'InvalidCharacters'],
  ['trailing NUL, stripped by the parser', 'https://api.example.com\u0000', 'InvalidCharacters'],
  ['DEL character', 'api.example.com\u007f', 'InvalidCharacters'],
  ['zero-width space, dropped by IDNA', 'api.exa\u200bmple.com', 'InvalidCharacters'],
  ['soft hyphen, dropped by IDNA', 'api.exa\u00admple.com', 'InvalidCharacters'],
  ['no-break space inside', 'api.example.com\u00a0:6443', 'InvalidCharacters'],
  ['port 0', 'https://api.example.com:0', 'InvalidPort'],
  ['port 65536', 'https://api.example.com:65536', 'InvalidPort'],
  ['port with leading zero', 'api.example.com:08', 'InvalidPort'],
  ['443 with leading zeros', 'https://api.example.com:00443', 'InvalidPort'],
  ['port with a plus sign', 'api.example.com:+6443', 'InvalidPort'],
  ['empty port, dropped by the parser', 'https://api.example.com:', 'InvalidPort'],
  ['empty port after IPv6', '[::1]:', 'InvalidPort'],
  ['port that is not a number', 'api.example.com:https', 'InvalidPort'],
  ['fullwidth digits in the port', 'h:\uff16\uff14\uff14\uff13', 'InvalidPort'],
  ['scheme without slashes reads as host:port', 'https:api.example.com', 'InvalidPort'],
  ['defaultPort 0', 'h', 'InvalidPort', { defaultPort: 0 }],
  ['defaultPort not an integer', 'h:6443', 'InvalidPort', { defaultPort: 6443.5 }],
  ['defaultPort NaN', 'h', 'InvalidPort', { defaultPort: Number.NaN }],
  ['object port 0', { host: 'h', port: 0 }, 'InvalidPort'],
  ['object port fraction', { host: 'h', port: 6443.5 }, 'InvalidPort'],
  ['object port string not numeric', { host: 'h', port: '64x3' }, 'InvalidPort'],
  ['object port empty string', { host: 'h', port: '' }, 'InvalidPort'],
  ['URL with no host', 'https://', 'InvalidHost'],
  ['URL with three slashes', 'https:///api.example.com', 'InvalidHost'],
  ['underscore in a label', 'api_server.example.com', 'InvalidHost'],
  ['label starting with a hyphen', '-api.example.com', 'InvalidHost'],
  ['label ending with a hyphen', 'api-.example.com', 'InvalidHost'],
  ['empty label', 'api..example.com', 'InvalidHost'],
  ['trailing dot', 'api.example.com.', 'InvalidHost'],
  ['64-character label', `${'a'.repeat(64)}.example.com`, 'InvalidHost'],
  ['254-character name', `${'a.'.repeat(126)}bc`, 'InvalidHost'],
  ['wildcard', '*.example.com', 'InvalidHost'],
  ['numeric last label, read as IPv4 by the parser', 'example.123', 'InvalidHost'],
  ['backslash', 'https://api.example.com\\x', 'InvalidHost'],
  ['percent-encoded host', 'https://%61pi.example.com', 'InvalidHost'],
  ['invalid punycode', 'https://xn--a.example.com', 'InvalidHost'],
  ['IPv4 octet over 255', '256.1.1.1', 'InvalidHost'],
  ['IPv4 with five parts', '1.2.3.4.5', 'InvalidHost'],
  ['hexadecimal IPv4', 'https://0x7f.0.0.1', 'InvalidHost'],
  ['short IPv4', 'https://127.1', 'InvalidHost'],
  ['single-number IPv4', '2130706433', 'InvalidHost'],
  ['IPv4 with leading zero', '010.0.0.1', 'InvalidHost'],
  ['IPv4 with trailing dot', '10.0.0.1.', 'InvalidHost'],
  ['fullwidth IPv4', '\uff11\uff10.0.0.1', 'InvalidHost'],
  ['IPv6 zone id', 'https://[fe80::1%25eth0]', 'InvalidHost'],
  ['bare IPv6 in a URL', 'https://2001:db8::1', 'InvalidHost'],
  ['malformed IPv6', '[2001:db8:::1]', 'InvalidHost'],
  ['host:port with two ports', 'api.example.com:6443:443', 'InvalidHost'],
  ['object host with port', { host: 'api.example.com:6443' }, 'InvalidHost'],
  ['object host with bracketed IPv6 and port', { host: '[::1]:6443' }, 'InvalidHost'],
  ['object host as URL', { host: 'https://api.example.com' }, 'InvalidHost'],
  ['object host with path', { host: 'api.example.com/' }, 'InvalidHost'],
  ['object host IPv4 in brackets', { host: '[10.0.0.1]' }, 'InvalidHost'],
  ['number', 6443, 'UnsupportedValueType'],
  ['boolean', true, 'UnsupportedValueType'],
  ['bigint', 10n, 'UnsupportedValueType'],
  ['symbol', Symbol('endpoint'), 'UnsupportedValueType'],
  ['function', () => 'api.example.com', 'UnsupportedValueType'],
  ['array', ['api.example.com', 6443], 'UnsupportedValueType'],
  ['object without host', { port: 6443 }, 'MalformedEndpointObject'],
  ['object with wrong-typed host', { host: 10, port: 6443 }, 'MalformedEndpointObject'],
  ['object with a misspelt field', { host: 'h', prot: 6443 }, 'MalformedEndpointObject'],
  ['object with extra field', { host: 'h', port: 6443, ca: 'LS0t' }, 'MalformedEndpointObject'],
  ['object with boolean port', { host: 'h', port: true }, 'MalformedEndpointObject'],
  ['empty object', {}, 'MalformedEndpointObject'],
];

/** The endpoint, or only the error's tag. */
const outcome = (raw: unknown, options?: ParseEndpointOptions): Expected =>
  E.match<EndpointParseError, ApiEndpoint, Expected>(
    (error) => error._tag,
    (endpoint) => endpoint,
  )(parseEndpoint(raw, options));

describe('parseEndpoint', () => {
  // A rest parameter: jest reads a fourth named parameter as a `done` callback on 3-element rows.
  it.each(cases)('%s', (...[, raw, expected, options]: Case) => {
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
