// Comparing endpoints: a host stored on CAPTControlPlane or Cluster in another spelling of the
// same name or address compares equal to the canonical form parseEndpoint gives.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import fc from 'fast-check';
import { endpointsEqual, formatHostPort } from '../src/endpoint';
import { canonicalHost, parseEndpoint } from '../src/parseEndpoint';

describe('canonicalHost', () => {
  it.each([
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
    ['API.Example.COM', 'api.example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['10.0.0.10', '10.0.0.10'],
    ['api.example.com', 'api.example.com'],
  ])('%s is %s', (stored, canonical) => {
    expect(canonicalHost(stored)).toEqual(O.some(canonical));
  });

  it.each([
    ['bracketed IPv6 (Cluster API stores it bare; net.JoinHostPort would bracket it again)', '[2001:db8::1]'],
    ['surrounding whitespace', ' api.example.com'],
    ['a trailing newline', 'api.example.com\n'],
    ['an underscore', 'api_server.example.com'],
    ['a trailing dot', 'api.example.com.'],
    ['IPv4 not in dotted-decimal form', '010.0.0.1'],
    ['a port', 'api.example.com:6443'],
    ['a URL', 'https://api.example.com'],
    ['an IPv6 zone id', 'fe80::1%eth0'],
    ['empty', ''],
  ])('has none for %s', (_, stored) => {
    expect(canonicalHost(stored)).toEqual(O.none);
  });

  it('has none for a value that is not a string, and does not throw', () => {
    for (const value of [undefined, null, 42, {}, Symbol('h')]) expect(canonicalHost(value as string)).toEqual(O.none);
  });
});

describe('endpointsEqual', () => {
  const workspace = { host: '2001:db8::1', port: 6443 };
  it.each([
    ['uncompressed IPv6', { host: '2001:0db8:0000:0000:0000:0000:0000:0001', port: 6443 }, workspace, true],
    ['upper-case IPv6', { host: '2001:DB8::1', port: 6443 }, workspace, true],
    ['upper-case hostname', { host: 'API.Example.COM', port: 443 }, { host: 'api.example.com', port: 443 }, true],
    ['IPv4-mapped IPv6 in dotted form', { host: '::ffff:10.0.0.1', port: 443 }, { host: '::ffff:a00:1', port: 443 }, true],
    ['Unicode and its xn-- form', { host: 'bücher.example', port: 443 }, { host: 'xn--bcher-kva.example', port: 443 }, true],
    ['the same unparseable host, exactly', { host: 'api_server.local', port: 443 }, { host: 'api_server.local', port: 443 }, true],
    ['another port', { host: '2001:0db8::1', port: 443 }, workspace, false],
    ['another address', { host: '2001:db8::2', port: 6443 }, workspace, false],
    ['bracketed IPv6', { host: '[2001:db8::1]', port: 6443 }, workspace, false],
    ['an unparseable host against a canonical one', { host: 'api.example.com.', port: 443 }, { host: 'api.example.com', port: 443 }, false],
    ['an unparseable host in another case', { host: 'API_server.local', port: 443 }, { host: 'api_server.local', port: 443 }, false],
    ['a host with whitespace', { host: ' api.example.com', port: 443 }, { host: 'api.example.com', port: 443 }, false],
    ['a hostname against an IP address', { host: 'localhost', port: 443 }, { host: '127.0.0.1', port: 443 }, false],
  ])('%s: %j vs %j is %s', (_, a, b, equal) => {
    expect(endpointsEqual(a, b)).toBe(equal);
    expect(endpointsEqual(b, a)).toBe(equal);
  });
});

/** An IPv6 address written out in full: eight groups of four hex digits, in mixed case. */
const uncompressedIpv6 = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.boolean())
  .map(([groups, upper]) => {
    const text = groups.map((group) => group.toString(16).padStart(4, '0')).join(':');
    return upper ? text.toUpperCase() : text;
  });

const storedHost = fc.oneof(fc.mixedCase(fc.ipV6()), uncompressedIpv6, fc.mixedCase(fc.domain()), fc.ipV4());

describe('endpointsEqual properties', () => {
  it("a stored host equals its parsed form: canonicalHost(x) is parseEndpoint's host for x", () => {
    fc.assert(
      fc.property(storedHost, fc.integer({ min: 1, max: 65535 }), (host, port) => {
        const parsed = parseEndpoint({ host, port });
        if (E.isLeft(parsed)) return false;
        const canonical = parsed.right.host;
        return (
          O.exists((c) => c === canonical)(canonicalHost(host)) &&
          endpointsEqual({ host, port }, parsed.right) &&
          // The canonical form is its own canonical form.
          O.exists((c) => c === canonical)(canonicalHost(canonical))
        );
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, and is symmetric, for any two strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const forth = endpointsEqual({ host: a, port: 443 }, { host: b, port: 443 });
        return forth === endpointsEqual({ host: b, port: 443 }, { host: a, port: 443 }) && endpointsEqual({ host: a, port: 443 }, { host: a, port: 443 });
      }),
      { numRuns: 500 },
    );
  });
});

describe('formatHostPort', () => {
  it.each([
    ['2001:db8::1', 6443, '[2001:db8::1]:6443'],
    ['::ffff:10.0.0.1', 443, '[::ffff:10.0.0.1]:443'],
    ['api.example.com', 443, 'api.example.com:443'],
    ['10.0.0.10', 6443, '10.0.0.10:6443'],
    // Not IPv6 literals: a host holding a URL (as CAPT's controller writes it) or host:port is shown as it is.
    ['https://abc.gr7.us-west-2.eks.amazonaws.com', 443, 'https://abc.gr7.us-west-2.eks.amazonaws.com:443'],
    ['api.example.com:6443', 443, 'api.example.com:6443:443'],
    ['[2001:db8::1]', 443, '[2001:db8::1]:443'],
    ['::1]:80/[::2', 443, '::1]:80/[::2:443'],
  ])('%s with port %d is %s', (host, port, text) => {
    expect(formatHostPort({ host, port })).toBe(text);
  });
});
