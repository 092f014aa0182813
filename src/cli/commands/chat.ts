import { createInterface } from 'node:readline/promises';
import { UserError } from '../../shared/errors.ts';
import { cliBackends, cliConfig } from '../context.ts';
import { formatToolCall } from '../format-run.ts';
import { err, out, paint, printable } from '../output.ts';

/** Flags of `runner chat`. */
export interface ChatFlags {
  backend?: string;
  session?: string;
  reset?: boolean;
  list?: boolean;
  preview?: boolean;
  'allow-destructive'?: boolean;
}

const QUIT = new Set(['exit', 'quit', 'q']);

/** `runner chat`: the product guide's loop — a greeting turn, then `You:` prompts until exit, quit or q. */
export async function chatCommand(flags: ChatFlags): Promise<void> {
  const config = cliConfig({ backend: flags.backend });
  const { SqliteSession, listChatSessions } = await import('../../agent/sqlite-session.ts');
  if (flags.list) {
    const sessions = listChatSessions(config.dbPath);
    if (!sessions.length) out('no chat sessions yet; start one with `runner chat`');
    for (const s of sessions) out(`${printable(s.id)}  ${paint('dim', printable(`${s.items} item(s), last used ${s.updatedAt}`))}`);
    return;
  }
  const name = flags.session ?? 'default';
  if (!/^[\w.-]{1,64}$/.test(name)) throw new UserError(`--session '${name}' must be 1-64 letters, digits, dots, dashes or underscores`);
  const session = new SqliteSession({ path: config.dbPath, sessionId: name });
  const { openChat, GREETING } = await import('../../engine/chat.ts');
  let chat: Awaited<ReturnType<typeof openChat>>;
  try {
    chat = await openChat({
      config,
      session,
      backend: config.backend,
      preview: flags.preview,
      allowDestructive: flags['allow-destructive'],
      openBackend: cliBackends(),
      onToolCall: (call) => err(paint('dim', `  ${formatToolCall(call)}`, process.stderr)),
    });
  } catch (error) {
    session.close();
    throw error;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true });
  // Created before the first await: the iterator buffers lines (and the end of input) that arrive while the agent
  // is still answering; lines read before it exists would be lost.
  const lines = rl[Symbol.asyncIterator]();
  const say = async (text: string) => {
    process.stdout.write('Assistant: ');
    try {
      await chat.send(text, (delta) => process.stdout.write(printable(delta)));
      process.stdout.write('\n\n');
    } catch (error) {
      process.stdout.write('\n');
      err(`${paint('red', 'error:', process.stderr)} ${printable((error as Error).message.split('\n')[0] ?? '')}\n`);
    }
  };
  try {
    if (flags.reset) await session.clearSession();
    const history = await session.getItems();
    out(`Chat on the ${config.backend} backend, session '${name}'${history.length ? ` (resumed: ${history.length} item(s) of history)` : ''}.`);
    out(paint('dim', "Type your requests below. 'exit', 'quit' or 'q' ends the chat.\n"));
    if (history.length === 0) await say(GREETING);
    for (;;) {
      process.stdout.write('You: ');
      const next = await lines.next();
      if (next.done) {
        out('');
        break; // stdin closed (Ctrl-D or end of piped input)
      }
      const line = String(next.value).trim();
      if (!process.stdin.isTTY) out(printable(line)); // echo piped input so the transcript reads like a session
      if (QUIT.has(line.toLowerCase())) {
        out('Goodbye!');
        break;
      }
      if (line) await say(line);
    }
  } finally {
    rl.close();
    await chat.close();
    session.close();
  }
}
