const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Parses `90s`, `10m`, `1h30m`, `250ms` into milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let matched = 0;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    matched++;
  }
  return matched > 0 ? Math.round(total) : undefined;
}

const UNIT_WORDS: Record<string, string> = {
  millisecond: 'ms',
  milliseconds: 'ms',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  day: 'd',
  days: 'd',
};

/** The message for a value that is not a duration, with the fix when the value spells its units out (`10 minutes`). */
export function durationHint(text: string): string {
  const rewritten = text
    .toLowerCase()
    .replace(/(\d+(?:\.\d+)?)\s*([a-z]+)/g, (all, n: string, word: string) => (UNIT_WORDS[word] ? `${n}${UNIT_WORDS[word]}` : all))
    .replace(/\s+|,|\band\b/g, '');
  const fix = rewritten !== text && parseDuration(rewritten) !== undefined ? `; did you mean '${rewritten}'?` : '';
  return `unparseable duration '${text}'${fix} (use numbers with units ms, s, m, h or d, like 90s, 10m or 1h30m)`;
}

/** Milliseconds as a short human duration (`1m30s`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}
