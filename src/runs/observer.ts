/**
 * Watching run attempts from outside the engine: metrics and traces. Whoever starts an attempt (the queue's
 * processor, `runner serve`, `runner run`) asks its observer once per attempt, and the attempt's events go to the
 * listener it returns. An observer never changes what a run does; one that throws is ignored.
 */
import type { RunEventListener } from './events.ts';

/** Where an attempt comes from. */
export interface AttemptOrigin {
  /** Who started it. */
  source: 'queue' | 'serve' | 'cli';
  /** The queue job it runs in, when it does. */
  job?: {
    id: string;
    /** The job's name (the workflow's). */
    name: string;
    /** 1-based attempt of the job. */
    attempt: number;
    /** The job's trace context as BullMQ's telemetry carries it, when there is one. */
    traceContext?: Record<string, string>;
  };
}

/** What an observer does for one attempt. */
export interface AttemptWatch {
  /** Hears the attempt's events, redacted (default: none). */
  onEvent?: RunEventListener;
  /** Runs the attempt inside whatever context the observer needs (an active span); default: calls it as is. */
  within?<T>(attempt: () => Promise<T>): Promise<T>;
}

/** Asked once per attempt, before it starts. */
export type RunObserver = (origin: AttemptOrigin) => AttemptWatch | undefined;

/** One observer that asks each of `observers` in turn (undefined entries skipped); undefined when none is left. */
export function combineObservers(...observers: (RunObserver | undefined)[]): RunObserver | undefined {
  const present = observers.filter((o): o is RunObserver => o !== undefined);
  if (present.length <= 1) return present[0];
  return (origin) => {
    const watches = present.map((observe) => safely(() => observe(origin))).filter((w): w is AttemptWatch => w !== undefined);
    const listeners = watches.map((w) => w.onEvent).filter((l): l is RunEventListener => l !== undefined);
    const wrappers = watches.map((w) => w.within).filter((w) => w !== undefined);
    return {
      onEvent: listeners.length
        ? (event) => {
            for (const listen of listeners) safely(() => listen(event));
          }
        : undefined,
      within: wrappers.length
        ? (attempt) => wrappers.reduceRight<() => Promise<never>>((inner, wrap) => () => wrap(inner), attempt as () => Promise<never>)()
        : undefined,
    };
  };
}

/** Calls an observer for one attempt and runs `attempt` with the listener it gave; a failing observer is skipped. */
export async function observeAttempt<T>(
  observer: RunObserver | undefined,
  origin: AttemptOrigin,
  attempt: (onEvent: RunEventListener | undefined) => Promise<T>,
): Promise<T> {
  const watch = observer ? safely(() => observer(origin)) : undefined;
  const onEvent = watch?.onEvent;
  const guarded: RunEventListener | undefined = onEvent ? (event) => safely(() => onEvent(event)) : undefined;
  if (!watch?.within) return attempt(guarded);
  return watch.within(() => attempt(guarded));
}

function safely<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch {
    return undefined;
  }
}
