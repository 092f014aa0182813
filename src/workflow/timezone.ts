import { closest } from '../shared/suggest.ts';

let zones: Set<string> | undefined;

function canonicalZones(): Set<string> {
  zones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return zones;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  // The canonical list is cheap; building a formatter loads ICU's zone data (~15 ms), so only aliases pay for it.
  if (canonicalZones().has(zone)) return true;
  if (!zone.includes('/') && zone !== 'GMT') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The message for an unknown zone, with the closest known one. */
export function timeZoneProblem(zone: string): string {
  const all = [...canonicalZones()];
  const hit = closest(zone, all) ?? all.find((z) => z.toLowerCase().endsWith(`/${zone.toLowerCase().replace(/ /g, '_')}`));
  return `unknown time zone '${zone}'${hit ? `; did you mean '${hit}'?` : ''} (use an IANA name such as Europe/Berlin or America/New_York)`;
}
