/**
 * The rules a run's notifications go by: the workflow's own `notify` rules, then RUNNER_NOTIFY_DEFAULT's, each
 * with the id records and job ids name it by (`workflow#<n>`, `default#<n>`, 1-based).
 */
import type { NotifyEvent, NotifyRule } from '../workflow/types.ts';

/** A rule with its id. */
export interface NamedRule {
  /** `workflow#<n>` or `default#<n>` (1-based). */
  id: string;
  rule: NotifyRule;
}

/** Every rule of a workflow and the defaults, named; the workflow's come first. */
export function namedRules(workflowRules: readonly NotifyRule[], defaults: readonly NotifyRule[]): NamedRule[] {
  return [...workflowRules.map((rule, i) => ({ id: `workflow#${i + 1}`, rule })), ...defaults.map((rule, i) => ({ id: `default#${i + 1}`, rule }))];
}

/** The rules whose `on` lists `event`. */
export function rulesFor(event: NotifyEvent, rules: readonly NamedRule[]): NamedRule[] {
  return rules.filter((r) => r.rule.on.includes(event));
}
