import { ApiException } from '@kubernetes/client-node';
import { fromResponse, fromThrown, kindOfStatus, MAX_MESSAGE_LENGTH, truncate } from '../src/apiErrors';

const status = (code: number, reason: string, message: string, details?: Record<string, string>): string =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });

describe('kindOfStatus', () => {
  it.each([
    [404, 'NotFound'],
    [409, 'Conflict'],
    [400, 'Invalid'],
    [422, 'Invalid'],
    [401, 'Forbidden'],
    [403, 'Forbidden'],
    [408, 'Timeout'],
    [429, 'Unavailable'],
    [500, 'Unavailable'],
    [503, 'Unavailable'],
    [504, 'Unavailable'],
    [415, 'Other'],
    [410, 'Other'],
  ])('HTTP %i is %s', (code, kind) => expect(kindOfStatus(code)).toBe(kind));
});

describe('fromResponse', () => {
  it('keeps the Status message and reason and the HTTP code', () => {
    const error = fromResponse(409, status(409, 'Conflict', 'the object has been modified'));
    expect(error).toMatchObject({ _tag: 'ApiError', kind: 'Conflict', code: 409, statusReason: 'Conflict', message: 'the object has been modified', retryable: true });
  });

  it('accepts a Status that is already parsed', () => {
    expect(fromResponse(422, JSON.parse(status(422, 'Invalid', 'spec.x: Invalid value')))).toMatchObject({ kind: 'Invalid', statusReason: 'Invalid', message: 'spec.x: Invalid value' });
  });

  it('drops a body that is not a Status: it may be an object with Secret data', () => {
    const secretBody = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: 'c2VjcmV0LXRva2Vu' }, message: 'sneaky' });
    const error = fromResponse(500, secretBody);
    expect(error).toMatchObject({ kind: 'Unavailable', code: 500, statusReason: undefined });
    expect(JSON.stringify(error)).not.toContain('c2VjcmV0LXRva2Vu');
    expect(error.message).not.toContain('sneaky');
    expect(error.message).toBe('HTTP 500 Internal Server Error (no Status in the response)');
  });

  it('drops a body that is not JSON', () => {
    const error = fromResponse(502, '<html>bad gateway token=abc</html>');
    expect(error.message).not.toContain('token');
    expect(error.kind).toBe('Unavailable');
  });

  it('truncates a long Status message', () => {
    const error = fromResponse(422, status(422, 'Invalid', 'x'.repeat(5000)));
    expect(error.message.length).toBe(MAX_MESSAGE_LENGTH);
    expect(error.message.endsWith('…')).toBe(true);
  });

  it('reads a 404 as a missing object only when its Status names the object', () => {
    // kube-apiserver's answer for a missing object: the details name it, its group and resource.
    const missing = fromResponse(404, status(404, 'NotFound', 'clusters.cluster.x-k8s.io "demo" not found', { name: 'demo', group: 'cluster.x-k8s.io', kind: 'clusters' }));
    expect(missing).toMatchObject({ kind: 'NotFound', reason: 'ApiNotFound', code: 404, statusReason: 'NotFound', retryable: false });
    // The API's router for a resource it does not have: a Status whose details name nothing.
    for (const details of [undefined, {}, { group: '', kind: '' }, { name: '' }] as Array<Record<string, string> | undefined>) {
      const unknown = fromResponse(404, status(404, 'NotFound', 'the server could not find the requested resource', details));
      expect(unknown).toMatchObject({ kind: 'NotServed', reason: 'ApiNotServed', code: 404, statusReason: 'NotFound', retryable: false });
    }
    // The last handler, for a group-version or a CRD version it does not serve: plain text.
    expect(fromResponse(404, '404 page not found\n')).toMatchObject({ kind: 'NotServed', code: 404, statusReason: undefined, message: 'HTTP 404 Not Found (no Status in the response)' });
  });

  it('truncate leaves short text alone', () => expect(truncate('short')).toBe('short'));
});

describe('fromThrown', () => {
  it("maps client-node's ApiException through its code and Status body", () => {
    const thrown = new ApiException(404, 'Unknown API Status Code!', status(404, 'NotFound', 'secrets "x" not found', { name: 'x', kind: 'secrets' }), {});
    expect(fromThrown(thrown)).toMatchObject({ kind: 'NotFound', code: 404, statusReason: 'NotFound', message: 'secrets "x" not found' });
  });

  it('maps a watch error (statusCode) the same way', () => {
    expect(fromThrown(Object.assign(new Error('Gone'), { statusCode: 410 }))).toMatchObject({ kind: 'Other', code: 410 });
  });

  it('maps timeouts and aborts to Timeout', () => {
    expect(fromThrown(new DOMException('timed out', 'TimeoutError')).kind).toBe('Timeout');
    expect(fromThrown(new DOMException('aborted', 'AbortError'))).toMatchObject({ kind: 'Timeout', message: 'the request was aborted' });
    expect(fromThrown(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })).kind).toBe('Timeout');
  });

  it('maps connection failures, found in the cause chain, to Unavailable', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(fromThrown(refused)).toMatchObject({ kind: 'Unavailable', message: 'the API server could not be reached (ECONNREFUSED)' });
    const aggregate = new TypeError('fetch failed', { cause: new AggregateError([Object.assign(new Error('x'), { code: 'EHOSTUNREACH' })]) });
    expect(fromThrown(aggregate).message).toContain('EHOSTUNREACH');
    expect(fromThrown(new TypeError('fetch failed')).kind).toBe('Unavailable');
  });

  it("never copies a thrown error's message (a JSON parse error quotes the body)", () => {
    const thrown = (() => {
      try {
        JSON.parse('{"data":{"token":"s3cr3t"');
      } catch (e) {
        return e;
      }
    })();
    const error = fromThrown(thrown);
    expect(error).toMatchObject({ kind: 'Other', message: 'the request failed (SyntaxError)' });
    expect(fromThrown('a string')).toMatchObject({ kind: 'Other', message: 'the request failed (string)' });
  });
});
