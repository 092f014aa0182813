/** The dashboard's launcher in queue mode: continuations and re-runs become jobs any worker takes. */
import type { Queue } from 'bullmq';
import type { RunnerConfig } from '../config/config.ts';
import type { RunLauncher } from '../dashboard/launcher.ts';
import type { RunJobData } from '../queue/payload.ts';
import type { RunLifecycle } from '../runs/lifecycle.ts';

/** Queue mode: jobs for the workers. */
export function queueLauncher(queue: Queue<RunJobData>, lifecycle: RunLifecycle, config: RunnerConfig): RunLauncher {
  return {
    async resume(workflow, run) {
      const { enqueueResume } = await import('../queue/producer.ts');
      const jobId = await enqueueResume(queue, workflow, run);
      return `run ${run.id.slice(0, 8)} goes on in a worker (job ${jobId})`;
    },
    async rerun(plan, original) {
      const { enqueueRun } = await import('../queue/producer.ts');
      const runId = await enqueueRun(queue, lifecycle, plan.workflow, {
        inputs: plan.inputs,
        resolved: plan.resolved,
        backend: plan.workflow.tools.backend ?? config.backend,
        model: plan.workflow.agent.model ?? config.model,
        rerunOf: original.id,
        scheduledAt: plan.scheduledAt,
      });
      return runId;
    },
    async close() {},
  };
}
