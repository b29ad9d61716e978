/**
 * Paged lists (`limit` and `continue`) as the API server serves them: a list with `limit=N`
 * answers at most N items and, when more remain, a `continue` token and `remainingItemCount`;
 * each later page comes from the same snapshot as the first (the API server reads later pages
 * at the first page's resourceVersion), so writes between pages do not show up in the list.
 *
 * The API server can read an old revision from etcd; the store keeps only the present, so the
 * rest of a paged list is kept here, under its token, until its next page is asked for. Only a
 * bounded number of open lists are kept, each for a bounded time: a token that is unknown,
 * already used, evicted or too old is answered 410 Expired, as the API server answers a token
 * whose revision etcd has compacted.
 */
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { ApiError, KubeObject } from '@capt-endpoint/core';
import { apiError } from '@capt-endpoint/core/adapter';
import { badRequest } from './apiErrors';

/** The rest of one paged list, waiting for its next page. */
interface OpenList {
  /** What was listed (path and selectors): a token continues only the list it came from. */
  readonly scope: string;
  readonly items: readonly KubeObject[];
  /** The first page's resourceVersion, which every page of the list carries. */
  readonly resourceVersion: string;
  /** Whether the list was narrowed by a selector: the API server then gives no remainingItemCount. */
  readonly selected: boolean;
  readonly expiresAt: number;
}

/** One page of a list: its items and the list metadata that goes with them. */
export interface Page {
  readonly items: readonly KubeObject[];
  readonly metadata: { readonly resourceVersion: string; readonly continue?: string; readonly remainingItemCount?: number };
}

/** A full list as the store answered it, before paging. */
export interface Snapshot {
  readonly scope: string;
  readonly items: readonly KubeObject[];
  readonly resourceVersion: string;
  readonly selected: boolean;
}

export interface PagedListsOptions {
  /** How many paged lists are kept open at once (default 32); opening another evicts the oldest. */
  readonly maxOpen?: number | undefined;
  /** How long the rest of a list is kept after its first page, in milliseconds (default 5 minutes, etcd's compaction interval). */
  readonly ttlMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/** The parameters of a list request that decide its paging. */
export interface PageRequest {
  readonly limit?: string | undefined;
  readonly continue?: string | undefined;
  readonly resourceVersion?: string | undefined;
}

const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

const expiredContinue = (): ApiError => apiError('Other', EXPIRED_MESSAGE, { code: 410, statusReason: 'Expired' });

/** `limit` as the API server reads it: a non-negative integer, 0 (or none) for no limit. */
export const limitOf = (text: string | undefined): E.Either<ApiError, number> => {
  if (text === undefined || text === '') return E.right(0);
  return /^\d{1,15}$/.test(text) ? E.right(Number(text)) : E.left(badRequest(`limit: Invalid value: ${JSON.stringify(text.slice(0, 40))}: must be a non-negative integer`));
};

export class PagedLists {
  private readonly open = new Map<string, OpenList>();
  private readonly maxOpen: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: PagedListsOptions = {}) {
    this.maxOpen = Math.max(0, options.maxOpen ?? 32);
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** How many lists have pages left to serve. */
  get size(): number {
    return this.open.size;
  }

  /** Forgets every open list: each of their tokens is now answered 410 Expired. */
  expireAll(): void {
    this.open.clear();
  }

  /**
   * The page a request asks for: without `continue`, the first page of `snapshot()` (read only
   * then); with it, the next page of the list the token stands for.
   */
  page(scope: string, request: PageRequest, snapshot: () => Snapshot): E.Either<ApiError, Page> {
    const limit = limitOf(request.limit);
    if (E.isLeft(limit)) return limit;
    const token = request.continue;
    if (token === undefined || token === '') {
      const first = snapshot();
      return E.right(this.cut({ ...first, expiresAt: this.now() + this.ttlMs }, limit.right));
    }
    if (request.resourceVersion !== undefined && request.resourceVersion !== '')
      return E.left(badRequest('specifying resource version is not allowed when using continue'));
    const rest = this.open.get(token);
    // A token is used once: its page is served, and the page after gets a token of its own.
    this.open.delete(token);
    if (rest === undefined || rest.expiresAt <= this.now()) return E.left(expiredContinue());
    if (rest.scope !== scope) return E.left(badRequest('the continue token was issued for a different list'));
    return E.right(this.cut(rest, limit.right));
  }

  /** The first `limit` items of `list` (all of them with no limit), keeping the rest under a new token. */
  private cut(list: OpenList, limit: number): Page {
    if (limit === 0 || list.items.length <= limit) return { items: list.items, metadata: { resourceVersion: list.resourceVersion } };
    const rest: OpenList = { ...list, items: list.items.slice(limit) };
    const token = Buffer.from(JSON.stringify({ rv: list.resourceVersion, id: randomUUID() })).toString('base64url');
    this.open.set(token, rest);
    for (const oldest of this.open.keys()) {
      if (this.open.size <= this.maxOpen) break;
      this.open.delete(oldest);
    }
    return {
      items: list.items.slice(0, limit),
      metadata: {
        resourceVersion: list.resourceVersion,
        continue: token,
        ...(list.selected ? {} : { remainingItemCount: rest.items.length }),
      },
    };
  }
}
