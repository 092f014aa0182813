/**
 * `runner schedule sync`: make BullMQ's job schedulers match the committed workflows. A scheduler per scheduled
 * workflow, keyed by its name, with the cron pattern, time zone and the workflow (text and hash) in its job
 * template. A fingerprint per workflow (hash, cron, zone) kept beside them makes an unchanged re-sync a couple of
 * reads and no writes, however many workflows there are.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { UserError } from '../shared/errors.ts';
import { scheduleProblem } from '../workflow/fire-times.ts';
import type { Workflow } from '../workflow/types.ts';
import { fingerprintsKey } from './names.ts';
import { KEEP_JOBS, jobData, retryOptions, type RunJobData } from './payload.ts';

/** What a sync did (or, in a dry run, would do). */
export interface SyncReport {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

/** Options of {@link syncSchedules}. */
export interface SyncOptions {
  /** Report only; write nothing (default false). */
  dryRun?: boolean;
  /** Names whose schedulers must be kept though no valid workflow has them (files that failed validation). */
  keep?: ReadonlySet<string>;
  /** Upserts in flight at once (default 200): pipelines well without flooding Redis. */
  batch?: number;
}

/** Fingerprint of what a scheduler was built from. */
export function fingerprint(workflow: Workflow): string {
  return `${workflow.hash} ${workflow.schedule!.cron} ${workflow.schedule!.timezone}`;
}

/** Syncs the schedulers of `queue` with `workflows` (valid ones; unscheduled ones lose any scheduler they had). */
export async function syncSchedules(
  queue: Queue<RunJobData>,
  redis: Redis,
  prefix: string,
  workflows: readonly Workflow[],
  options: SyncOptions = {},
): Promise<SyncReport> {
  const key = fingerprintsKey(prefix);
  const [existing, known] = await Promise.all([redis.zrange(queue.keys.repeat!, '0', '-1'), redis.hgetall(key)]);
  const present = new Set(existing);
  const wanted = workflows.filter((w) => w.schedule);
  const wantedNames = new Set(wanted.map((w) => w.name));
  const report: SyncReport = { added: [], changed: [], removed: [], unchanged: [] };
  const upserts: Workflow[] = [];
  for (const workflow of wanted) {
    if (present.has(workflow.name) && known[workflow.name] === fingerprint(workflow)) report.unchanged.push(workflow.name);
    else {
      (present.has(workflow.name) ? report.changed : report.added).push(workflow.name);
      upserts.push(workflow);
    }
  }
  const stale = [...new Set([...existing, ...Object.keys(known)])].filter((name) => !wantedNames.has(name) && !options.keep?.has(name));
  report.removed.push(...stale.filter((name) => present.has(name)));
  assertSchedulable(upserts);
  if (options.dryRun) return sortReport(report);

  const batch = options.batch ?? 200;
  for (let i = 0; i < upserts.length; i += batch) {
    await Promise.all(
      upserts.slice(i, i + batch).map(async (workflow) => {
        await queue.upsertJobScheduler(
          workflow.name,
          { pattern: workflow.schedule!.cron, tz: workflow.schedule!.timezone },
          { name: workflow.name, data: jobData(workflow), opts: { ...retryOptions(workflow), ...KEEP_JOBS } },
        );
        await redis.hset(key, workflow.name, fingerprint(workflow));
      }),
    );
  }
  for (let i = 0; i < stale.length; i += batch) {
    await Promise.all(
      stale.slice(i, i + batch).map(async (name) => {
        if (present.has(name)) await queue.removeJobScheduler(name);
        await redis.hdel(key, name);
      }),
    );
  }
  return sortReport(report);
}

/**
 * Throws, before anything is written, when a schedule about to be written has no next fire time: BullMQ would
 * otherwise stop half-way (or store nothing for it), leaving some schedulers new and some old.
 */
function assertSchedulable(workflows: readonly Workflow[]): void {
  const now = new Date();
  const problems = workflows.flatMap((w) => {
    const problem = scheduleProblem(w.schedule!, now);
    return problem ? [`${w.file}: ${problem}`] : [];
  });
  if (problems.length) throw new UserError(`nothing synced; these schedules cannot be scheduled:\n${problems.join('\n')}`);
}

/** One scheduler as Redis has it. */
export interface ScheduleInfo {
  name: string;
  cron?: string;
  timezone?: string;
  /** Next fire time (ISO), from Redis. */
  next?: string;
  /** Hash of the workflow the scheduler runs. */
  hash?: string;
  file?: string;
}

/** Every scheduler with its next fire time, read from Redis (not from the files), soonest first. */
export async function listSchedules(queue: Queue<RunJobData>): Promise<ScheduleInfo[]> {
  const schedulers = await queue.getJobSchedulers(0, -1, true);
  return schedulers.map((s) => ({
    name: s.key,
    cron: s.pattern,
    timezone: s.tz,
    next: typeof s.next === 'number' ? new Date(s.next).toISOString() : undefined,
    hash: s.template?.data?.hash,
    file: s.template?.data?.file,
  }));
}

function sortReport(report: SyncReport): SyncReport {
  for (const list of Object.values(report)) list.sort();
  return report;
}
