import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** Colours text for stdout when it is a terminal that wants colour (NO_COLOR, FORCE_COLOR respected by Node). */
export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return styleText(style, text, { stream, validateStream: true });
}

/** Writes one line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Writes one line to stderr. */
export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Prints a value as pretty JSON on stdout. */
export function outJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Pads to a width, for simple tables. */
export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
