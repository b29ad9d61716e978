/**
 * TokenReview and SubjectAccessReview as kube-apiserver answers them (`POST`, 201 Created, the
 * review back with its `status` filled in), for a server that authenticates and authorises
 * callers of its own endpoints (a metrics endpoint served securely, as controller-runtime's).
 * The tokens it knows and the rule it authorises by are the test's.
 */

/** Who a token belongs to. */
export interface ReviewUser {
  readonly username: string;
  readonly uid?: string | undefined;
  readonly groups?: readonly string[] | undefined;
}

/** What a SubjectAccessReview asks, as its spec's attributes say (non-resource: path and verb). */
export interface ReviewedAccess {
  readonly verb: string;
  readonly path?: string | undefined;
  readonly group?: string | undefined;
  readonly resource?: string | undefined;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

export interface AccessReviews {
  /** The bearer tokens the server knows; any other is not authenticated. */
  readonly tokens: Readonly<Record<string, ReviewUser>>;
  /** Whether `user` may do `access`. */
  readonly allows: (user: ReviewUser, access: ReviewedAccess) => boolean;
}

export const TOKEN_REVIEWS_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';
export const SUBJECT_ACCESS_REVIEWS_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);
const text = (u: unknown): string | undefined => (typeof u === 'string' ? u : undefined);

const tokenReview = (reviews: AccessReviews, body: Record<string, unknown>): Record<string, unknown> => {
  const spec = isRecord(body['spec']) ? body['spec'] : {};
  const token = text(spec['token']) ?? '';
  const user = Object.prototype.hasOwnProperty.call(reviews.tokens, token) ? reviews.tokens[token] : undefined;
  return {
    ...body,
    metadata: { creationTimestamp: null },
    status:
      user === undefined
        ? { user: {}, error: 'invalid bearer token' }
        : { authenticated: true, user: { username: user.username, ...(user.uid === undefined ? {} : { uid: user.uid }), groups: [...(user.groups ?? [])] } },
  };
};

const accessOf = (spec: Record<string, unknown>): ReviewedAccess | undefined => {
  const nonResource = spec['nonResourceAttributes'];
  if (isRecord(nonResource)) return { verb: text(nonResource['verb']) ?? '', path: text(nonResource['path']) };
  const resource = spec['resourceAttributes'];
  if (isRecord(resource))
    return { verb: text(resource['verb']) ?? '', group: text(resource['group']), resource: text(resource['resource']), namespace: text(resource['namespace']), name: text(resource['name']) };
  return undefined;
};

const subjectAccessReview = (reviews: AccessReviews, body: Record<string, unknown>): Record<string, unknown> | undefined => {
  const spec = isRecord(body['spec']) ? body['spec'] : {};
  const access = accessOf(spec);
  const username = text(spec['user']);
  if (access === undefined || username === undefined) return undefined;
  const groups = Array.isArray(spec['groups']) ? spec['groups'].flatMap((g) => (typeof g === 'string' ? [g] : [])) : [];
  const allowed = reviews.allows({ username, uid: text(spec['uid']), groups }, access);
  return { ...body, metadata: { creationTimestamp: null }, status: allowed ? { allowed: true, reason: 'allowed by the test' } : { allowed: false } };
};

/**
 * The answer to a review request, or undefined when `path` is not a review. A body that is not
 * a review of the right shape is 400, as the API server's validation answers it.
 */
export const answerAccessReview = (
  reviews: AccessReviews,
  method: string,
  path: string,
  body: unknown,
): { readonly code: number; readonly body: Record<string, unknown> } | undefined => {
  if (path !== TOKEN_REVIEWS_PATH && path !== SUBJECT_ACCESS_REVIEWS_PATH) return undefined;
  const invalid = (message: string) => ({
    code: method === 'POST' ? 400 : 405,
    body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason: method === 'POST' ? 'BadRequest' : 'MethodNotAllowed', code: method === 'POST' ? 400 : 405 },
  });
  if (method !== 'POST') return invalid(`the server does not allow this method on the requested resource`);
  if (!isRecord(body)) return invalid('the request body is not a review');
  const answer = path === TOKEN_REVIEWS_PATH ? tokenReview(reviews, body) : subjectAccessReview(reviews, body);
  return answer === undefined ? invalid('spec.user or spec.groups: at least one of user or group must be specified; resourceAttributes or nonResourceAttributes is required') : { code: 201, body: answer };
};
