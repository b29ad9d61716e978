import * as fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { parseEndpoint, type EndpointRange } from '../src';
import { endpointRangeOf, refusedRange } from '../src/adapter';

/** The host as parseEndpoint gives it, so the policy sees exactly what would be written. */
const hostOf = (raw: string): string => {
  const parsed = parseEndpoint(raw);
  if (E.isLeft(parsed)) throw new Error(`${raw}: ${parsed.left.problem}`);
  return parsed.right.host;
};

describe('the endpoint policy', () => {
  it.each<[string, EndpointRange | undefined]>([
    ['169.254.169.254', 'cloud-metadata'],
    ['https://169.254.169.254:80', 'cloud-metadata'],
    ['[fd00:ec2::254]', 'cloud-metadata'],
    ['metadata.google.internal', 'cloud-metadata'],
    ['METADATA.google.internal:443', 'cloud-metadata'],
    ['[::ffff:169.254.169.254]', 'cloud-metadata'],
    ['[::ffff:a9fe:a9fe]', 'cloud-metadata'],
    ['[::169.254.169.254]', 'cloud-metadata'],
    ['0.0.0.0', 'unspecified'],
    ['[::]', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3:6443', 'loopback'],
    ['[::1]', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['localhost', 'loopback'],
    ['api.localhost', 'loopback'],
    ['169.254.10.1', 'link-local'],
    ['[fe80::1]', 'link-local'],
    ['[febf::1]', 'link-local'],
    ['10.0.0.10:6443', undefined],
    ['192.168.1.5', undefined],
    ['[2001:db8::1]', undefined],
    ['[fec0::1]', undefined],
    ['0123456789abcdef.gr7.us-west-2.eks.amazonaws.com', undefined],
    ['localhost.example.com', undefined],
    ['metadata.google.internal.example.com', undefined],
  ])('%s is %s', (raw, range) => {
    expect(endpointRangeOf(hostOf(raw))).toBe(range);
  });

  it('allows a range only by its name; the metadata service is not allowed by allowing link-local', () => {
    expect(refusedRange('169.254.169.254')).toBe('cloud-metadata');
    expect(refusedRange('169.254.169.254', ['link-local'])).toBe('cloud-metadata');
    expect(refusedRange('169.254.169.254', ['cloud-metadata'])).toBeUndefined();
    expect(refusedRange('127.0.0.1', ['loopback'])).toBeUndefined();
    expect(refusedRange('169.254.1.1', ['loopback'])).toBe('link-local');
  });

  it('judges an IPv4-mapped or -compatible IPv6 address by the IPv4 address it carries', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.constantFrom('::ffff:', '::'), (v4, prefix) => {
        const v6 = hostOf(`[${prefix}${v4}]`);
        const direct = endpointRangeOf(v4);
        // ::0.0.0.0 and ::0.0.0.1 are :: and ::1 themselves, judged as IPv6.
        if (prefix === '::' && /^0\.0\.0\.[01]$/.test(v4)) return;
        expect(endpointRangeOf(v6)).toBe(direct);
      }),
    );
  });

  it('never throws, whatever the host', () => {
    fc.assert(fc.property(fc.string(), (host) => expect(() => endpointRangeOf(host)).not.toThrow()));
  });
});
