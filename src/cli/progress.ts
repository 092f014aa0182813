/**
 * Live progress of a run on stderr: the step, each model turn and tool call as it happens, with elapsed time.
 * On a terminal a status line at the bottom keeps the clock ticking while the model thinks. Names, titles,
 * arguments and errors come from outside and pass `printable` before they reach the terminal.
 */
import type { RunEvent } from '../runs/events.ts';
import { formatDuration, summarise } from './format-run.ts';
import { paint, printable as p } from './output.ts';

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where lines go (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Clock (default Date.now). */
  now?: () => number;
}

/** A progress printer: feed it events, stop it at the end. */
export interface Progress {
  onEvent(event: RunEvent): void;
  stop(): void;
}

/** Builds the printer; the status line ticks only when the stream is a terminal. */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const started = now();
  let stepStarted = started;
  let status = '';
  const c = (style: Parameters<typeof paint>[0], text: string) => paint(style, text, stream);
  const clearStatus = () => {
    if (tty && status) stream.write('\r\x1b[2K');
  };
  const drawStatus = () => {
    if (tty && status) stream.write(`${c('dim', `${status} · ${formatDuration(now() - started)}`)}`);
  };
  const line = (text: string) => {
    clearStatus();
    stream.write(`${text}\n`);
    drawStatus();
  };
  const ticker = tty
    ? setInterval(() => {
        clearStatus();
        drawStatus();
      }, 250)
    : undefined;
  ticker?.unref();

  return {
    onEvent(event) {
      switch (event.type) {
        case 'run_start':
          line(
            `${c('bold', `▶ ${p(event.run.workflow)}`)} ${c('dim', p(`run ${event.run.id.slice(0, 8)} · attempt ${event.attempt} · ${event.run.backend} · ${event.run.model} · ${event.run.mode}`))}`,
          );
          break;
        case 'step_start':
          stepStarted = now();
          status = `  ${p(event.step.id)}`;
          line(
            `  ${c('bold', `[${event.index + 1}/${event.total}] ${p(event.step.id)}`)}${event.step.title ? ` — ${p(event.step.title)}` : ''} ${c('dim', `(${event.step.kind})`)}`,
          );
          break;
        case 'turn':
          status = `  ${p(event.step)} · turn ${event.turn + 1}`;
          line(c('dim', `    turn ${event.turn}: ${event.usage.inputTokens} in / ${event.usage.outputTokens} out tokens`));
          break;
        case 'model_retry':
          line(
            c(
              'yellow',
              `    model request failed${event.status ? ` (HTTP ${event.status})` : ''}; retry ${event.attempt}${event.delayMs !== undefined ? ` in ${formatDuration(event.delayMs)}` : ''}`,
            ),
          );
          break;
        case 'tool_start':
          status = `  ${p(event.step)} · ${p(event.tool)}`;
          break;
        case 'tool_end': {
          const call = event.call;
          const mark = {
            ok: c('green', 'ok'),
            error: c('red', 'error'),
            refused: c('red', 'REFUSED'),
            simulated: c('yellow', 'simulated'),
            journaled: c('cyan', 'journaled'),
            hosted: c('magenta', 'hosted'),
          }[call.status];
          const shown = summarise(JSON.stringify(call.args) ?? '', 81);
          const why = call.error && call.status !== 'ok' ? ` ${c('dim', `— ${p(call.error.split('\n')[0]!.slice(0, 160))}`)}` : '';
          line(
            `    → ${call.via ? c('dim', `${p(call.via)} › `) : ''}${p(call.tool)} ${c('dim', shown)} ${mark} ${c('dim', formatDuration(call.durationMs))}${why}`,
          );
          break;
        }
        case 'step_end': {
          const s = event.step;
          const took = formatDuration(now() - stepStarted);
          const detail = [s.turns !== undefined ? `${s.turns} turn(s)` : '', `${s.toolCalls.length} tool call(s)`, took].filter(Boolean).join(', ');
          if (s.status === 'succeeded') line(`  ${c('green', '✓')} ${p(s.id)} ${c('dim', detail)}`);
          else line(`  ${c('red', '✗')} ${p(s.id)} ${c('dim', detail)}${s.error ? ` — ${p(`${s.error.kind}: ${s.error.message.split('\n')[0]}`)}` : ''}`);
          break;
        }
        case 'run_end':
          status = '';
          break;
      }
    },
    stop() {
      if (ticker) clearInterval(ticker);
      clearStatus();
      status = '';
    },
  };
}
