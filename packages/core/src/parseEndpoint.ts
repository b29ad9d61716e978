// TEMPORARY local stand-in until h/parse lands; never committed.
import * as E from 'fp-ts/lib/Either.js';
import type { ApiEndpoint } from './endpoint';
import { parseError, type EndpointParseError } from './errors';
export const parseEndpoint = (raw: unknown, options: { defaultPort?: number } = {}): E.Either<EndpointParseError, ApiEndpoint> => {
  if (typeof raw === 'object' && raw !== null) {
    const o = raw as { host?: unknown; port?: unknown };
    if (typeof o.host !== 'string') return E.left(parseError('MalformedEndpointObject', 'object has no host'));
    return E.right({ host: o.host.toLowerCase(), port: o.port === undefined ? options.defaultPort ?? 443 : Number(o.port) });
  }
  if (typeof raw !== 'string') return E.left(parseError('UnsupportedValueType', 'not a string'));
  const s = raw.trim();
  if (s === '') return E.left(parseError('EmptyEndpoint', 'empty'));
  if (/\s/.test(s)) return E.left(parseError('InvalidCharacters', 'whitespace', s));
  try {
    const u = new URL(s.includes('://') ? s : `https://${s}`);
    if (u.protocol !== 'https:') return E.left(parseError('UnsupportedScheme', 'scheme', s));
    return E.right({ host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : s.match(/:(\d+)\/?$/) ? Number(s.match(/:(\d+)\/?$/)![1]) : options.defaultPort ?? 443 });
  } catch { return E.left(parseError('InvalidHost', 'bad host', s)); }
};
