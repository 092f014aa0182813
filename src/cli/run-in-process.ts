/**
 * A run in this process as `runner run` and `runner rerun` do it: live progress on stderr, Ctrl-C cancelling
 * cleanly (a second one quits at once), then the summary (or the whole record with --json) on stdout and the exit
 * code of the outcome.
 */
import type { RunnerConfig } from '../config/config.ts';
import type { RunOptions } from '../engine/run-workflow.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { RunEventListener } from '../runs/events.ts';
import type { RunRecord, RunStore } from '../runs/types.ts';
import { formatDuration } from '../shared/duration.ts';
import type { Workflow } from '../workflow/types.ts';
import { userInfo } from 'node:os';
import { canPrompt, printHowToDecide, printWaiting, promptDecisions } from './approvals.ts';
import { cliBackends } from './context.ts';
import { EXIT, ExitCode } from './exit.ts';
import { compactCount, summarise } from './format-run.ts';
import { err, out, outJson, paint, printable as p } from './output.ts';
import { describeCall, describeStep } from './step-summary.ts';

/** Exit code of a run cancelled by Ctrl-C (128 + SIGINT), as shells expect. */
const EXIT_CANCELLED = 130;

/** What an in-process run needs besides the workflow. */
export interface InProcessRun {
  config: RunnerConfig;
  /** Where the record goes (the caller closes it). */
  store: RunStore;
  /** Print the whole record as JSON instead of progress and a summary (default false). */
  json?: boolean;
  /** Hears every run event too (default: only the progress printer). */
  onEvent?: RunEventListener;
  /** Ask about held calls on the terminal when there is one (default true; `--no-prompt` sets false). */
  prompt?: boolean;
}

/**
 * Runs `workflow` once, printing as it goes; returns the record when the run succeeded, else throws
 * {@link ExitCode} (1 failed, 2 invalid input, 3 waiting for approval, 130 cancelled) after printing it. A run
 * that waits for a person is asked about on the terminal when there is one (unless `prompt` is false), decided,
 * and continued here.
 */
export async function runInProcess(workflow: Workflow, options: Omit<RunOptions, 'signal'>, context: InProcessRun): Promise<RunRecord> {
  // Built first: a bad RUNNER_NOTIFY_DEFAULT file is the user's mistake to fix before anything runs (exit 2).
  const notifier = await localNotifier(workflow, context);
  try {
    return await runAndReport(workflow, options, context, notifier);
  } finally {
    // The process may exit right after: its traces go first (bounded, so a silent collector cannot hold it).
    const { flushTracing } = await import('../telemetry/trace-start.ts');
    await flushTracing();
  }
}

async function runAndReport(workflow: Workflow, options: Omit<RunOptions, 'signal'>, context: InProcessRun, notifier: Notifier): Promise<RunRecord> {
  let run = await runOnce(workflow, options, context);
  while (run.status === 'waiting' && context.prompt !== false && !context.json && canPrompt()) {
    printWaiting(run);
    const { RunLifecycle } = await import('../runs/lifecycle.ts');
    const lifecycle = new RunLifecycle(context.store, { secrets: context.config.secrets });
    const answers = await promptDecisions(run);
    let undecided = 0;
    for (const [n, answer] of answers) ({ undecided } = await lifecycle.decide(run.id, [n], { ...answer, by: decider() }));
    // The input ended before every call was decided: the run keeps waiting for `runner approve`.
    if (answers.size === 0 || undecided > 0) {
      run = (await context.store.get(run.id)) ?? run;
      break;
    }
    run = await runOnce(workflow, { runId: run.id, resume: true }, context);
  }
  if (NOTIFIED.includes(run.status)) {
    await notifier.runEnded(run, workflow);
    await notifier.drain(NOTIFY_DRAIN_MS);
  }
  return report(run, context);
}

/** Ends that are final for this process, so its notify rules hear of them (a cancelled run tells nobody). */
const NOTIFIED: readonly RunRecord['status'][] = ['succeeded', 'failed', 'waiting'];
/** How long the process waits for its notifications before it exits, ms. */
const NOTIFY_DRAIN_MS = 15_000;

/** The notifier of an in-process run: deliveries from here, recorded on the run in the run's store. */
async function localNotifier(workflow: Workflow, context: InProcessRun): Promise<Notifier> {
  const [{ createLocalNotifier }, { registerSecrets }, { RunLifecycle }] = await Promise.all([
    import('../notify/local-notifier.ts'),
    import('../notify/channel.ts'),
    import('../runs/lifecycle.ts'),
  ]);
  // The rules' secrets are known before the run writes anything that could hold one.
  registerSecrets(workflow.notify, context.config);
  return createLocalNotifier({
    config: context.config,
    lifecycle: new RunLifecycle(context.store, { secrets: context.config.secrets }),
    logger: (line) => err(`notify: ${p(line)}`),
  });
}

/**
 * Prints how a run ended and returns it when it succeeded; else throws the exit code its outcome deserves. With the
 * config, a run on the in-process sandbox also says where its links open.
 */
export function report(run: RunRecord, context: Pick<InProcessRun, 'json'> & { config?: RunnerConfig }): RunRecord {
  if (context.json) outJson(run);
  else if (run.status === 'waiting') {
    printWaiting(run);
    printHowToDecide(run);
  } else printSummary(run, context.config !== undefined && onInProcessSandbox(run, context.config));
  if (run.status === 'succeeded') return run;
  if (run.status === 'waiting') throw new ExitCode(EXIT.waiting);
  if (run.status === 'cancelled') throw new ExitCode(EXIT_CANCELLED);
  throw new ExitCode(run.error?.kind === 'validation' ? EXIT.usage : EXIT.failed);
}

/** Who decides, when nobody says (`--by`): the OS user. */
export function decider(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** One engine call with live progress, Ctrl-C cancelling cleanly (a second one quits at once). */
async function runOnce(workflow: Workflow, options: Omit<RunOptions, 'signal'>, context: InProcessRun): Promise<RunRecord> {
  const [{ runWorkflow }, { createProgress }, { observeAttempt }, { startTracing }] = await Promise.all([
    import('../engine/run-workflow.ts'),
    import('./progress.ts'),
    import('../runs/observer.ts'),
    import('../telemetry/trace-start.ts'),
  ]);
  // With OTEL_EXPORTER_OTLP_ENDPOINT set, the attempt is a trace (nothing is loaded without it).
  const tracing = await startTracing(context.config, { warn: (line) => err(`warning: ${p(line)}`) });
  const progress = context.json ? undefined : createProgress();
  const listeners = [progress?.onEvent, context.onEvent].filter((l) => l !== undefined);
  const cancel = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(EXIT_CANCELLED); // a second Ctrl-C: stop waiting for the clean-up
    interrupted = true;
    process.stderr.write('\ncancelling… (Ctrl-C again to quit at once)\n');
    cancel.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await observeAttempt(tracing?.observe, { source: 'cli' }, (traced) =>
      runWorkflow(
        workflow,
        { ...options, signal: cancel.signal },
        {
          config: context.config,
          store: context.store,
          openBackend: cliBackends(),
          onEvent: onEvents([...listeners, traced]),
        },
      ),
    );
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One listener for all of `listeners` (undefined ones skipped); undefined when none is left. */
function onEvents(listeners: (RunEventListener | undefined)[]): RunEventListener | undefined {
  const present = listeners.filter((l) => l !== undefined);
  if (!present.length) return undefined;
  return (event) => {
    for (const listen of present) listen(event);
  };
}

/**
 * The run used the sandbox started in this process: its port is gone now, and its links name
 * RUNNER_SANDBOX_PUBLIC_URL, where `runner sandbox serve` shows the same database.
 */
function onInProcessSandbox(run: RunRecord, config: RunnerConfig): boolean {
  return run.backend === 'sandbox' && !config.sandbox.url;
}

function printSummary(run: RunRecord, sandboxLinks = false): void {
  const took = run.startedAt && run.endedAt ? formatDuration(Date.parse(run.endedAt) - Date.parse(run.startedAt)) : '?';
  out('');
  if (run.status === 'succeeded') out(`${paint('green', '✓ succeeded')} ${paint('dim', `in ${took}`)}`);
  else if (run.status === 'cancelled') out(`${paint('yellow', '■ cancelled')} ${paint('dim', `after ${took}`)}`);
  else
    out(
      `${paint('red', '✗ failed')} ${paint('dim', `after ${took}`)}: ${p(`${run.error?.kind ?? 'unknown'}${run.error?.step ? ` in step ${run.error.step}` : ''}`)}`,
    );
  if (run.error && run.status !== 'succeeded') for (const line of p(run.error.message).split('\n')) out(`  ${line}`);
  const steps = run.attempts.at(-1)?.steps ?? [];
  if (run.mode === 'preview') {
    const would = steps.flatMap((s) => s.toolCalls).filter((c) => c.status === 'simulated');
    out(`  preview: ${would.length} write(s) not executed${would.length ? ':' : ''}`);
    for (const c of would) out(`    ${describeCall(c)}  ${paint('dim', `(${p(c.tool)} ${summarise(c.args, 60)})`)}`);
  }
  for (const step of steps) out(`  ${paint('bold', p(step.id))}: ${describeStep(step)}`);
  const refused = steps.flatMap((s) => s.toolCalls).filter((c) => c.status === 'refused');
  if (refused.length) {
    const tools = [...new Set(refused.map((c) => p(c.tool)))].join(', ');
    out(`  ${paint('yellow', `${refused.length} call${refused.length === 1 ? '' : 's'} refused (not allowed)`)}: ${tools}`);
  }
  for (const link of run.links) out(`  ${paint('cyan', p(link))}`);
  if (sandboxLinks && run.links.length) out(`  ${paint('dim', '(links open on the sandbox: run `runner sandbox serve`)')}`);
  if (run.usage.requests === 0) out(`  tokens: none (no model request)`);
  else out(`  tokens: ${compactCount(run.usage.inputTokens)} in / ${compactCount(run.usage.outputTokens)} out (${run.usage.requests} model request(s))`);
  out(`  run id: ${p(run.id)}  ${paint('dim', p(`(runner runs show ${run.id.slice(0, 8)})`))}`);
}
