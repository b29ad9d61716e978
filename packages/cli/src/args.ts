/**
 * The command line, read with node's `util.parseArgs` into a `Command`: which command, its
 * inputs, and the reconcile options the flags set. Every mistake is a `UsageError` (one line),
 * never an exception.
 */
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { normalizeRunArgs, runFlagDefinitions, runSettings, type RunFlags, type RunSettings } from './runFlags';
import { commonFlagDefinitions, commonSettings, parseNamespacedName, type CommonFlags, type CommonSettings } from './settings';
import { usageError, type CommandName, type UsageError } from './usage';

export type OutputFormat = 'text' | 'json' | 'yaml';

export type Command =
  | { readonly _tag: 'Help'; readonly command: CommandName | 'main' }
  | { readonly _tag: 'Version' }
  | {
      readonly _tag: 'Explain';
      readonly files: readonly string[];
      readonly controlPlane: { readonly namespace: string; readonly name: string } | undefined;
      readonly output: OutputFormat;
      readonly settings: CommonSettings;
    }
  | {
      readonly _tag: 'Reconcile';
      readonly connection: Connection;
      readonly namespace: string;
      readonly name: string;
      readonly dryRun: boolean;
      readonly output: OutputFormat;
      readonly settings: CommonSettings;
    }
  | {
      readonly _tag: 'Run';
      readonly connection: Connection;
      readonly concurrency: number;
      /** The shard it owns, leader election, metrics and probes. */
      readonly run: RunSettings;
      /** Record Kubernetes Events on the control planes (set, drift, invalid, cleared). */
      readonly events: boolean;
      readonly settings: CommonSettings;
    }
  | { readonly _tag: 'Demo'; readonly json: boolean; readonly manifests: string | undefined };

/** How to reach a live cluster. */
export interface Connection {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
}

export const DEFAULT_CONCURRENCY = 2;

const help = { help: { type: 'boolean', short: 'h' } } as const;
const output = { output: { type: 'string', short: 'o' } } as const;
const connection = { kubeconfig: { type: 'string' }, context: { type: 'string' } } as const;

const definitions = {
  explain: { ...help, ...output, ...commonFlagDefinitions, file: { type: 'string', short: 'f', multiple: true }, 'control-plane': { type: 'string' } },
  reconcile: { ...help, ...output, ...commonFlagDefinitions, ...connection, namespace: { type: 'string', short: 'n' }, 'dry-run': { type: 'boolean' } },
  run: { ...help, ...commonFlagDefinitions, ...connection, ...runFlagDefinitions, concurrency: { type: 'string' }, 'no-events': { type: 'boolean' } },
  demo: { ...help, json: { type: 'boolean' }, manifests: { type: 'string' } },
} as const;

/** node's messages, cut to their first sentence: the rest suggests `--`, which rarely helps here. */
const parseFailure = (command: CommandName, error: unknown): UsageError =>
  usageError(`${command}: ${(error instanceof Error ? error.message : String(error)).split('. ')[0]}`, command);

const parse = <D extends (typeof definitions)[CommandName]>(command: CommandName, options: D, args: readonly string[]) =>
  E.tryCatch(
    () => parseArgs({ args: [...args], options, strict: true, allowPositionals: true }),
    (error) => parseFailure(command, error),
  );

const outputFormat = (text: string | undefined): E.Either<UsageError, OutputFormat> =>
  text === undefined || text === 'text' || text === 'json' || text === 'yaml'
    ? E.right(text ?? 'text')
    : E.left(usageError(`-o must be text, json or yaml, not "${text}"`));

const noPositionals = (command: CommandName, positionals: readonly string[]): E.Either<UsageError, void> =>
  positionals.length === 0 ? E.right(undefined) : E.left(usageError(`${command}: unexpected argument "${positionals[0]}"`, command));

const parseExplain = (args: readonly string[]): E.Either<UsageError, Command> =>
  pipe(
    parse('explain', definitions.explain, args),
    E.chain(({ values, positionals }) =>
      values.help
        ? E.right<UsageError, Command>({ _tag: 'Help', command: 'explain' })
        : pipe(
            E.Do,
            E.bind('files', () =>
              // Files after the first -f count too, so `-f examples/manifests/*.yaml` works as typed.
              [...(values.file ?? []), ...positionals].length === 0
                ? E.left(usageError('explain: give at least one manifest file or directory with -f FILE', 'explain'))
                : E.right([...(values.file ?? []), ...positionals]),
            ),
            E.bind('controlPlane', () =>
              values['control-plane'] === undefined ? E.right(undefined) : parseNamespacedName('--control-plane', values['control-plane']),
            ),
            E.bind('output', () => outputFormat(values.output)),
            E.bind('settings', () => commonSettings(values as CommonFlags)),
            E.map((parsed): Command => ({ _tag: 'Explain', ...parsed })),
          ),
    ),
  );

const parseReconcile = (args: readonly string[]): E.Either<UsageError, Command> =>
  pipe(
    parse('reconcile', definitions.reconcile, args),
    E.chain(({ values, positionals }) => {
      if (values.help) return E.right<UsageError, Command>({ _tag: 'Help', command: 'reconcile' });
      const [name, extra] = positionals;
      if (name === undefined) return E.left(usageError('reconcile: give the control plane: -n NAMESPACE NAME', 'reconcile'));
      if (extra !== undefined) return E.left(usageError(`reconcile: unexpected argument "${extra}"`, 'reconcile'));
      if (values.namespace === undefined || values.namespace === '') {
        return E.left(usageError('reconcile: give the control plane\'s namespace with -n NAMESPACE', 'reconcile'));
      }
      const namespace = values.namespace;
      return pipe(
        E.Do,
        E.bind('output', () => outputFormat(values.output)),
        E.bind('settings', () => commonSettings(values as CommonFlags)),
        E.map(
          ({ output, settings }): Command => ({
            _tag: 'Reconcile',
            connection: { kubeconfig: values.kubeconfig, context: values.context },
            namespace,
            name,
            dryRun: values['dry-run'] === true,
            output,
            settings,
          }),
        ),
      );
    }),
  );

const parseConcurrency = (text: string | undefined): E.Either<UsageError, number> =>
  text === undefined
    ? E.right(DEFAULT_CONCURRENCY)
    : /^\d{1,3}$/.test(text) && Number(text) >= 1
      ? E.right(Number(text))
      : E.left(usageError(`--concurrency must be a whole number from 1 to 999, not "${text}"`, 'run'));

const parseRun = (args: readonly string[]): E.Either<UsageError, Command> =>
  pipe(
    parse('run', definitions.run, normalizeRunArgs(args)),
    E.chainFirst(({ positionals }) => noPositionals('run', positionals)),
    E.chain(({ values }) =>
      values.help
        ? E.right<UsageError, Command>({ _tag: 'Help', command: 'run' })
        : pipe(
            E.Do,
            E.bind('concurrency', () => parseConcurrency(values.concurrency)),
            E.bind('settings', () => commonSettings(values as CommonFlags)),
            E.bind('run', () => runSettings(values as RunFlags)),
            E.map(
              ({ concurrency, settings, run }): Command => ({
                _tag: 'Run',
                connection: { kubeconfig: values.kubeconfig, context: values.context },
                run,
                concurrency,
                events: values['no-events'] !== true,
                settings,
              }),
            ),
          ),
    ),
  );

const parseDemo = (args: readonly string[]): E.Either<UsageError, Command> =>
  pipe(
    parse('demo', definitions.demo, args),
    E.chainFirst(({ positionals }) => noPositionals('demo', positionals)),
    E.map(({ values }): Command =>
      values.help ? { _tag: 'Help', command: 'demo' } : { _tag: 'Demo', json: values.json === true, manifests: values.manifests },
    ),
  );

const parsers: Record<CommandName, (args: readonly string[]) => E.Either<UsageError, Command>> = {
  explain: parseExplain,
  reconcile: parseReconcile,
  run: parseRun,
  demo: parseDemo,
};

const isCommandName = (text: string): text is CommandName => Object.hasOwn(parsers, text);

/** Reads `argv` (without node and the script). */
export const parseCommandLine = (argv: readonly string[]): E.Either<UsageError, Command> => {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = rest[0];
    return E.right({ _tag: 'Help', command: topic !== undefined && isCommandName(topic) ? topic : 'main' });
  }
  if (first === '--version' || first === '-V') return E.right({ _tag: 'Version' });
  if (!isCommandName(first)) {
    return E.left(usageError(`unknown command "${first}"; the commands are explain, reconcile, run and demo (see capt-endpoint --help)`));
  }
  return parsers[first](rest);
};
