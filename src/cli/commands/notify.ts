import { UserError } from '../../shared/errors.ts';
import { NOTIFY_EVENTS, type NotifyEvent } from '../../workflow/types.ts';
import { loadWorkflow } from '../../workflow/load.ts';
import { cliConfig, loadOptions } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { out, paint, printable as p } from '../output.ts';

/** Flags of `runner notify test`. */
export interface NotifyTestFlags {
  /** The event the sample is (default `failed`). */
  event?: string;
}

/**
 * `runner notify test <file>`: sends a sample event from a made-up run to every channel of the workflow and of
 * RUNNER_NOTIFY_DEFAULT, one line per channel; exit 1 when any failed, 2 for a bad workflow or defaults file.
 */
export async function notifyTestCommand(file: string, flags: NotifyTestFlags): Promise<void> {
  const config = cliConfig();
  const event = (flags.event ?? 'failed') as NotifyEvent;
  if (!NOTIFY_EVENTS.includes(event)) throw new UserError(`unknown event '${event}' (events: ${NOTIFY_EVENTS.join(', ')})`);
  const workflow = await loadWorkflow(file, loadOptions());
  const [{ loadNotifyDefaults }, { tryChannels }] = await Promise.all([import('../../notify/defaults.ts'), import('../../notify/try-channels.ts')]);
  const defaults = loadNotifyDefaults(config.notify.defaultsFile);
  if (workflow.notify.length + defaults.length === 0)
    throw new UserError(`${workflow.file} has no notify rules and RUNNER_NOTIFY_DEFAULT adds none: there is no channel to test`);
  const tries = await tryChannels(workflow, event, { config, defaults });
  for (const t of tries) {
    const how = t.attempt.ok
      ? `${paint('green', 'ok')}${t.attempt.status !== undefined ? ` (${t.attempt.status})` : ''}`
      : `${paint('red', 'failed')}: ${p(t.attempt.error ?? 'unknown error')}`;
    const note = t.listens ? '' : paint('dim', ` (this rule is not for ${event}; sent anyway)`);
    out(`${t.attempt.ok ? paint('green', '✓') : paint('red', '✗')} ${p(`${t.rule} ${t.channel} ${t.target}`)}: ${how}${note}`);
  }
  const failed = tries.filter((t) => !t.attempt.ok).length;
  out(
    failed ? paint('red', `✗ ${failed} of ${tries.length} channel(s) failed`) : paint('green', `✓ a sample ${event} event reached ${tries.length} channel(s)`),
  );
  if (failed) throw new ExitCode(EXIT.failed);
}
