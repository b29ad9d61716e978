// Secure metrics through the manager, over loopback: HTTPS with a certificate made at start, each
// caller authenticated with a TokenReview and authorised with a SubjectAccessReview for get on
// /metrics, both answered by the loopback API server as kube-apiserver answers them.
import { request as httpsRequest } from 'node:https';
import { ApiException } from '@kubernetes/client-node';
import type { ApiError } from '@capt-endpoint/core';
import { startFakeApiServer, SUBJECT_ACCESS_REVIEWS_PATH, TOKEN_REVIEWS_PATH, type FakeApiServer } from '@capt-endpoint/testing';
import { deniedByDeploy } from '../../../deploy/test/deployRbac';
import { createMetricsAuthorizer, type Manager, type MetricsVerdict, type ReviewApis } from '../src';
import { initialObjects, startManagerOn } from './helpers';

const SCRAPER = 'system:serviceaccount:monitoring:prometheus';

let server: FakeApiServer;
let manager: Manager | undefined;

beforeEach(async () => {
  server = await startFakeApiServer({
    objects: initialObjects(),
    reviews: {
      tokens: { 'scraper-token': { username: SCRAPER, groups: ['system:serviceaccounts'] }, 'other-token': { username: 'someone' } },
      allows: (user, access) => user.username === SCRAPER && access.verb === 'get' && access.path === '/metrics',
    },
  });
});
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  await server.close();
  expect(deniedByDeploy(server.requests)).toEqual([]);
});

/** GET over HTTPS, trusting the self-signed certificate (the test checks the server, not the chain). */
const scrape = (port: number, token?: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const request = httpsRequest(
      { host: '127.0.0.1', port, path: '/metrics', rejectUnauthorized: false, headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });

const reviews = () => server.requests.filter((r) => r.path === TOKEN_REVIEWS_PATH || r.path === SUBJECT_ACCESS_REVIEWS_PATH);

describe('metrics served securely by default', () => {
  it('answers 401 without a token or with an unknown one, 403 without permission, 200 with the metrics when permitted', async () => {
    manager = await startManagerOn(server, () => undefined, { metricsAddress: { host: '127.0.0.1', port: 0 } });
    const port = manager.metricsAddress?.port ?? 0;
    expect(await scrape(port)).toEqual({ status: 401, body: 'Unauthorized\n' });
    expect(reviews()).toEqual([]);
    expect((await scrape(port, 'made-up')).status).toBe(401);
    expect((await scrape(port, 'other-token')).status).toBe(403);
    const allowed = await scrape(port, 'scraper-token');
    expect(allowed.status).toBe(200);
    expect(allowed.body).toContain('controller_runtime_reconcile_total');
    // The SubjectAccessReview asks exactly for get on /metrics, for the user the TokenReview named.
    const asked = reviews().filter((r) => r.path === SUBJECT_ACCESS_REVIEWS_PATH).map((r) => (r.body as { spec: unknown }).spec);
    expect(asked).toContainEqual(expect.objectContaining({ user: SCRAPER, groups: ['system:serviceaccounts'], nonResourceAttributes: { path: '/metrics', verb: 'get' } }));
    // A verdict is kept for a while: the same token again costs no review.
    const before = reviews().length;
    expect((await scrape(port, 'scraper-token')).status).toBe(200);
    expect((await scrape(port, 'other-token')).status).toBe(403);
    expect(reviews()).toHaveLength(before);
    // Each review is a request the manager sent, counted as any other (POST, the status it was answered).
    const posts = (await manager.metrics.registry.metrics()).split('\n').filter((line) => line.startsWith('rest_client_requests_total{method="POST"'));
    expect(posts.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0)).toBe(reviews().length);
    // Plain HTTP is not served on the HTTPS port.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('with metricsSecure false serves plain HTTP, on 127.0.0.1 when the address names no host', async () => {
    manager = await startManagerOn(server, () => undefined, { metricsAddress: { host: '', port: 0 }, metricsSecure: false });
    expect(manager.metricsAddress?.host).toBe('127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${manager.metricsAddress?.port}/metrics`)).status).toBe(200);
    expect(reviews()).toEqual([]);
  });
});

describe('the metrics authorizer', () => {
  it('bounds the reviews in flight: a caller past the bound is answered 503 at once, and the same token waits for its own review', async () => {
    const release: Array<() => void> = [];
    const apis: ReviewApis = {
      authentication: {
        createTokenReview: (({ body }: { body: { spec: { token: string } } }) =>
          new Promise((resolve) => release.push(() => resolve({ status: { authenticated: true, user: { username: body.spec.token } } })))) as unknown as ReviewApis['authentication']['createTokenReview'],
      },
      authorization: { createSubjectAccessReview: (() => Promise.resolve({ status: { allowed: true } })) as unknown as ReviewApis['authorization']['createSubjectAccessReview'] },
    };
    const authorize = createMetricsAuthorizer(apis, { maxConcurrentReviews: 2 });
    const first = authorize('Bearer a');
    const again = authorize('Bearer a');
    const second = authorize('Bearer b');
    const verdict: MetricsVerdict = await authorize('Bearer c');
    expect(verdict).toEqual({ code: 503, reason: 'too many reviews in flight' });
    expect(release).toHaveLength(2);
    release.forEach((done) => done());
    expect(await Promise.all([first, again, second])).toEqual([{ code: 200 }, { code: 200 }, { code: 200 }]);
    // With the bound free again, the caller turned away is reviewed.
    const last = authorize('Bearer c');
    release.at(-1)!();
    expect(await last).toEqual({ code: 200 });
  });

  it('answers 503 when a review cannot be made, and tells onReviewFailed why as a typed error without the token', async () => {
    const refusal = {
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      message: 'tokenreviews.authentication.k8s.io is forbidden: User "system:serviceaccount:capt-endpoint-system:capt-endpoint" cannot create resource "tokenreviews"',
    };
    const apis: ReviewApis = {
      authentication: {
        createTokenReview: () => Promise.reject(new ApiException(403, 'Forbidden', JSON.stringify(refusal), {})),
      },
      authorization: { createSubjectAccessReview: (() => Promise.resolve({ status: { allowed: true } })) as unknown as ReviewApis['authorization']['createSubjectAccessReview'] },
    };
    const failures: ApiError[] = [];
    const authorize = createMetricsAuthorizer(apis, { onReviewFailed: (error) => failures.push(error) });
    expect(await authorize('Bearer secret-scraper-token')).toEqual({ code: 503, reason: 'the review of the caller could not be made' });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ reason: 'ApiForbidden', code: 403, retryable: false });
    expect(failures[0]?.message).toContain('cannot create resource "tokenreviews"');
    expect(JSON.stringify(failures)).not.toContain('secret-scraper-token');
    // A failed review is not kept: the next scrape asks again.
    await authorize('Bearer secret-scraper-token');
    expect(failures).toHaveLength(2);
  });
});
