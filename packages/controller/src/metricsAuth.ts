/**
 * Who may scrape `/metrics`, decided as controller-runtime's `WithAuthenticationAndAuthorization`
 * does: the caller's bearer token is authenticated with a TokenReview and the user it names is
 * authorised with a SubjectAccessReview for `get` on the non-resource URL `/metrics`. Verdicts
 * are cached for a short while by a digest of the token (never the token itself), and at most
 * `maxConcurrentReviews` reviews are in flight: more callers are answered 503 at once, so a
 * flood of scrapes with fresh tokens cannot flood the API server. Nothing a review says reaches
 * the caller or the log.
 */
import { createHash } from 'node:crypto';
import { ApiException, AuthenticationV1Api, AuthorizationV1Api, type HttpInfo, type KubeConfig } from '@kubernetes/client-node';
import type { ApiError } from '@capt-endpoint/core';
import { apiErrorOfThrown } from '@capt-endpoint/kubernetes';

export type MetricsVerdict =
  | { readonly code: 200 }
  | { readonly code: 401 | 403 | 503; readonly reason: string };

/** Judges a request's Authorization header. Never rejects. */
export type MetricsAuthorizer = (authorization: string | undefined) => Promise<MetricsVerdict>;

export interface MetricsAuthOptions {
  /** How long a verdict (allowed, unauthenticated or forbidden) is kept. Default 10 000 ms. */
  readonly cacheTtlMs?: number | undefined;
  /** Most verdicts kept; the oldest go first. Default 1024. */
  readonly maxCachedVerdicts?: number | undefined;
  /** Most reviews in flight at once. Default 8. */
  readonly maxConcurrentReviews?: number | undefined;
  /** Longest wait for both reviews of one token. Default 5000 ms. */
  readonly reviewTimeoutMs?: number | undefined;
  /** The clock, in milliseconds (monotonic). */
  readonly now?: (() => number) | undefined;
  /**
   * Told when a review could not be made (the caller got 503): the API's answer as a typed error,
   * scrubbed, so an operator sees that the controller may not create TokenReviews or
   * SubjectAccessReviews (`ApiForbidden`) rather than only a scraper's failed scrape.
   */
  readonly onReviewFailed?: ((error: ApiError) => void) | undefined;
}

/** What the authorizer needs of the API: the two reviews, as client-node's typed APIs make them. */
export interface ReviewApis {
  readonly authentication: Pick<AuthenticationV1Api, 'createTokenReview'>;
  readonly authorization: Pick<AuthorizationV1Api, 'createSubjectAccessReview'>;
}

/** A review's POST, told to `onRequest` with the status it was answered (`undefined` when none came). */
const counted = async <A>(send: () => Promise<HttpInfo<A>>, onRequest: ((method: string, code: number | undefined) => void) | undefined): Promise<A> => {
  try {
    const answered = await send();
    onRequest?.('POST', answered.httpStatusCode);
    return answered.data;
  } catch (error) {
    onRequest?.('POST', error instanceof ApiException ? error.code : undefined);
    throw error;
  }
};

/** The reviews through client-node's typed APIs; `onRequest` hears of each one's answer (for `rest_client_requests_total`). */
export const reviewApisOf = (kubeConfig: KubeConfig, onRequest?: (method: string, code: number | undefined) => void): ReviewApis => {
  const authentication = kubeConfig.makeApiClient(AuthenticationV1Api);
  const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
  return {
    authentication: { createTokenReview: (param, options) => counted(() => authentication.createTokenReviewWithHttpInfo(param, options), onRequest) },
    authorization: { createSubjectAccessReview: (param, options) => counted(() => authorization.createSubjectAccessReviewWithHttpInfo(param, options), onRequest) },
  };
};

const unauthenticated: MetricsVerdict = { code: 401, reason: 'Unauthorized' };
const forbidden: MetricsVerdict = { code: 403, reason: 'Forbidden' };
const unavailable: MetricsVerdict = { code: 503, reason: 'the review of the caller could not be made' };
const busy: MetricsVerdict = { code: 503, reason: 'too many reviews in flight' };

const bearerToken = (authorization: string | undefined): string | undefined => /^Bearer +([^\s]+) *$/i.exec(authorization ?? '')?.[1];

const withTimeout = <A>(promise: Promise<A>, ms: number, fallback: A): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([promise, new Promise<A>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]).finally(() => clearTimeout(timer));
};

/** One token's reviews: TokenReview, then (authenticated) a SubjectAccessReview for get /metrics. */
const review = async (apis: ReviewApis, token: string): Promise<MetricsVerdict> => {
  const authenticated = await apis.authentication.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
  const user = authenticated.status?.user;
  if (authenticated.status?.authenticated !== true || user?.username === undefined) return unauthenticated;
  const authorized = await apis.authorization.createSubjectAccessReview({
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: user.username, uid: user.uid, groups: user.groups, extra: user.extra, nonResourceAttributes: { path: '/metrics', verb: 'get' } },
    },
  });
  return authorized.status?.allowed === true && authorized.status.denied !== true ? { code: 200 } : forbidden;
};

/**
 * Who may read `/metrics`, as controller-runtime's secure serving decides: the caller's bearer
 * token checked with a TokenReview, its user with a SubjectAccessReview for `get` on the
 * non-resource URL `/metrics`. No or an unknown token is 401, no permission 403. Verdicts are
 * kept 10 s by a digest of the token; at most 8 reviews run at once and a caller past that gets
 * 503, as does one whose review the server refused (`onReviewFailed` hears why).
 */
export const createMetricsAuthorizer = (apis: ReviewApis, options: MetricsAuthOptions = {}): MetricsAuthorizer => {
  const ttl = options.cacheTtlMs ?? 10_000;
  const maxCached = options.maxCachedVerdicts ?? 1024;
  const maxInFlight = options.maxConcurrentReviews ?? 8;
  const timeoutMs = options.reviewTimeoutMs ?? 5_000;
  const now = options.now ?? (() => performance.now());
  const verdicts = new Map<string, { readonly verdict: MetricsVerdict; readonly until: number }>();
  const inFlight = new Map<string, Promise<MetricsVerdict>>();

  const remember = (key: string, verdict: MetricsVerdict): void => {
    if (verdict.code === 503) return;
    verdicts.delete(key);
    verdicts.set(key, { verdict, until: now() + ttl });
    for (const oldest of verdicts.keys()) {
      if (verdicts.size <= maxCached) break;
      verdicts.delete(oldest);
    }
  };

  return async (authorization) => {
    const token = bearerToken(authorization);
    if (token === undefined) return unauthenticated;
    const key = createHash('sha256').update(token).digest('hex');
    const known = verdicts.get(key);
    if (known !== undefined && known.until > now()) return known.verdict;
    const pending = inFlight.get(key);
    if (pending !== undefined) return pending;
    if (inFlight.size >= maxInFlight) return busy;
    const judged = withTimeout(
      review(apis, token).catch((thrown: unknown) => {
        options.onReviewFailed?.(apiErrorOfThrown(thrown));
        return unavailable;
      }),
      timeoutMs,
      unavailable,
    ).then((verdict) => {
      remember(key, verdict);
      return verdict;
    });
    inFlight.set(key, judged);
    return judged.finally(() => inFlight.delete(key));
  };
};
