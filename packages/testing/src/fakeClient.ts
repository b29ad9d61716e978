/**
 * The fake cluster for unit tests: the core's `ClusterClient` over an in-memory `ObjectStore`,
 * with every call recorded, failures injectable per verb and per object (standing rules,
 * queues, or seeded random failures), optional latency, and setup helpers that go straight to
 * the store without being recorded.
 *
 * The ClusterClient methods never throw: every failure is a `Left(ApiError)`.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import { refOf, type ApiError, type ClusterClient, type KubeObject, type MergePatch, type ObjectRef, type PatchOptions, type GetOptions } from '@capt-endpoint/core';
import type { DecodeMemo } from '@capt-endpoint/core/adapter';
import { applyMergePatch } from '@capt-endpoint/core/json';
import { aborted, internalError } from './apiErrors';
import { toJson } from './json';
import {
  InstalledRule,
  callMatches,
  randomFailureSource,
  type Call,
  type CallMatch,
  type Failure,
  type FailureHandle,
  type FailureRule,
  type RandomFailures,
  type Verb,
  type VerbSelector,
} from './faults';
import { keyOf, ObjectStore, type ObjectStoreOptions, type WriteOptions } from './store';
import { objectsFromYaml } from './yaml';

/** A recorded call; `error` is set when the call failed (injected or from the store). */
export interface RecordedCall extends Call {
  readonly error?: ApiError;
}

export interface FakeClientOptions extends ObjectStoreOptions {
  /** Use this store instead of a new one (e.g. to share it with `startFakeApiServer`); then give `crds` to that store, not here. */
  readonly store?: ObjectStore;
  /** Delay in milliseconds before each call reaches the store, fixed or per call. */
  readonly latency?: number | ((call: Call) => number);
  /** Seeded random failures, e.g. `{ rate: 0.3, seed: 42 }`. */
  readonly randomFailures?: RandomFailures;
}

const sleep = (ms: number, signal: AbortSignal | undefined): Promise<boolean> =>
  new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const refOnly = (ref: ObjectRef): ObjectRef =>
  ref.namespace ? { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name } : { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name };

export class FakeClient implements ClusterClient {
  readonly store: ObjectStore;
  private readonly recorded: Array<{ -readonly [K in keyof RecordedCall]: RecordedCall[K] }> = [];
  private readonly rules: InstalledRule[] = [];
  private random: ((call: Call) => ApiError | undefined) | undefined;
  private readonly latency: number | ((call: Call) => number);

  constructor(objects: readonly KubeObject[] | string = [], options: FakeClientOptions = {}) {
    if (options.store && (options.crds !== undefined || options.convert !== undefined))
      throw new Error('createFakeClient: give crds and convert to the shared store, not with `store`');
    this.store = options.store ?? new ObjectStore([], options);
    this.latency = options.latency ?? 0;
    this.setRandomFailures(options.randomFailures);
    this.add(...(typeof objects === 'string' ? objectsFromYaml(objects) : objects));
  }

  // ---- ClusterClient ------------------------------------------------------------------------

  /**
   * What decoding gave, per frozen object a read-only read handed out (those cannot change): for
   * the version of each object handed out last, the one before forgotten. Held in plain Maps, not
   * weakly: V8's scavenges keep a WeakMap's young keys alive, so a long test's dead versions (and
   * all they hold) were copied and promoted until the next full collection (ADR 0100).
   */
  private readonly decoded = new Map<object, Map<unknown, unknown>>();
  /** The object handed out last under each identity (apiVersion, kind, namespace, name). */
  private readonly lastHandedOut = new Map<string, object>();

  private readonly handOut = (object: KubeObject): KubeObject => {
    const identity = keyOf(object.apiVersion, object.kind, object.metadata.namespace ?? '', object.metadata.name ?? '');
    const last = this.lastHandedOut.get(identity);
    if (last === object) return object;
    if (last !== undefined) this.decoded.delete(last);
    this.lastHandedOut.set(identity, object);
    this.decoded.set(object, new Map());
    return object;
  };

  /** Remembers decoding only for the frozen objects read-only reads handed out. */
  readonly decodeMemo: DecodeMemo = {
    recall: (codec, input) => (typeof input === 'object' && input !== null ? this.decoded.get(input)?.get(codec) : undefined),
    remember: (codec, input, value) => {
      if (typeof input === 'object' && input !== null) this.decoded.get(input)?.set(codec, value);
    },
  };

  /**
   * ClusterClient.get: a copy of the stored object; `Right(undefined)` when it does not exist,
   * and for an injected 404 (as an adapter maps it; a 404 on a patch is `Left(NotFound)`). With
   * `{ readOnly: true }` it is the stored version itself, deep-frozen, as the cached client hands out its own frozen
   * objects, so code that changes what it read read-only fails here with a TypeError. An aborted
   * `signal` (before the call or during `latency`) gives `Left(Timeout)`, the store untouched.
   */
  get(ref: ObjectRef, options?: GetOptions): TaskEither<ApiError, KubeObject | undefined>;
  /** Test inspection: a copy of the stored object, or undefined; not recorded. */
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  get(
    first: ObjectRef | string,
    second?: GetOptions | string,
    namespace?: string,
    name?: string,
  ): TaskEither<ApiError, KubeObject | undefined> | KubeObject | undefined {
    if (typeof first === 'string')
      return this.store.get({ apiVersion: first, kind: typeof second === 'string' ? second : '', namespace, name: name ?? '' });
    // As an adapter does, a 404 on get (from the store or injected) is the absence of the object,
    // unless it is the 404 for a resource type the server does not serve.
    const options = second as GetOptions | undefined;
    // A read-only read gets one frozen object per stored version, as from the cached client's
    // shared objects: a test fails where the code under test changes what it promised to leave
    // alone, and what decoding it gave is remembered.
    const read = () => (options?.readOnly === true ? E.map(this.handOut)(this.store.shared(first)) : this.store.find(first));
    return this.call<KubeObject | undefined>('get', first, undefined, options, read, () => undefined);
  }

  patch(ref: ObjectRef, patch: MergePatch, options?: PatchOptions): TaskEither<ApiError, KubeObject> {
    return this.call('patch', ref, patch, options, (sent) => this.store.patch(ref, sent!, { fieldManager: options?.fieldManager }));
  }

  patchStatus(ref: ObjectRef, patch: MergePatch, options?: PatchOptions): TaskEither<ApiError, KubeObject> {
    return this.call('patchStatus', ref, patch, options, (sent) => this.store.patch(ref, sent!, { subresource: 'status', fieldManager: options?.fieldManager }));
  }

  /** POST, as `KubernetesClient.create`: 409 AlreadyExists when the object exists. */
  create(object: KubeObject, options?: PatchOptions): TaskEither<ApiError, KubeObject> {
    return this.call('create', refOf(object), object, options, (sent) => this.store.create(sent as KubeObject));
  }

  // ---- recorded calls -----------------------------------------------------------------------

  /** Every call made through the ClusterClient methods, in the order they were made. */
  get calls(): readonly RecordedCall[] {
    return this.recorded;
  }

  /** How many calls (of `verb`, matching `match`) were made. */
  count(verb?: Verb | '*', match?: CallMatch): number {
    return this.callsOf(verb, match).length;
  }

  /** The calls of `verb` (or all) that match. */
  callsOf(verb: Verb | '*' = '*', match?: CallMatch): RecordedCall[] {
    return this.recorded.filter((c) => (verb === '*' || c.verb === verb) && callMatches(match, c));
  }

  /** The patch and patchStatus calls, failed ones included. */
  writes(match?: CallMatch): RecordedCall[] {
    return this.recorded.filter((c) => c.verb !== 'get' && callMatches(match, c));
  }

  resetCalls(): void {
    this.recorded.length = 0;
  }

  // ---- failure injection --------------------------------------------------------------------

  /**
   * Makes matching calls fail. `failure` is one failure (every matching call fails until the
   * rule is removed), an array (a queue: the next matching calls fail one each, then calls go
   * through), or a rule function `(call) => failure | undefined`. Rules are asked in the order
   * they were installed; the first that fails a call wins, then the random failures. A failed
   * call never reaches the store ("applied, then the answer was lost" is not modelled).
   * Shorthands: `NotFound` (404), `Conflict` (409), `InternalError` (500), `Unavailable` (503),
   * `Timeout` (no status, as a client-side timeout). `verbs` is a verb, an array or `'*'`;
   * `match` is fields of the reference or a predicate that also sees `verb`, `body` and
   * `fieldManager`.
   * @example
   * ```ts
   * fake.failOn('patch', { kind: 'Cluster', name: 'c1' }, 'Conflict');  // every matching patch
   * fake.failOn(['patch', 'patchStatus'], ['Conflict', 'Timeout']);     // a queue: the next two writes
   * fake.failOn('*', (call) => (call.body?.['status'] ? apiError('Forbidden', 'no', { code: 403 }) : undefined));
   * ```
   */
  failOn(verbs: VerbSelector, failure: Failure | readonly Failure[] | FailureRule): FailureHandle;
  failOn(verbs: VerbSelector, match: CallMatch | undefined, failure: Failure | readonly Failure[] | FailureRule): FailureHandle;
  failOn(
    verbs: VerbSelector,
    ...args: [Failure | readonly Failure[] | FailureRule] | [CallMatch | undefined, Failure | readonly Failure[] | FailureRule]
  ): FailureHandle {
    const [match, failure] = args.length === 1 ? [undefined, args[0]] : args;
    const rule: InstalledRule = new InstalledRule(verbs, match, failure, () => {
      const index = this.rules.indexOf(rule);
      if (index >= 0) this.rules.splice(index, 1);
    });
    this.rules.push(rule);
    return rule;
  }

  /** Makes the next matching call fail once. */
  failOnce(verbs: VerbSelector, match: CallMatch | undefined, failure: Failure): FailureHandle {
    return this.failOn(verbs, match, [failure]);
  }

  /** Removes every failure rule and the random failures. */
  clearFailures(): void {
    this.rules.length = 0;
    this.random = undefined;
  }

  /** Turns seeded random failures on (or off with undefined). */
  setRandomFailures(config: RandomFailures | undefined): void {
    this.random = config && randomFailureSource(config);
  }

  // ---- setup helpers (not recorded, throw on failure) ---------------------------------------

  /** Adds objects as they are (see `ObjectStore.add`). */
  add(...objects: KubeObject[]): this {
    for (const object of objects) this.store.add(object);
    return this;
  }

  /** Adds the objects of a multi-document YAML text. */
  addYaml(text: string): this {
    return this.add(...objectsFromYaml(text));
  }

  /**
   * Creates or replaces an object whole, status included. Returns the stored copy. With a
   * `fieldManager`, the write is recorded in managedFields under that name, as another
   * controller's write would be.
   */
  put(object: KubeObject, options: WriteOptions = {}): KubeObject {
    return this.orThrow('put', this.store.put(object, options));
  }

  /** Applies a merge patch to the whole object, status included (no status isolation). Returns the stored copy. */
  edit(ref: ObjectRef, patch: MergePatch, options: WriteOptions = {}): KubeObject {
    const current = this.orThrow('edit', this.store.find(ref));
    return this.put(applyMergePatch(current, patch) as KubeObject, options);
  }

  /** Deletes an object (with finalizers: marks it deleted). */
  delete(ref: ObjectRef): KubeObject {
    return this.orThrow('delete', this.store.delete(ref));
  }

  /** A copy of the stored object, or undefined; not recorded. */
  object(ref: ObjectRef): KubeObject | undefined {
    return this.store.get(ref);
  }

  // -------------------------------------------------------------------------------------------

  private orThrow<A>(what: string, result: E.Either<ApiError, A>): A {
    if (E.isLeft(result)) throw new Error(`FakeClient.${what}: ${result.left.message}`);
    return result.right;
  }

  private injected(call: Call): ApiError | undefined {
    for (const rule of this.rules) {
      const failure = rule.failureOf(call);
      if (failure) return failure;
    }
    return this.random?.(call);
  }

  private call<A>(
    verb: Verb,
    ref: ObjectRef,
    body: MergePatch | undefined,
    options: PatchOptions | undefined,
    /** Gets the body as recorded: a JSON copy, as the wire would carry it, made once for the record and the store. */
    operation: (sent: MergePatch | undefined) => E.Either<ApiError, A>,
    /** The answer to a 404, for get: the object's absence. */
    absent?: () => A,
  ): TaskEither<ApiError, A> {
    return async () => {
      const record: (typeof this.recorded)[number] = { verb, ...refOnly(ref) };
      if (options?.fieldManager !== undefined) record.fieldManager = options.fieldManager;
      this.recorded.push(record);
      let result: E.Either<ApiError, A>;
      try {
        // A JSON copy, as the wire would carry it; at any depth, where structuredClone gives up some thousands of levels down.
        if (body !== undefined) record.body = toJson(body);
        result = await this.execute(record, options?.signal, () => operation(record.body));
      } catch (error) {
        result = E.left(internalError(`the fake client failed: ${error instanceof Error ? error.message : 'unknown error'}`));
      }
      // A version that is not served (NotServed) is a 404 for the resource type, not the object's absence.
      if (absent && E.isLeft(result) && result.left.kind === 'NotFound') result = E.right(absent());
      if (E.isLeft(result)) record.error = result.left;
      return result;
    };
  }

  private async execute<A>(call: Call, signal: AbortSignal | undefined, operation: () => E.Either<ApiError, A>): Promise<E.Either<ApiError, A>> {
    if (signal?.aborted) return E.left(aborted());
    const failure = this.injected(call);
    if (failure) return E.left(failure);
    const delay = typeof this.latency === 'function' ? this.latency(call) : this.latency;
    if (delay > 0 && !(await sleep(delay, signal))) return E.left(aborted());
    return operation();
  }
}

/**
 * A fake cluster holding `objects` (or the objects of a multi-document YAML text, read by
 * `objectsFromYaml`). Seeded objects keep the `uid`, `generation`, `creationTimestamp` or
 * `deletionTimestamp` they are given; the `resourceVersion` is always the store's. The package
 * loads no Kubernetes client, so a test of the fake needs no ESM setting under jest.
 */
export const createFakeClient = (objects: readonly KubeObject[] | string = [], options: FakeClientOptions = {}): FakeClient =>
  new FakeClient(objects, options);
