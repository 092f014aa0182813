import { readFile } from 'node:fs/promises';
import { formatDiagnostic, UserError } from '../../shared/errors.ts';
import type { ModelRequestView, ScriptedTurn } from '../../testing/scripted-model-types.ts';
import { boundAddress, listenError, warnIfExposed } from '../listening.ts';
import { err, out } from '../output.ts';
import { untilSignal } from '../signals.ts';
import { parsePort } from './sandbox.ts';

/** Flags of `runner model serve`. */
export interface ModelServeFlags {
  script?: string;
  port?: string;
  host?: string;
  latency?: string;
  faults?: string;
}

/** Parses a `--latency` value: `50ms`, `1s` or a number of milliseconds. */
export function parseLatency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)(ms|s)?$/.exec(value.trim());
  if (!m) throw new UserError(`--latency must look like 50ms or 1s, not '${value}'`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** `runner model serve`: the scripted OpenAI-compatible model server, answering from a script file until a signal. */
export async function modelServeCommand(flags: ModelServeFlags): Promise<void> {
  if (!flags.script) throw new UserError('--script FILE is required: a YAML or JSON list of turns');
  const { parseFaults, FaultInjector } = await import('../../sandbox/faults.ts');
  let faults;
  try {
    faults = flags.faults ? parseFaults(flags.faults) : undefined;
  } catch (error) {
    throw new UserError(`--faults: ${(error as Error).message}`);
  }
  const latencyMs = parseLatency(flags.latency) ?? faults?.latencyMs ?? 0;
  const host = flags.host ?? '127.0.0.1';
  const port = parsePort(flags.port, 8789);
  let text: string;
  try {
    text = await readFile(flags.script, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read --script ${flags.script}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const { parseModelScript } = await import('../../testing/script-file.ts');
  const parsed = parseModelScript(flags.script, text);
  if (!parsed.ok) throw new UserError(parsed.diagnostics.map(formatDiagnostic).join('\n'));
  const { turns, repeat } = parsed.script;
  const dice = faults ? new FaultInjector(faults) : undefined;

  const script = (request: ModelRequestView): ScriptedTurn => {
    const fault = dice?.next();
    let turn: ScriptedTurn;
    if (fault?.status) {
      const retryAfter = fault.headers['Retry-After'];
      turn = { fault: { status: fault.status, ...(retryAfter !== undefined ? { retryAfterSeconds: Number(retryAfter) } : {}) } };
    } else {
      const index = repeat ? request.turn % turns.length : request.turn;
      turn = turns[index] ?? {
        fault: { status: 500, message: `Script exhausted: no turn ${request.turn + 1} (the script has ${turns.length}); add turns or repeat: true.` },
      };
    }
    err(`turn ${request.turn + 1} ${request.api}${request.stream ? ' (stream)' : ''}: ${describe(turn)}`);
    return turn;
  };

  const { startScriptedModelServer } = await import('../../testing/scripted-model-server.ts');
  const server = await startScriptedModelServer({ script, latencyMs, port, host }).catch((error: NodeJS.ErrnoException) => {
    throw listenError(error, host, port);
  });
  warnIfExposed(host, 'the scripted model');
  out(`Scripted model listening on ${boundAddress(server.boundUrl, server.url)}`);
  out(`  script:   ${flags.script} (${turns.length} turn${turns.length === 1 ? '' : 's'}${repeat ? ', repeated' : '; past the end: 500 script exhausted'})`);
  if (latencyMs || faults) out(`  latency:  ${latencyMs}ms${flags.faults ? `   faults: ${flags.faults}` : ''}`);
  out(`  use it:   OPENAI_BASE_URL=${server.url} RUNNER_MODEL=scripted runner run WORKFLOW`);
  out('Press Ctrl-C to stop.');
  await untilSignal();
  await server.close();
  err('scripted model stopped');
}

/** One line of what a turn answers, for the request log. */
function describe(turn: ScriptedTurn): string {
  if ('fault' in turn) return `${turn.fault.status}${turn.fault.message ? ` ${turn.fault.message}` : ''}`;
  if ('toolCalls' in turn) return `call ${turn.toolCalls.map((c) => c.name).join(', ')}`;
  if ('text' in turn) return `text ${JSON.stringify(turn.text.length > 60 ? `${turn.text.slice(0, 57)}...` : turn.text)}`;
  return 'answer';
}
