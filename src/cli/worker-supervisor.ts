/**
 * `runner worker --processes N` in the primary process: keeps N worker processes running (each the single-process
 * `runner worker` at its `--concurrency`), prefixes their log lines with their index, restarts one that ends on its
 * own (RestartPolicy: a short backoff; a child that keeps dying right after it starts is given up on, then the
 * rest drain and the supervisor ends non-zero), and on stop asks every child to drain with SIGTERM, the way one
 * worker drains. The primary opens no Redis connection and runs no job. The jobs a killed child held are BullMQ's
 * to recover: once their locks expire (RUNNER_JOB_LOCK) another worker finds them stalled and runs them again.
 */
import { formatDuration } from '../shared/duration.ts';
import { RestartPolicy, type RestartPolicyOptions } from './restart-policy.ts';
import { type ChildLauncher, clusterLauncher, type SupervisedChild } from './worker-cluster.ts';

/** Something the primary runs for the whole cluster while the children run. */
export interface PrimaryService {
  /** Stops it; safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link startSupervisor}. */
export interface SupervisorOptions {
  /** Worker processes kept running (at least 1). */
  processes: number;
  /** Each child's `--concurrency`, for the log lines only. */
  concurrency: number;
  /** The children's grace period for in-flight runs, ms (RUNNER_SHUTDOWN_GRACE, `config.queue.graceMs`). */
  graceMs: number;
  /** How long past `graceMs` a draining child may take (cancelling and recording its runs) before it is killed, ms (default 30 000). */
  drainMarginMs?: number;
  /** Writes one of the supervisor's own log lines. */
  log: (line: string) => void;
  /** Writes one line a child wrote, already prefixed with its index (default: to stderr as it is). */
  relay?: (line: string) => void;
  /** Starts one child (default: clusterLauncher(), forking this command with node:cluster). */
  launch?: ChildLauncher;
  /** When to restart a child that ended on its own (default: a RestartPolicy with its defaults). */
  restart?: RestartPolicyOptions;
  /**
   * Servers the primary runs for the whole cluster, started before the children and closed after every child has
   * ended, in reverse order (default none). The hook for `--metrics-port` with several processes: a server here
   * answers metrics aggregated over the children (prom-client's `AggregatorRegistry.clusterMetrics()` asks each
   * node:cluster child over IPC), and the children serve none themselves (`isSupervisedChild()`).
   */
  primaryServices?: ReadonlyArray<() => Promise<PrimaryService>>;
  /** The clock, ms (default Date.now). */
  now?: () => number;
}

/** A running supervisor. */
export interface Supervisor {
  /** Resolves once every child has been ready at the same time (the "ready" line is printed then). */
  readonly ready: Promise<void>;
  /** Resolves with the exit code once every child has ended and the primary's services are closed. */
  readonly done: Promise<number>;
  /** The pids of the children alive now, by index (1-based; a gap while one waits to restart). */
  pids(): Map<number, number>;
  /** Stops restarting and asks every child to drain (SIGTERM), then kills those that outlive the drain timeout; safe to call twice. */
  stop(reason: string): void;
  /** Ends every child at once (SIGKILL); their jobs are left to stall and run again elsewhere. Safe to call twice. */
  kill(): void;
}

/** Exit code when a child was given up on or did not drain cleanly. */
const EXIT_FAILED = 1;

/** A child's log line with its index after the timestamp the worker writes first (or in front when there is none). */
export function prefixLine(index: number, line: string): string {
  const stamped = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) /.exec(line);
  return stamped ? `${stamped[1]} [${index}] ${line.slice(stamped[0].length)}` : `[${index}] ${line}`;
}

/** Starts the children and keeps them running until {@link Supervisor.stop} or {@link Supervisor.kill}. */
export function startSupervisor(options: SupervisorOptions): Supervisor {
  const { processes, log } = options;
  const relay = options.relay ?? ((line: string) => process.stderr.write(`${line}\n`));
  const launch = options.launch ?? clusterLauncher();
  const now = options.now ?? Date.now;
  const policy = new RestartPolicy(options.restart);
  const say = (line: string) => log(`supervisor: ${line}`);
  const children = new Map<number, SupervisedChild>();
  const restarts = new Map<number, NodeJS.Timeout>();
  const readyNow = new Set<number>();
  let stopping = false;
  let killed = false;
  let exitCode = 0;
  let drainTimer: NodeJS.Timeout | undefined;
  const drainTimeoutMs = options.graceMs + (options.drainMarginMs ?? 30_000);
  let services: PrimaryService[] = [];
  let announceReady = () => {};
  const ready = new Promise<void>((resolve) => (announceReady = resolve));
  let allEnded = () => {};
  const ended = new Promise<void>((resolve) => (allEnded = resolve));
  let everyoneReady = false;

  const settleIfEmpty = () => {
    if (stopping && children.size === 0) allEnded();
  };

  const start = (index: number) => {
    restarts.delete(index);
    const child = launch();
    children.set(index, child);
    say(`process ${index} started (pid ${child.pid})`);
    child.onLine((line) => relay(prefixLine(index, line)));
    let wasReady = false;
    child.onReady(() => {
      wasReady = true;
      readyNow.add(index);
      if (everyoneReady) say(`process ${index} (pid ${child.pid}) ready`);
      else if (readyNow.size === processes) {
        everyoneReady = true;
        say(`${processes} processes × concurrency ${options.concurrency} ready`);
        announceReady();
      }
    });
    child.onExit((code, signal) => {
      children.delete(index);
      readyNow.delete(index);
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (stopping) {
        // A child that never got ready held no job, however it ended (a signal it had no handler for yet).
        if (code !== 0 && wasReady && !killed) exitCode ||= EXIT_FAILED;
        say(`process ${index} (pid ${child.pid}) exited with ${how}${children.size ? `; ${children.size} still draining` : ''}`);
        settleIfEmpty();
        return;
      }
      const decision = policy.crashed(index, code, now());
      if (!decision.restart) {
        say(`process ${index} (pid ${child.pid}) exited with ${how}; not restarting it: ${decision.reason}`);
        exitCode = code === 2 ? 2 : EXIT_FAILED;
        stop(`process ${index} was given up on`);
        return;
      }
      say(`process ${index} (pid ${child.pid}) exited with ${how}; restarting in ${formatDuration(decision.delayMs)}`);
      restarts.set(
        index,
        setTimeout(() => start(index), decision.delayMs),
      );
    });
  };

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    for (const timer of restarts.values()) clearTimeout(timer);
    restarts.clear();
    if (children.size) say(`${reason}: draining ${children.size} process(es); in-flight runs get ${formatDuration(options.graceMs)} to finish`);
    for (const child of children.values()) child.kill('SIGTERM');
    drainTimer = setTimeout(() => {
      if (children.size === 0) return;
      say(`${children.size} process(es) still running after ${formatDuration(drainTimeoutMs)}: killing them`);
      exitCode ||= EXIT_FAILED;
      for (const child of children.values()) child.kill('SIGKILL');
    }, drainTimeoutMs);
    drainTimer.unref();
    settleIfEmpty();
  };

  const closeServices = async () => {
    const opened = services.reverse();
    services = [];
    for (const service of opened) await service.close();
  };
  const done = (async () => {
    try {
      for (const open of options.primaryServices ?? []) services.push(await open());
    } catch (error) {
      await closeServices();
      throw error;
    }
    for (let index = 1; index <= processes && !stopping; index++) start(index);
    settleIfEmpty();
    await ended;
    clearTimeout(drainTimer);
    await closeServices();
    return exitCode;
  })();

  return {
    ready,
    done,
    pids: () => new Map([...children].map(([index, child]) => [index, child.pid])),
    stop,
    kill() {
      if (killed) return;
      killed = true;
      stopping = true;
      for (const timer of restarts.values()) clearTimeout(timer);
      restarts.clear();
      for (const child of children.values()) child.kill('SIGKILL');
      settleIfEmpty();
    },
  };
}

/** Exit code after a second signal: 128 + SIGINT, as shells expect (and as one worker exits). */
const EXIT_INTERRUPTED = 130;

/**
 * Runs a supervisor until it ends: the first SIGINT or SIGTERM drains every child, a second kills them all and
 * exits 130 at once. Answers the exit code: 0 when every child drained cleanly.
 */
export async function superviseUntilSignal(options: SupervisorOptions): Promise<number> {
  const supervisor = startSupervisor(options);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals === 1) return supervisor.stop(signal);
    if (signals > 2) return;
    options.log('supervisor: second signal: ending every process now');
    supervisor.kill();
    // SIGKILLed children end at once and are waited for (no orphans); nothing else may hold the exit up.
    setTimeout(() => process.exit(EXIT_INTERRUPTED), 5000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const code = await supervisor.done;
    if (signals > 1) return EXIT_INTERRUPTED;
    options.log(`supervisor: stopped${code ? ` (exit ${code})` : ''}`);
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
