/** `runner notify test`: a sample notice sent once to every channel of a workflow and of the defaults. */
import type { RunnerConfig } from '../config/config.ts';
import { createRedactor } from '../shared/redact.ts';
import type { DeliveryAttempt } from '../runs/types.ts';
import type { NotifyEvent, NotifyRule, Workflow } from '../workflow/types.ts';
import { targetOf } from './channel.ts';
import { deliverOnce } from './deliver.ts';
import { namedRules } from './rules.ts';
import { sampleNotice } from './sample.ts';

/** How one channel took the sample. */
export interface ChannelTry {
  /** `workflow#<n>` or `default#<n>`. */
  rule: string;
  channel: string;
  /** Where it went (no secret). */
  target: string;
  /** Whether the rule is for this event (the sample goes to every channel either way). */
  listens: boolean;
  attempt: DeliveryAttempt;
}

/** Options of {@link tryChannels}. */
export interface TryChannelsOptions {
  config: RunnerConfig;
  /** RUNNER_NOTIFY_DEFAULT's rules. */
  defaults: readonly NotifyRule[];
  /** Timeout of each delivery, ms (default 10 s). */
  timeoutMs?: number;
  /** Clock (default: the system clock). */
  now?: () => Date;
}

/** Sends a sample `event` to each rule's channel at once, one attempt each (no retries, nothing recorded). */
export async function tryChannels(workflow: Workflow, event: NotifyEvent, options: TryChannelsOptions): Promise<ChannelTry[]> {
  const { config } = options;
  const notice = sampleNotice(workflow, event, (options.now ?? (() => new Date()))());
  const redact = createRedactor(config.secrets);
  return Promise.all(
    namedRules(workflow.notify, options.defaults).map(async ({ id, rule }) => {
      const { attempt } = await deliverOnce(notice, rule.channel, {
        config,
        redact,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
      return { rule: id, channel: rule.channel.kind, target: targetOf(rule.channel, config), listens: rule.on.includes(event), attempt };
    }),
  );
}
