// The transport's last guard on a request path, checked against its definition: a path is
// refused exactly when one of its segments is one `isUnsafeSegment` refuses.
import fc from 'fast-check';
import { isUnsafeSegment } from '../src/resources';
import { pathProblem } from '../src/transport';

const bySegments = (path: string): boolean => !path.startsWith('/') || path.slice(1).split('/').some(isUnsafeSegment);

describe('pathProblem', () => {
  it.each([
    ['/api/v1/namespaces/a/secrets/b', false],
    ['/api/v1/namespaces/a/secrets/..', true],
    ['/api/v1/namespaces/./secrets/b', true],
    ['/api/v1/namespaces/%2E%2e/secrets', true],
    ['/api/v1/namespaces/a/secrets/...', false],
    ['/api/v1/namespaces/a/secrets/.b', false],
    ['/api/v1//secrets', true],
    ['/api/v1/secrets/', true],
    ['/', true],
    ['api/v1', true],
  ])('%s refused: %s', (path, refused) => {
    expect(pathProblem(path) !== undefined).toBe(refused);
    expect(bySegments(path)).toBe(refused);
  });

  it('refuses a path exactly when one of its segments is unsafe', () => {
    const segment = fc.oneof(fc.constantFrom('', '.', '..', '...', '%2e', '%2E.', '.%2e', 'a', 'a.', '%2e%2e%2e', 'v1'), fc.string({ maxLength: 4 }).filter((text) => !text.includes('/')));
    const path = fc.tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 6 })).map(([rooted, segments]) => `${rooted ? '/' : ''}${segments.join('/')}`);
    fc.assert(fc.property(path, (candidate) => (pathProblem(candidate) !== undefined) === bySegments(candidate)), { numRuns: 2000 });
  });
});
