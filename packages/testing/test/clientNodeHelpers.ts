// Helpers for tests that drive the loopback server with the real client-node.
import { ApiException } from '@kubernetes/client-node';

/** The ApiException a request fails with; anything else (or success) fails the test. */
export const rejection = async (promise: Promise<unknown>): Promise<ApiException<string>> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return error as ApiException<string>;
    throw error;
  }
  throw new Error('expected the request to fail');
};

/** Resolves when `predicate` holds, polling the event loop (no timing assertions). */
export const eventually = async (predicate: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(predicate()).toBe(true);
};
