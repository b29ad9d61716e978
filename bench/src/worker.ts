/**
 * A measured child process: runs one task named on its command line and sends the result to
 * the orchestrator over IPC. Each task gets a fresh process so one measurement's JIT state,
 * garbage and heap never colour another's.
 */
import { measureCoreSpeed, type CoreSpeedOptions } from './coreSpeed';
import { runScale, type ScaleOptions } from './scale';
import { measureScenarios } from './scenarios';

export type Task =
  | { readonly task: 'core'; readonly options: CoreSpeedOptions }
  | { readonly task: 'scenarios'; readonly options: { readonly repeats: number } }
  | { readonly task: 'scale'; readonly options: ScaleOptions };

const run = async (task: Task): Promise<unknown> => {
  switch (task.task) {
    case 'core':
      return measureCoreSpeed(task.options);
    case 'scenarios':
      return measureScenarios(task.options);
    case 'scale':
      return runScale(task.options);
  }
};

const task = JSON.parse(process.argv[2] ?? '{}') as Task;
run(task).then(
  (result) => {
    process.send?.({ ok: true, result }, () => process.exit(0));
  },
  (error: unknown) => {
    process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1));
  },
);
