import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** Colours text for stdout when it is a terminal that wants colour (NO_COLOR, FORCE_COLOR respected by Node). */
export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return styleText(style, text, { stream, validateStream: true });
}

/**
 * Control characters a terminal would act on instead of showing: C0 but newline and tab, DEL, and C1 (an ESC,
 * a CSI, a carriage return or a bell in a workflow input, a model's answer, a tool result or a file would clear
 * the screen, move the cursor, retitle the window or hide text).
 */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text from outside (inputs, model text, tool results, file contents, error messages) made safe to print: every
 * control character but newline and tab shows as a `\x1b`-style escape. The one rule for every human-readable
 * line the CLI writes; `--json` output keeps JSON's own escapes instead (see {@link outJson}).
 */
export function printable(text: string): string {
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Writes one line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Writes one line to stderr. */
export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** DEL and C1 controls, which JSON.stringify leaves raw (it escapes only C0). */
const JSON_RAW_CONTROLS = /[\u007f-\u009f]/g;

/** Prints a value as pretty JSON on stdout; every control character escaped the JSON way (`\u001b`), the value unchanged. */
export function outJson(value: unknown): void {
  const text = (JSON.stringify(value, null, 2) ?? 'null').replace(JSON_RAW_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  process.stdout.write(`${text}\n`);
}

/** Pads to a width, for simple tables. */
export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
