import { CronExpressionParser } from 'cron-parser';
import { normalizeCron } from './cron.ts';

/** The next `count` fire times after `from` of a valid cron expression read in `timezone` (cron-parser, as BullMQ uses). */
export function nextFireTimes(expression: string, timezone: string, from: Date, count: number): Date[] {
  const parsed = CronExpressionParser.parse(normalizeCron(expression), { currentDate: from, tz: timezone });
  return Array.from({ length: count }, () => parsed.next().toDate());
}
