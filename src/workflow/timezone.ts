import { closest } from './suggest.ts';

let zones: string[] | undefined;

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC' || zone === 'GMT' || zone === 'Etc/UTC';
  } catch {
    return false;
  }
}

/** The message for an unknown zone, with the closest known one. */
export function timeZoneProblem(zone: string): string {
  zones ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  const hit = closest(zone, zones) ?? zones.find((z) => z.toLowerCase().endsWith(`/${zone.toLowerCase().replace(/ /g, '_')}`));
  return `unknown time zone '${zone}'${hit ? `; did you mean '${hit}'?` : ''} (use an IANA name such as Europe/Berlin or America/New_York)`;
}
