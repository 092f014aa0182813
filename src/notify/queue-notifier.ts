/**
 * Notifications in queue mode: where a run ends (a worker's processor) one BullMQ job is queued per event and rule,
 * under the id `<run>:<event>:<rule>`; notify workers ({@link createNotifyWorker}) deliver them with BullMQ's
 * retries. A worker that dies mid-delivery loses nothing: BullMQ gives the job to another. A workflow file that
 * stopped validating has no run to record on: it is delivered from this process, as the local notifier does.
 */
import type { Queue } from 'bullmq';
import type { RunnerConfig } from '../config/config.ts';
import type { RunLifecycle } from '../runs/lifecycle.ts';
import type { RunRecord } from '../runs/types.ts';
import type { NotifyRule, Workflow } from '../workflow/types.ts';
import { registerSecrets } from './channel.ts';
import { loadNotifyDefaults } from './defaults.ts';
import { eventsOfEnd } from './events.ts';
import { InFlight } from './in-flight.ts';
import { createLocalNotifier, DEFAULT_DRAIN_MS } from './local-notifier.ts';
import { type NotifyJobData, notifyJobId, notifyJobOptions } from './notify-queue.ts';
import type { InvalidReport, Notifier } from './notifier.ts';
import { namedRules, rulesFor } from './rules.ts';

/** Options of {@link createQueueNotifier}. */
export interface QueueNotifierOptions {
  /** Settings (attempts and backoff of the jobs) and secrets. */
  config: RunnerConfig;
  /** The shared store: where `recovered` looks for the previous run. */
  lifecycle: RunLifecycle;
  /** The notifications queue ({@link openNotifyQueue}); the caller owns and closes it. */
  queue: Queue<NotifyJobData>;
  /** Rules every workflow gets (default: RUNNER_NOTIFY_DEFAULT's, read now; a bad file throws a user error). */
  defaults?: readonly NotifyRule[];
  /** Told when a notification could not be queued (default: nobody). */
  logger?: (line: string) => void;
}

/** A notifier that queues deliveries for the notify workers. */
export function createQueueNotifier(options: QueueNotifierOptions): Notifier {
  const { config, lifecycle, queue } = options;
  const defaults = options.defaults ?? loadNotifyDefaults(config.notify.defaultsFile);
  registerSecrets(defaults, config);
  const log = options.logger ?? (() => {});
  const local = createLocalNotifier({ config, lifecycle, defaults, ...(options.logger ? { logger: options.logger } : {}) });
  // Adds are not awaited by runEnded: a Redis that is away must not hold the run's end; drain bounds the wait.
  const adding = new InFlight();
  const jobOptions = notifyJobOptions(config.notify);
  return {
    async runEnded(run: RunRecord, workflow: Workflow) {
      try {
        const rules = namedRules(workflow.notify, defaults);
        if (rules.length === 0) return;
        for (const event of await eventsOfEnd(run, lifecycle.store)) {
          if (event === 'invalid') continue;
          for (const named of rulesFor(event, rules)) {
            const data: NotifyJobData = { runId: run.id, workflow: run.workflow, event, rule: named.id, channel: named.rule.channel };
            adding.run(() =>
              queue.add(run.workflow, data, { ...jobOptions, jobId: notifyJobId(data) }).then(
                () => {},
                (error: unknown) => log(`could not queue the ${event} notification of run ${run.id} (${named.id}): ${(error as Error).message}`),
              ),
            );
          }
        }
      } catch (error) {
        log(`notifications of run ${run.id}: ${lifecycle.store.redact((error as Error).message)}`);
      }
    },
    invalid: (report: InvalidReport) => local.invalid(report),
    async drain(ms = DEFAULT_DRAIN_MS) {
      const started = Date.now();
      await adding.drain(ms);
      await local.drain(Math.max(0, ms - (Date.now() - started)));
    },
  };
}
