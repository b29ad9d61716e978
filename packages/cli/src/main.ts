/**
 * The `capt-endpoint` command as a function: `main(argv, io)` runs one command with the given
 * streams and environment and resolves to the exit status. It never throws and never prints a
 * stack trace: every failure is one line on stderr. The bin wires it to the process.
 *
 * Each command imports what it needs when it starts: only `reconcile` and `run` load the
 * Kubernetes client (and `run` the metrics), so help, usage errors, `explain` and `demo` never
 * do, and help and usage errors load no more than the parsing of the command line.
 */
import { resolve } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { inert } from '@capt-endpoint/core/adapter';
import { parseCommandLine, type Command } from './args';
import type { CliIO } from './cliIO';
import type { ReadText } from './manifests';
import { HELP } from './usage';

export const EXIT_USAGE = 64;
export const VERSION = '0.1.0';

const fail = (io: CliIO, message: string, code = 1): number => {
  io.stderr.write(`capt-endpoint: ${inert(message.replace(/\s*\n\s*/g, ' '))}\n`);
  return code;
};

const execute = async (command: Command, io: CliIO): Promise<number> => {
  const cwd = io.cwd ?? process.cwd();
  switch (command._tag) {
    case 'Help':
      io.stdout.write(`${HELP[command.command]}\n`);
      return 0;
    case 'Version':
      io.stdout.write(`capt-endpoint ${VERSION}\n`);
      return 0;
    case 'Explain': {
      const [{ loadManifests, readTextFile }, { explain }, { combinedExitCode }, { renderReport, styleFor }] = await Promise.all([
        import('./manifests'),
        import('./explain'),
        import('./report'),
        import('./render'),
      ]);
      const read: ReadText = (file) => (file === '-' ? (io.readStdin ?? (() => Promise.reject(new Error('no stdin'))))() : readTextFile(file));
      const files = command.files.map((file) => (file === '-' ? file : resolve(cwd, file)));
      const objects = await loadManifests(files, read);
      if (E.isLeft(objects)) return fail(io, objects.left.message);
      const reports = await explain(objects.right, command.controlPlane, command.settings);
      if (E.isLeft(reports)) return fail(io, reports.left.message);
      const style = styleFor(io.stdout, io.env);
      reports.right.forEach((report, index) =>
        io.stdout.write(`${command.output === 'text' && index > 0 ? '\n' : ''}${renderReport(report, command.output, style)}`),
      );
      return combinedExitCode(reports.right.map((report) => report.exitCode));
    }
    case 'Reconcile': {
      const [{ loadKubeConfig }, { reconcileOnce }] = await Promise.all([import('./kubeconfig'), import('./reconcileOnce')]);
      const kubeConfig = loadKubeConfig(withCwd(command.connection, cwd), io.env);
      if (E.isLeft(kubeConfig)) return fail(io, kubeConfig.left.message);
      return reconcileOnce(kubeConfig.right, command, io);
    }
    case 'Run': {
      const [{ loadKubeConfig }, { runController }] = await Promise.all([import('./kubeconfig'), import('./run')]);
      const kubeConfig = loadKubeConfig(withCwd(command.connection, cwd), io.env);
      if (E.isLeft(kubeConfig)) return fail(io, kubeConfig.left.message);
      return runController(kubeConfig.right, command, io);
    }
    case 'Demo': {
      const [{ BUILT_IN_MANIFESTS }, { DEMO_TITLE, demoManifestsFromFiles, loadDemoManifests, playDemo, renderDemoJson, renderDemoStep }, { styleFor }] = await Promise.all([
        import('./builtInManifests'),
        import('./demo'),
        import('./render'),
      ]);
      const source = command.manifests !== undefined ? resolve(cwd, command.manifests) : (io.demoManifests ?? BUILT_IN_MANIFESTS ?? resolve(cwd, 'examples/manifests'));
      const manifests = typeof source === 'string' ? await loadDemoManifests(source) : await demoManifestsFromFiles(source);
      if (E.isLeft(manifests)) return fail(io, manifests.left.message);
      const style = styleFor(io.stdout, io.env);
      if (!command.json) io.stdout.write(`${style.bold(DEMO_TITLE)}\n\n`);
      const played = await playDemo(manifests.right, (step) =>
        io.stdout.write(command.json ? renderDemoJson(step) : `${renderDemoStep(step, style)}\n`),
      );
      return E.isLeft(played) ? fail(io, played.left.message) : 0;
    }
  }
};

const withCwd = <C extends { readonly kubeconfig: string | undefined }>(connection: C, cwd: string): C =>
  connection.kubeconfig === undefined ? connection : { ...connection, kubeconfig: resolve(cwd, connection.kubeconfig) };

/**
 * Runs the command line `argv` (without node and the script name) and resolves to the exit
 * status: 0 set, up to date or cleared (or would be, in a dry run; `run` after a clean stop); 2
 * waiting for the Workspace; 1 anything that needs a person (an error, drift, a missing control
 * plane, an unreadable file or kubeconfig); 64 a usage error. With several control planes the
 * worst wins (1 over 2 over 0). Every failure is one line on stderr, never a stack trace, and a
 * kubeconfig is never quoted (it may hold a token). SIGINT or SIGTERM aborts any command;
 * whatever has not ended 4 s later is cut short with exit 1, and a second signal exits 130. A
 * reader of stdout that goes away stops the command quietly.
 */
export const main = async (argv: readonly string[], io: CliIO): Promise<number> => {
  const command = parseCommandLine(argv);
  if (E.isLeft(command)) {
    const hint = command.left.command === undefined ? '' : ` (see capt-endpoint ${command.left.command} --help)`;
    return fail(io, `${command.left.message}${hint}`, EXIT_USAGE);
  }
  try {
    return await execute(command.right, io);
  } catch (error) {
    // A bug or an exception from a dependency: still one line, and no stack.
    return fail(io, `unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  }
};
