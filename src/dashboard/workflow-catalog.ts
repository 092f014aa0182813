/**
 * The workflows of the folder as the dashboard shows them: names for the runs filter (re-read at most every few
 * seconds), and the Workflows page's rows (schedule in words, next fires, pause, figures of the last 30 runs).
 */
import cronstrue from 'cronstrue';
import type { PauseStore } from '../schedules/pauses.ts';
import type { RunStore } from '../runs/types.ts';
import { formatDiagnostic } from '../shared/errors.ts';
import { fireTimesOf } from '../workflow/fire-times.ts';
import { findWorkflowFiles, type LoadOptions, type LoadResult, loadWorkflowFiles } from '../workflow/load.ts';
import type { Clock } from './layout.ts';
import type { WorkflowRow, WorkflowsView } from './pages/workflows.ts';
import { workflowStats } from './stats.ts';

/** How long a reading of the folder is reused for the runs filter, ms. */
const NAMES_TTL_MS = 10_000;
/** Runs the figures of a workflow cover. */
export const RECENT_RUNS = 30;
/** Next fire times shown. */
const NEXT_FIRES = 3;
/** Problems shown per invalid file. */
const PROBLEMS_SHOWN = 5;

/** The folder's workflows. */
export class WorkflowCatalog {
  readonly #dir: string;
  readonly #options: LoadOptions;
  #names?: { at: number; names: Promise<string[]> };

  constructor(dir: string, options: LoadOptions) {
    this.#dir = dir;
    this.#options = options;
  }

  /** The names of the valid workflows (none when the folder is missing). */
  names(): Promise<string[]> {
    const now = Date.now();
    if (!this.#names || now - this.#names.at > NAMES_TTL_MS) {
      this.#names = { at: now, names: this.#load().then((rs) => rs.flatMap((r) => (r.workflow ? [r.workflow.name] : [])).sort()) };
    }
    return this.#names.names;
  }

  /** The Workflows page. */
  async view(store: RunStore, pauses: PauseStore | undefined, clock: Clock): Promise<WorkflowsView> {
    const results = await this.#load();
    const paused = pauses ? await pauses.all() : new Map();
    const from = clock.now();
    const rows: WorkflowRow[] = await Promise.all(
      results
        .filter((r) => r.workflow)
        .map(async (r) => {
          const wf = r.workflow!;
          const fire = wf.schedule ? fireTimesOf(wf.schedule, from, NEXT_FIRES) : undefined;
          return {
            name: wf.name,
            file: r.file,
            ...(wf.description && { description: wf.description }),
            ...(wf.schedule && {
              schedule: {
                cron: wf.schedule.cron,
                timezone: wf.schedule.timezone,
                words: inWords(wf.schedule.cron),
                next: fire?.next ?? [],
                ...(fire?.problem && { problem: fire.problem }),
              },
            }),
            ...(wf.schedule && paused.has(wf.name) && { paused: paused.get(wf.name) }),
            stats: workflowStats(await store.list({ workflow: wf.name, limit: RECENT_RUNS })),
          };
        }),
    );
    rows.sort((a, b) => a.name.localeCompare(b.name));
    const invalid = results
      .filter((r) => !r.workflow)
      .map((r) => ({ file: r.file, problems: r.diagnostics.slice(0, PROBLEMS_SHOWN).map((d) => formatDiagnostic(d)) }));
    return { folder: this.#dir, rows, invalid, clock };
  }

  async #load(): Promise<LoadResult[]> {
    let files: string[];
    try {
      files = await findWorkflowFiles([this.#dir]);
    } catch {
      return [];
    }
    return loadWorkflowFiles(files, this.#options);
  }
}

/** A cron expression in words ("At 09:00, only on Monday"), or the expression itself when it cannot say. */
export function inWords(cron: string): string {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
  } catch {
    return cron;
  }
}
