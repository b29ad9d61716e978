import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import type { ApiEndpoint } from '../src/apiEndpoint';
import { formatHostPort } from '../src/endpoint';
import { isPlainDomain, parseAuthority, parseAuthorityByUrl, parseEndpoint } from '../src/parseEndpoint';

// ---------------------------------------------------------------------------------------------
// Generators.

const port = fc.integer({ min: 1, max: 65535 });

/** DNS names up to 253 characters; the last label starts with a letter, as every TLD does. */
const dnsName = fc
  .tuple(
    fc.array(fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/), { maxLength: 6 }),
    fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/),
  )
  .map(([labels, last]) => [...labels, last].join('.'))
  .filter((name) => name.length <= 253);

const anyDnsName = fc.oneof(fc.domain(), dnsName);

/** The 128 bits of an IPv6 address as 8 numbers: an oracle independent of the URL parser. */
const ipv6Groups = (text: string): number[] => {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  const hex = dotted
    ? text.replace(dotted[0], `${((+dotted[1]! << 8) | +dotted[2]!).toString(16)}:${((+dotted[3]! << 8) | +dotted[4]!).toString(16)}`)
    : text;
  const [head = '', tail] = hex.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
};

/** How a value can carry an endpoint: URL, host:port, object with a number or string port. */
const carriers = (host: string, port: number): unknown[] => {
  const hostPort = formatHostPort({ host, port });
  return [`https://${hostPort}`, `https://${hostPort}/`, hostPort, { host, port }, { host, port: String(port) }];
};

const secretToken = fc.stringMatching(/^[A-Za-z0-9]{20,40}$/);

const hostileAnything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

// ---------------------------------------------------------------------------------------------

const isWellFormed = (endpoint: ApiEndpoint): boolean =>
  endpoint.host !== '' &&
  !/[[\]A-Z\s]/.test(endpoint.host) &&
  Number.isInteger(endpoint.port) &&
  endpoint.port >= 1 &&
  endpoint.port <= 65535;

/** Parses back to itself in every form it can be written in. */
const roundTrips = (endpoint: ApiEndpoint): boolean =>
  carriers(endpoint.host, endpoint.port).every((carrier) => {
    const again = parseEndpoint(carrier);
    return E.isRight(again) && again.right.host === endpoint.host && again.right.port === endpoint.port;
  });

describe('parseEndpoint properties', () => {
  it('returns an Either and never throws, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        const result = parseEndpoint(raw);
        return E.isLeft(result) ? result.left.problem !== '' : isWellFormed(result.right) && roundTrips(result.right);
      }),
      { numRuns: 500 },
    );
  });

  it('returns an Either and never throws, for anything, with any options', () => {
    fc.assert(
      fc.property(hostileAnything, hostileAnything, (raw, options) => {
        const result = parseEndpoint(raw, options as never);
        return E.isLeft(result) || isWellFormed(result.right);
      }),
      { numRuns: 500 },
    );
  });

  it('returns an Either and never throws, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (raw) => {
        const result = parseEndpoint(raw);
        return E.isLeft(result) || (isWellFormed(result.right) && roundTrips(result.right));
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts DNS names with ports in every form, lowercased', () => {
    fc.assert(
      fc.property(fc.mixedCase(anyDnsName), port, (name, p) => {
        const expected = { host: name.toLowerCase(), port: p };
        return carriers(name, p).every((carrier) => {
          const result = parseEndpoint(carrier);
          return E.isRight(result) && result.right.host === expected.host && result.right.port === p && roundTrips(result.right);
        });
      }),
    );
  });

  it('a plain domain is one the https parser only lowercases, so its second parse can be left out', () => {
    // Labels of every length around the 63 a DNS label allows, and the forms the parser reads
    // otherwise: numbers (IPv4), 0x numbers, punycode.
    const label = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9-]{1,70}$/),
      fc.constantFrom('xn--bcher-kva', 'XN--abc', 'xn--', 'x', 'n--a', '0x', '0X1f', '0xg', '123', '0', '08', '1e5', '-', '--', 'a-'),
    );
    const host = fc.array(label, { minLength: 1, maxLength: 6 }).map((labels) => labels.join('.'));
    let plain = 0;
    fc.assert(
      fc.property(host, port, (name, p) => {
        if (!isPlainDomain(name)) return true;
        plain++;
        let parsed: string | undefined;
        try {
          parsed = new URL(`https://${name}:${p}`).hostname;
        } catch {
          parsed = undefined;
        }
        return parsed === name.toLowerCase();
      }),
      { numRuns: 5000 },
    );
    expect(plain).toBeGreaterThan(1000);
    for (const name of ['1.2.3.4', 'a.1', 'a.0x1F', 'a.0X', 'xn--bcher-kva.example', 'a.XN--abc', 'a..b', '.a', 'a.', '[::1]', 'a_b', 'é.example']) expect(isPlainDomain(name)).toBe(false);
  });

  it('reads host[:port][/] the same with and without the URL parser', () => {
    const label = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9-]{1,70}$/),
      fc.constantFrom('xn--bcher-kva', 'XN--abc', '0x', '0X1f', '123', '0', '255', '256', '-', 'a-', 'é', 'a_b', ''),
    );
    const portText = fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 70_000 }).map((n) => `:${n}`), fc.constantFrom(':', ':08', ':0', ':65535', ':65536', ':99999999999', ':+1', ':1a'));
    const rest = fc
      .tuple(fc.array(label, { minLength: 1, maxLength: 5 }), portText, fc.constantFrom('', '/', '//', '/a', '?', '#', '@', '.', ' '))
      .map(([labels, p, tail]) => `${labels.join('.')}${p}${tail}`);
    fc.assert(
      fc.property(rest, (text) => {
        expect(parseAuthority(text, text)).toEqual(parseAuthorityByUrl(text, text));
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts dotted-decimal IPv4 addresses with ports in every form', () => {
    fc.assert(
      fc.property(fc.ipV4(), port, (address, p) =>
        carriers(address, p).every((carrier) => {
          const result = parseEndpoint(carrier);
          return E.isRight(result) && result.right.host === address && result.right.port === p && roundTrips(result.right);
        }),
      ),
    );
  });

  it('accepts an IPv4 address only in dotted-decimal form', () => {
    const dottedDecimal = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
    fc.assert(
      fc.property(fc.ipV4Extended(), (address) => E.isRight(parseEndpoint(address)) === dottedDecimal.test(address)),
      { numRuns: 500 },
    );
  });

  it('accepts IPv6 addresses, bracketed with ports and bare, keeping the address', () => {
    fc.assert(
      fc.property(fc.mixedCase(fc.ipV6()), port, (address, p) => {
        const forms: Array<[unknown, number]> = [
          [`[${address}]:${p}`, p],
          [`https://[${address}]:${p}/`, p],
          [address, 443],
          [`[${address}]`, 443],
          [{ host: address, port: p }, p],
          [{ host: `[${address}]`, port: String(p) }, p],
        ];
        return forms.every(([raw, expectedPort]) => {
          const result = parseEndpoint(raw);
          return (
            E.isRight(result) &&
            result.right.port === expectedPort &&
            ipv6Groups(result.right.host).join() === ipv6Groups(address.toLowerCase()).join() &&
            roundTrips(result.right)
          );
        });
      }),
    );
  });

  it('ignores surrounding whitespace', () => {
    const space = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\ufeff') });
    fc.assert(
      fc.property(fc.oneof(anyDnsName, fc.ipV4()), port, space, space, (host, p, before, after) => {
        const result = parseEndpoint(`${before}https://${host}:${p}${after}`);
        return E.isRight(result) && result.right.host === host && result.right.port === p;
      }),
    );
  });

  it('uses defaultPort exactly when no port is written', () => {
    fc.assert(
      fc.property(anyDnsName, port, port, (host, written, defaultPort) => {
        const withPort = parseEndpoint(`https://${host}:${written}`, { defaultPort });
        const withoutPort = parseEndpoint(`https://${host}`, { defaultPort });
        return E.isRight(withPort) && withPort.right.port === written && E.isRight(withoutPort) && withoutPort.right.port === defaultPort;
      }),
    );
  });

  it('rejects every port outside 1..65535', () => {
    const badPort = fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65536 }));
    fc.assert(
      fc.property(anyDnsName, badPort, (host, p) =>
        [`${host}:${p}`, `https://${host}:${p}`, { host, port: p }, { host, port: String(p) }].every((raw) => {
          const result = parseEndpoint(raw);
          return E.isLeft(result) && result.left._tag === 'InvalidPort';
        }),
      ),
    );
  });
});

describe('parseEndpoint keeps secrets out of problem', () => {
  /** Rejected values that carry a token in their user information, which message redacts too. */
  const userinfoCarriersOf = (token: string): unknown[] => [
    `https://admin:${token}@api.example.com`,
    `https://${token}@api.example.com:6443`,
    `admin:${token}@api.example.com`,
    { host: `${token}@api.example.com` },
  ];
  /** Rejected values that carry a token elsewhere, where a secret could sit. */
  const carriersOf = (token: string): unknown[] => [
    `https://api.example.com/${token}`,
    `https://api.example.com:6443/?token=${token}`,
    `https://api.example.com#${token}`,
    `x${token}://api.example.com`,
    `api.example.com:${token}`,
    `api.example.com ${token}`,
    `api.example.com\n${token}`,
    `${token}_.example.com`,
    `[${token}]:6443`,
    `https://%${token}.example.com`,
    { host: 'api.example.com', port: token },
    { host: 'api.example.com', [token]: 1 },
  ];

  it('for tokens in the user information of a rejected value, neither problem nor message contains the token', () => {
    fc.assert(
      fc.property(secretToken, (token) =>
        userinfoCarriersOf(token).every((raw) => {
          const result = parseEndpoint(raw);
          return (
            E.isLeft(result) &&
            !result.left.problem.toLowerCase().includes(token.toLowerCase()) &&
            !result.left.message.includes(token) &&
            result.left.message.includes('***@api.example.com')
          );
        }),
      ),
    );
  });

  it('for tokens in every other part of a rejected value, problem never contains the token; message does', () => {
    fc.assert(
      fc.property(secretToken, (token) =>
        carriersOf(token).every((raw) => {
          const result = parseEndpoint(raw);
          return (
            E.isLeft(result) &&
            !result.left.problem.toLowerCase().includes(token.toLowerCase()) &&
            result.left.message.includes(token)
          );
        }),
      ),
    );
  });

  it('for tokens inside random hostile text, a rejection never puts the token in problem', () => {
    const noise = fc.string({ unit: fc.constantFrom(':', '/', '@', '?', '#', '[', ']', '%', '.', '-', ' ', '\n', '\u0000', 'a', '1'), maxLength: 8 });
    fc.assert(
      fc.property(noise, secretToken, noise, (before, token, after) => {
        const result = parseEndpoint(`${before}${token}${after}`);
        return E.isRight(result) || !result.left.problem.toLowerCase().includes(token.toLowerCase());
      }),
      { numRuns: 1000 },
    );
  });
});
