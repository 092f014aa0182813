/**
 * Held calls in the terminal: how a waiting run is shown, the `approve? [y/N/d(etails)]` prompt of an interactive
 * `runner run`, and the lines that say how to decide later.
 */
import { createInterface } from 'node:readline/promises';
import type { ApprovalWait, PendingApproval, RunRecord } from '../runs/types.ts';
import { summarise } from './format-run.ts';
import { err, out, paint, printable as p } from './output.ts';

/** The current wait of a waiting run. */
export function currentWait(run: RunRecord): ApprovalWait | undefined {
  return run.status === 'waiting' ? run.approvals?.at(-1) : undefined;
}

/** One held call as lines: number, tool, arguments, and the content it would write. */
export function describeCall(call: PendingApproval, details = false): string[] {
  const lines = [`  ${paint('bold', `[${call.n}]`)} ${p(call.tool)} ${paint('dim', `(${call.effect}, step ${p(call.step)})`)}`];
  lines.push(`      ${details ? p(JSON.stringify(call.args, null, 2)).replace(/\n/g, '\n      ') : summarise(call.args, 160)}`);
  if (call.preview) {
    const preview = details ? call.preview : call.preview.split('\n').slice(0, 6).join('\n');
    for (const line of p(preview).split('\n')) lines.push(`      ${paint('cyan', `│ ${line}`)}`);
    if (!details && call.preview.split('\n').length > 6) lines.push(`      ${paint('dim', '│ … (d shows all)')}`);
  }
  if (call.decision)
    lines.push(
      `      ${call.decision.approved ? 'approved' : 'rejected'} by ${p(call.decision.by)}${call.decision.reason ? `: ${p(call.decision.reason)}` : ''}`,
    );
  return lines;
}

/** Prints a waiting run: its note, its held calls and when they expire. */
export function printWaiting(run: RunRecord): void {
  const wait = currentWait(run);
  if (!wait) return;
  out('');
  out(`${paint('yellow', '⏸ waiting for approval')} ${paint('dim', `until ${wait.expiresAt}`)}: ${wait.calls.length} call(s) held`);
  if (wait.note) out(`  ${p(wait.note)}`);
  for (const call of wait.calls) for (const line of describeCall(call)) out(line);
}

/** The commands that decide, for a person reading the output later. */
export function printHowToDecide(run: RunRecord): void {
  const id = run.id.slice(0, 8);
  const open = currentWait(run)?.calls.filter((c) => !c.decision) ?? [];
  const which = open.length === 1 ? '' : ' --all';
  out(`  decide with: runner approve ${id}${which}   or   runner reject ${id}${which} --reason "..."`);
  out(`  run id: ${p(run.id)}  ${paint('dim', `(runner runs show ${id})`)}`);
}

/** The answer to one prompt. */
export type Answer = { approved: true } | { approved: false; reason?: string };

/**
 * Asks about each undecided call of a waiting run on the terminal: `y` approves, `n` or Enter rejects (then asks
 * for an optional reason), `d` shows the call in full and asks again. Returns the answers by call number; the end of
 * input (Ctrl-D) or Ctrl-C stops asking, leaving the rest undecided (the run keeps waiting).
 */
export async function promptDecisions(run: RunRecord): Promise<Map<number, Answer>> {
  const answers = new Map<number, Answer>();
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Ctrl-C at a prompt means "not now": stop asking (readline would only pause, and the prompt would hang).
  rl.on('SIGINT', () => {
    process.stderr.write('\n');
    rl.close();
  });
  // Lines are read through one iterator made before the first prompt: lines typed ahead are kept, not lost.
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string): Promise<string | undefined> => {
    process.stderr.write(question);
    const next = await lines.next();
    return next.done ? undefined : String(next.value);
  };
  try {
    for (const call of currentWait(run)?.calls.filter((c) => !c.decision) ?? []) {
      for (;;) {
        const line = await ask(`approve [${call.n}] ${p(call.tool)}? [y/N/d(etails)] `);
        if (line === undefined) return answers;
        const reply = line.trim().toLowerCase();
        if (reply === 'd' || reply === 'details') {
          for (const line of describeCall(call, true)) err(line);
          continue;
        }
        if (reply === 'y' || reply === 'yes') answers.set(call.n, { approved: true });
        else {
          const reason = ((await ask('reason (optional): ')) ?? '').trim();
          answers.set(call.n, { approved: false, ...(reason ? { reason } : {}) });
        }
        break;
      }
    }
  } finally {
    rl.close();
  }
  return answers;
}

/** Whether this process can ask a person: both stdin and stdout are terminals. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}
