/**
 * A measured child process: runs one task named on its command line and sends the result to
 * the orchestrator over IPC. Each task gets a fresh process so one measurement's JIT state,
 * garbage and heap never colour another's.
 */
import type { CoreSpeedOptions } from './coreSpeed';
import type { ReconcileSpeedOptions } from './reconcileSpeed';
import type { ScaleOptions } from './scale';

export type Task =
  | { readonly task: 'core'; readonly options: CoreSpeedOptions }
  | { readonly task: 'reconcile'; readonly options: ReconcileSpeedOptions }
  | { readonly task: 'scenarios'; readonly options: { readonly repeats: number } }
  | { readonly task: 'scale'; readonly options: ScaleOptions };

const run = async (task: Task): Promise<unknown> => {
  switch (task.task) {
    // Imported on demand: the core-speed process never loads client-node or the wire code.
    case 'core':
      return (await import('./coreSpeed')).measureCoreSpeed(task.options);
    case 'reconcile':
      return (await import('./reconcileSpeed')).measureReconcileSpeed(task.options);
    case 'scenarios':
      return (await import('./scenarios')).measureScenarios(task.options);
    case 'scale':
      return (await import('./scale')).runScale(task.options);
  }
};

const task = JSON.parse(process.argv[2] ?? '{}') as Task;
run(task).then(
  (result) => {
    // Run by hand (no IPC channel): print the result instead.
    if (process.send === undefined) {
      console.log(JSON.stringify(result, null, 2));
      process.exit(0);
    }
    process.send({ ok: true, result }, () => process.exit(0));
  },
  (error: unknown) => {
    process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1));
  },
);
