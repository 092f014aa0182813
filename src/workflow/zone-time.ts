/**
 * Wall-clock time in an IANA time zone, read from the runtime's own zone data (Intl), with the runner's daylight
 * saving policy for local times that do not map to exactly one instant:
 * - a local time skipped by a spring-forward gap maps to the first instant after the gap;
 * - a local time repeated by a fall-back maps to its first occurrence.
 * Offsets are whole seconds of any size (30- and 45-minute offsets and shifts included: Lord Howe, Chatham).
 *
 * "Wall time" below is a local date and time written as milliseconds since the epoch as if the zone were UTC
 * (`Date.UTC(year, month - 1, day, hour, minute, second)`), so calendar arithmetic on it never sees a gap.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall time in `zone` at `instant` (ms), to the second. Throws a RangeError for a zone the runtime does not know. */
export function wallTimeAt(zone: string, instant: number): number {
  const at = Math.floor(instant / 1000) * 1000;
  // `format` and a split are three times faster than `formatToParts`; en-US reads "M/D/YYYY, HH:MM:SS".
  const n = formatter(zone).format(at).match(/\d+/g);
  if (n?.length === 6 && n[2]!.length === 4) return Date.UTC(Number(n[2]), Number(n[0]) - 1, Number(n[1]), Number(n[3]), Number(n[4]), Number(n[5]));
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
  const wall = new Date(Date.UTC(2000, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)));
  wall.setUTCFullYear(year);
  return wall.getTime();
}

/** The zone's offset from UTC at `instant`, ms (wall time minus instant; +1 h for Berlin in winter). */
export function offsetAt(zone: string, instant: number): number {
  return wallTimeAt(zone, instant) - Math.floor(instant / 1000) * 1000;
}

/** Where a wall time lands on the time line: the instant, and the wall time the clocks show then. */
export interface PlacedWallTime {
  /** Epoch ms. */
  instant: number;
  /** The wall time asked for, or the end of the gap that skipped it. */
  shown: number;
}

/**
 * The instant at which `zone`'s clocks show the wall time `wall` (whole seconds), by the policy above: its first
 * occurrence when a fall-back repeats it, the first instant after the gap when a spring-forward skips it.
 */
export function placeWallTime(zone: string, wall: number): PlacedWallTime {
  // Offsets never exceed a day, so the offsets a day either side of `wall` read as UTC bracket any change near it.
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const candidates = before === after ? [before] : [before, after];
  let best = firstValid(zone, wall, candidates);
  if (best !== undefined) return { instant: best, shown: wall };
  // Two changes within two days: also try the offsets in force at the naive readings.
  candidates.push(offsetAt(zone, wall - before), offsetAt(zone, wall - after));
  best = firstValid(zone, wall, candidates);
  if (best !== undefined) return { instant: best, shown: wall };
  // No offset gives this wall time: it lies in a gap. The gap's change happens between the instant the smallest
  // offset would give (still before it) and the one the largest would give (already after it).
  const instant = firstChangeBetween(zone, wall - Math.max(...candidates), wall - Math.min(...candidates));
  return { instant, shown: wallTimeAt(zone, instant) };
}

/** The earliest instant among `wall - offset` that really shows `wall` in `zone`. */
function firstValid(zone: string, wall: number, offsets: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const offset of offsets) {
    const t = wall - offset;
    if ((best === undefined || t < best) && offsetAt(zone, t) === offset) best = t;
  }
  return best;
}

/** The first instant in (lo, hi] whose offset differs from lo's: a binary search over whole seconds (about 15 steps). */
function firstChangeBetween(zone: string, lo: number, hi: number): number {
  const initial = offsetAt(zone, lo);
  let a = Math.floor(lo / 1000);
  let b = Math.ceil(hi / 1000);
  if (offsetAt(zone, b * 1000) === initial) return hi;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (offsetAt(zone, mid * 1000) === initial) a = mid;
    else b = mid;
  }
  return b * 1000;
}
