/**
 * Holding calls for a person: what a step that waits leaves for the record (the calls, readable previews of the
 * content they would write, the approver's note, where to go on), and the decisions a resumed step applies.
 */
import type { ToolGateway } from '../agent/gateway/index.ts';
import { approvalKey, innerSlugs } from '../agent/gateway/index.ts';
import { storageOf, storageToText } from '../confluence/storage-text.ts';
import type { WaitDraft } from '../runs/lifecycle.ts';
import type { ApprovalDecision, ApprovalWait, PendingApproval, RunRecord } from '../runs/types.ts';
import { type Redactor, truncateForRecord } from '../shared/redact.ts';
import { MULTI_EXECUTE } from '../toolkit/router.ts';
import type { TemplateEngine } from '../workflow/templates.ts';
import type { Workflow } from '../workflow/types.ts';
import { renderText } from './render.ts';

/** A call held for a person, as a step reports it. */
export interface Held {
  tool: string;
  args: Record<string, unknown>;
  callId?: string;
}

/** What the lifecycle records when a step waits. */
export function waitDraft(
  workflow: Workflow,
  step: { id: string; index: number; state?: string },
  held: readonly Held[],
  tools: { gateway: ToolGateway; recordChars: number; redact: Redactor; templates: TemplateEngine; scope: object },
): WaitDraft {
  const approval = workflow.approval!;
  const calls: Array<Omit<PendingApproval, 'n'>> = held.map((call) => {
    const preview = previewOf(call);
    return {
      tool: call.tool,
      effect: tools.gateway.access.effectOf(call.tool),
      args: truncateForRecord(call.args, tools.recordChars, tools.redact).value,
      ...(preview ? { preview } : {}),
      step: step.id,
      ...(call.callId ? { callId: call.callId } : {}),
      argsKey: approvalKey(call.tool, call.args),
    };
  });
  const note = approval.approversNote ? renderText(tools.templates, approval.approversNote, tools.scope, 'approval.approvers_note') : undefined;
  return {
    calls,
    resume: { step: step.id, index: step.index, ...(step.state ? { state: step.state } : {}) },
    ...(note ? { note } : {}),
    timeoutMs: approval.timeoutMs,
  };
}

/** The content a held call would write, as readable text (the inner calls of a multi-execute, each titled). */
function previewOf(call: Held): string | undefined {
  if (call.tool === MULTI_EXECUTE) {
    const inner = Array.isArray(call.args.tools) ? (call.args.tools as Array<{ arguments?: Record<string, unknown> }>) : [];
    const parts = innerSlugs(call.args)
      .map((slug, i) => {
        const storage = storageOf(inner[i]?.arguments ?? {});
        return storage ? `${slug}:\n${storageToText(storage)}` : undefined;
      })
      .filter(Boolean);
    return parts.length ? parts.join('\n\n') : undefined;
  }
  const storage = storageOf(call.args);
  return storage === undefined ? undefined : storageToText(storage);
}

/** The decisions of a resumed wait for one step, by the model's call id (prompt steps). */
export function decisionsByCall(wait: ApprovalWait | undefined, step: string): Map<string, ApprovalDecision> {
  const out = new Map<string, ApprovalDecision>();
  for (const call of wait?.calls ?? []) if (call.step === step && call.callId && call.decision) out.set(call.callId, call.decision);
  return out;
}

/** The decision on a tool step's held call, when the step resumes. */
export function decisionFor(wait: ApprovalWait | undefined, step: string): ApprovalDecision | undefined {
  return wait?.calls.find((c) => c.step === step)?.decision;
}

/** The calls a person approved in any wait of the run, by argument key: the gateway does not hold them again. */
export function approvedCalls(run: Pick<RunRecord, 'approvals'>): Set<string> {
  const keys = new Set<string>();
  for (const wait of run.approvals ?? []) for (const call of wait.calls) if (call.decision?.approved && call.argsKey) keys.add(call.argsKey);
  return keys;
}
