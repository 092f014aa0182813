/**
 * A made-up run of a workflow for `runner notify test`: what a real end of each event would send, marked as a
 * test so no receiver takes it for a real one. Never stored.
 */
import type { RunRecord } from '../runs/types.ts';
import type { NotifyEvent, Workflow } from '../workflow/types.ts';
import type { Notice } from './notice.ts';

/** The run id of every sample (an all-zero UUID: no real run has it). */
export const SAMPLE_RUN_ID = '00000000-0000-4000-8000-000000000000';

/** A notice of `event` about a made-up run of `workflow` ending at `now`. */
export function sampleNotice(workflow: Workflow, event: NotifyEvent, now: Date): Notice {
  if (event === 'invalid')
    return {
      event,
      report: { file: workflow.file, workflow, problems: [`${workflow.file}:1:1: a sample problem (runner notify test)`] },
    };
  const started = new Date(now.getTime() - 60_000).toISOString();
  const ended = now.toISOString();
  const slot = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000).toISOString();
  const status: RunRecord['status'] = event === 'recovered' ? 'succeeded' : event;
  const notRun = status === 'missed' || status === 'skipped';
  const run: RunRecord = {
    id: SAMPLE_RUN_ID,
    workflow: workflow.name,
    workflowHash: workflow.hash,
    workflowFile: workflow.file,
    trigger: workflow.schedule ? { type: 'schedule', slot } : { type: 'manual' },
    inputs: {},
    status,
    mode: workflow.mode,
    backend: 'sandbox',
    model: 'sample',
    notes: [
      'a test notification sent by runner notify test; no run happened',
      ...(status === 'skipped' ? ['the previous run was still going (overlap: skip)'] : []),
    ],
    attempts: [],
    outputs: status === 'succeeded' ? { sample: 'outputs of the run' } : {},
    links: status === 'succeeded' ? ['https://example.atlassian.net/wiki/spaces/TEAM/pages/123'] : [],
    usage: { requests: 0, inputTokens: 0, outputTokens: 0 },
    createdAt: started,
    ...(notRun ? {} : { startedAt: started }),
    ...(notRun || status === 'waiting' ? {} : { endedAt: ended }),
    ...(status === 'failed' ? { error: { kind: 'tool', message: 'a sample failure (runner notify test): no run happened', step: 'sample' } } : {}),
    ...(status === 'waiting'
      ? {
          approvals: [
            {
              since: ended,
              expiresAt: new Date(now.getTime() + 24 * 3_600_000).toISOString(),
              calls: [{ n: 1, tool: 'CONFLUENCE_CREATE_PAGE', effect: 'write', args: {}, step: 'sample' }],
              resume: { step: 'sample', index: 0 },
            },
          ],
        }
      : {}),
  };
  return { event, run };
}
