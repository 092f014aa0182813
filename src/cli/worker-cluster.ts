/**
 * Both ends of `runner worker --processes N` over node:cluster, and nothing else of it: the primary forks children
 * that run the same command (cluster re-runs this process's argv; in a child the single-process worker runs), their
 * output piped back so the supervisor can prefix each line; a child says when it is ready. node:cluster, not plain
 * child processes, so prom-client's AggregatorRegistry can ask every child for its metrics over the same channel.
 */
import cluster from 'node:cluster';

/** What the supervisor sees of one child process. */
export interface SupervisedChild {
  readonly pid: number;
  /** Calls `listener` with each whole line the child writes, on either stream. */
  onLine(listener: (line: string, stream: 'stdout' | 'stderr') => void): void;
  /** Calls `listener` once the child's worker is ready to take jobs. */
  onReady(listener: () => void): void;
  /** Calls `listener` once the child has exited and its output has been read to the end. */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** Sends the child a signal; nothing once it has exited. */
  kill(signal: NodeJS.Signals): void;
}

/** Starts one child. */
export type ChildLauncher = () => SupervisedChild;

/** The message a child sends its primary once its worker is ready. */
const READY = { runner: 'worker-ready' } as const;

/** True in a child the supervisor started: it runs the single-process worker, and must not serve cluster-wide things (metrics). */
export function isSupervisedChild(): boolean {
  return cluster.isWorker;
}

/** Tells the supervisor, when there is one, that this process's worker is ready; nothing otherwise. */
export function reportReady(): void {
  if (cluster.isWorker) process.send?.(READY);
}

/** Closes this child's channel to the supervisor once its worker has stopped, so the process can end; nothing unsupervised. */
export function leaveSupervisor(): void {
  // The open IPC channel would keep the process alive; a disconnect asked for here is an orderly one (exit code kept).
  if (cluster.isWorker && cluster.worker?.isConnected()) cluster.worker.disconnect();
}

/**
 * The signals that stop the worker: SIGINT and SIGTERM. A supervised child obeys its supervisor's SIGTERM only: a
 * terminal's Ctrl-C reaches every process of its group, and the supervisor alone decides what it means (the first
 * drains every child, a second kills them), so here SIGINT is made harmless instead.
 */
export function stopSignals(): NodeJS.Signals[] {
  if (!cluster.isWorker) return ['SIGINT', 'SIGTERM'];
  // A listener of our own, always: others (the Agents SDK's trace flush) exit 130 on SIGINT when they are alone.
  if (!process.listeners('SIGINT').includes(ignore)) process.on('SIGINT', ignore);
  return ['SIGTERM'];
}

/**
 * What a stop signal after the first does: unsupervised, `again` (the person asked twice: exit at once). In a
 * supervised child nothing: the supervisor's SIGTERM and one sent to the whole process group or control group
 * (systemd's default stop, `pkill -f`) arrive together and both mean drain; only the supervisor ends a child early,
 * with SIGKILL.
 */
export function onRepeatedStop(again: () => void): void {
  if (cluster.isWorker) {
    if (!process.listeners('SIGTERM').includes(ignore)) process.on('SIGTERM', ignore);
    return;
  }
  for (const name of stopSignals()) process.once(name, again);
}

/** The SIGINT listener of a supervised child: the supervisor got the same signal and decides. */
function ignore(): void {}

/** Forks children with node:cluster (this process must be the primary), their stdout and stderr piped here. */
export function clusterLauncher(): ChildLauncher {
  cluster.setupPrimary({ silent: true });
  return () => {
    const worker = cluster.fork();
    const child = worker.process;
    return {
      pid: child.pid!,
      onLine(listener) {
        for (const [stream, name] of [
          [child.stdout, 'stdout'],
          [child.stderr, 'stderr'],
        ] as const) {
          if (!stream) continue;
          let partial = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => {
            const lines = (partial + chunk).split('\n');
            partial = lines.pop()!;
            for (const line of lines) listener(line, name);
          });
          stream.on('end', () => partial && listener(partial, name));
        }
      },
      onReady(listener) {
        worker.on('message', (message: unknown) => {
          if ((message as typeof READY | undefined)?.runner === READY.runner) listener();
        });
      },
      onExit(listener) {
        // 'close', not 'exit': by then the pipes have been read to their end, so no last line is lost.
        child.once('close', (code, signal) => listener(code, signal));
      },
      kill(signal) {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      },
    };
  };
}
