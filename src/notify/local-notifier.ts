/**
 * Notifications sent by the process where a run ended (`runner run`, `rerun`, `approve`, `runner serve`): for each
 * event of the end and each rule for it, the notification is claimed on the run's record (exactly one process
 * wins; the others leave it), then delivered in the background with retries and doubling backoff, each attempt
 * recorded. Nothing here delays or fails the run, and nothing throws.
 */
import type { RunnerConfig } from '../config/config.ts';
import type { RunLifecycle } from '../runs/lifecycle.ts';
import type { RunRecord } from '../runs/types.ts';
import type { NotifyRule, Workflow } from '../workflow/types.ts';
import { registerSecrets, targetOf } from './channel.ts';
import { loadNotifyDefaults } from './defaults.ts';
import { type DeliverOptions, type Delivery, deliverOnce } from './deliver.ts';
import { eventsOfEnd } from './events.ts';
import { InFlight, pause } from './in-flight.ts';
import type { Notice } from './notice.ts';
import type { InvalidReport, Notifier } from './notifier.ts';
import { type NamedRule, namedRules, rulesFor } from './rules.ts';

/** How long {@link Notifier.drain} waits when not told: 15 s. */
export const DEFAULT_DRAIN_MS = 15_000;

/** Options of {@link createLocalNotifier}. */
export interface LocalNotifierOptions {
  /** Settings (`config.notify`: attempts, backoff, SMTP, public URL) and the secrets `{env: NAME}` values come from. */
  config: RunnerConfig;
  /** Where notifications are claimed and attempts recorded (the store the runs are in). */
  lifecycle: RunLifecycle;
  /** Rules every workflow gets (default: those of RUNNER_NOTIFY_DEFAULT, read now; a bad file throws a user error). */
  defaults?: readonly NotifyRule[];
  /** Told about failed attempts, notifications that could not be sent at all, and `invalid` deliveries (default: nobody). */
  logger?: (line: string) => void;
  /** Timeout of one attempt, ms (default 10 s). */
  attemptTimeoutMs?: number;
  /** Clock (default: the system clock). */
  now?: () => Date;
}

/** A notifier that delivers from this process. */
export function createLocalNotifier(options: LocalNotifierOptions): Notifier {
  const { config, lifecycle } = options;
  const defaults = options.defaults ?? loadNotifyDefaults(config.notify.defaultsFile);
  registerSecrets(defaults, config);
  const log = options.logger ?? (() => {});
  const inFlight = new InFlight();
  const deliverOptions = (signal: AbortSignal): DeliverOptions => ({
    config,
    redact: lifecycle.store.redact,
    ...(options.attemptTimeoutMs !== undefined ? { timeoutMs: options.attemptTimeoutMs } : {}),
    ...(options.now ? { now: options.now } : {}),
    signal,
  });

  /** Every attempt until one delivers, none may help, or none is left; `record` keeps each. */
  const send = async (notice: Notice, named: NamedRule, signal: AbortSignal, record?: (attempt: Delivery['attempt'], done: boolean) => Promise<void>) => {
    const what = `${notice.event} notification (${named.id}, ${named.rule.channel.kind} ${targetOf(named.rule.channel, config)})`;
    for (let n = 1; ; n++) {
      const { attempt, retryable } = await deliverOnce(notice, named.rule.channel, deliverOptions(signal));
      // Given up by drain: the process is leaving and may have closed the store; the record keeps what it had.
      if (signal.aborted) return;
      const done = attempt.ok || !retryable || n >= config.notify.attempts;
      await record?.(attempt, done);
      // Without a run to record on (an invalid file), the log is the only trace.
      if (attempt.ok && !record) log(`${what}: delivered`);
      if (attempt.ok) return;
      log(`${what}: attempt ${n} of ${config.notify.attempts} failed: ${attempt.error}${done ? '; giving up' : ''}`);
      if (done) return;
      await pause(config.notify.backoffMs * 2 ** (n - 1), signal);
    }
  };

  return {
    async runEnded(run: RunRecord, workflow: Workflow) {
      try {
        const rules = namedRules(workflow.notify, defaults);
        if (rules.length === 0) return;
        registerSecrets(workflow.notify, config);
        for (const event of await eventsOfEnd(run, lifecycle.store)) {
          if (event === 'invalid') continue;
          for (const named of rulesFor(event, rules)) {
            const which = { event, rule: named.id };
            const claimed = await lifecycle.claimNotification(run.id, {
              ...which,
              channel: named.rule.channel.kind,
              target: targetOf(named.rule.channel, config),
            });
            if (!claimed) continue;
            inFlight.run((signal) =>
              send({ event, run }, named, signal, (attempt, done) => lifecycle.noteDelivery(run.id, which, attempt, done)).catch((error: unknown) =>
                log(`${event} notification of run ${run.id} (${named.id}): ${lifecycle.store.redact((error as Error).message)}`),
              ),
            );
          }
        }
      } catch (error) {
        log(`notifications of run ${run.id}: ${lifecycle.store.redact((error as Error).message)}`);
      }
    },

    async invalid(report: InvalidReport) {
      try {
        const rules = rulesFor('invalid', namedRules(report.workflow?.notify ?? [], defaults));
        for (const named of rules) inFlight.run((signal) => send({ event: 'invalid', report }, named, signal));
      } catch (error) {
        log(`invalid notification of ${report.file}: ${lifecycle.store.redact((error as Error).message)}`);
      }
    },

    drain: (ms = DEFAULT_DRAIN_MS) => inFlight.drain(ms),
  };
}
