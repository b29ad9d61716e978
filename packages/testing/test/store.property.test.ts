// Properties of the store over random sequences of patches: the API-server rules hold for every
// sequence, not only for the hand-picked cases of store.test.ts.
import * as fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { type KubeObject } from '@capt-endpoint/core';
import { applyMergePatch } from '@capt-endpoint/core/json';
import { ObjectStore } from '../src/store';
import { controlPlane, cpRef } from './fixtures';

const value = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 3 }), fc.constantFrom('a', 'b'));
const fragment = fc.dictionary(fc.constantFrom('x', 'y', 'z'), fc.oneof(value, fc.dictionary(fc.constantFrom('p', 'q'), value)), { maxKeys: 2 });

const operation = fc.record({
  subresource: fc.constantFrom<'status' | undefined>(undefined, 'status'),
  spec: fc.option(fragment, { nil: undefined }),
  status: fc.option(fragment, { nil: undefined }),
  labels: fc.option(fc.dictionary(fc.constantFrom('l1', 'l2'), fc.oneof(fc.constant(null), fc.constantFrom('v', 'w')), { maxKeys: 2 }), { nil: undefined }),
  precondition: fc.constantFrom('none', 'current', 'stale'),
});

const withoutRv = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });

it('keeps the resourceVersion, generation and status rules over any sequence of patches', () => {
  fc.assert(
    fc.property(fc.array(operation, { maxLength: 25 }), (operations) => {
      const store = new ObjectStore([{ ...controlPlane(), status: { x: 0 } }]);
      const start = store.resourceVersion;
      let bumps = 0;
      for (const op of operations) {
        const before = store.get(cpRef)!;
        const rv = Number(before.metadata.resourceVersion);
        const metadata = {
          ...(op.labels ? { labels: op.labels } : {}),
          ...(op.precondition === 'current' ? { resourceVersion: String(rv) } : op.precondition === 'stale' ? { resourceVersion: String(rv - 1) } : {}),
        };
        const patch = { metadata, ...(op.spec ? { spec: op.spec } : {}), ...(op.status ? { status: op.status } : {}) };
        const result = store.patch(cpRef, patch, { subresource: op.subresource });
        const after = store.get(cpRef)!;
        if (op.precondition === 'stale') {
          expect(E.isLeft(result) && result.left.code).toBe(409);
          expect(after).toEqual(before);
          continue;
        }
        expect(E.isRight(result) && result.right).toEqual(after);
        // Only the part the request may write changes, and it changes as RFC 7386 says.
        if (op.subresource === 'status') {
          expect(after.spec).toEqual(before.spec);
          expect(after.metadata.labels).toEqual(before.metadata.labels);
          expect(after.status).toEqual(applyMergePatch(before.status, op.status ?? {}));
        } else {
          expect(after.status).toEqual(before.status);
          expect(after.spec).toEqual(applyMergePatch(before.spec, op.spec ?? {}));
        }
        const changed = JSON.stringify(withoutRv(after)) !== JSON.stringify(withoutRv(before));
        const specChanged = JSON.stringify(after.spec) !== JSON.stringify(before.spec);
        expect(Number(after.metadata.resourceVersion)).toBe(changed ? rv + 1 : rv);
        expect(after.metadata.generation).toBe(before.metadata.generation! + (specChanged ? 1 : 0));
        if (changed) bumps += 1;
      }
      // A watch from the start sees exactly one event per change.
      const events = store.eventsSince(start);
      expect(E.isRight(events) && events.right.length).toBe(bumps);
    }),
  );
});
