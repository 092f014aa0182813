import type { Diagnostic } from '../shared/errors.ts';
import { createToolAccess, type ToolAccess } from '../toolkit/access.ts';
import type { ToolDefinition } from '../toolkit/types.ts';
import { cronProblem } from './cron.ts';
import { durationHint, parseDuration } from '../shared/duration.ts';
import { checkTemplateAt, type ReferenceScope } from './references.ts';
import { jsonSchemaError, workflowSchema } from './schema.ts';
import type { DocPath, YamlSource } from './source.ts';
import { closest, didYouMean } from '../shared/suggest.ts';
import type { TemplateEngine } from './templates.ts';
import { isTimeZone, timeZoneProblem } from './timezone.ts';

/** Tools the validator knows: a lookup by slug and the list of slugs (for suggestions). */
export interface ToolLookup {
  get(slug: string): ToolDefinition | undefined;
  readonly tools: readonly ToolDefinition[];
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Allowed keys of the workflow, of a step and of an assertion (from the schema). */
let knownKeys: { root: string[]; step: string[]; assertion: string[] } | undefined;
function keysOf(level: 'root' | 'step' | 'assertion'): string[] {
  if (!knownKeys) {
    const schema = workflowSchema() as { properties: Raw; $defs: Record<string, { properties: Raw }> };
    knownKeys = {
      root: Object.keys(schema.properties),
      step: Object.keys(schema.$defs.step!.properties),
      assertion: Object.keys(schema.$defs.assertion!.properties),
    };
  }
  return knownKeys[level];
}

/** Whether `map` has an unknown key that is a typo of one of `targets` (already reported; a "missing" error would repeat it). */
function hasTypoOf(map: Raw, level: 'root' | 'step' | 'assertion', targets: readonly string[]): boolean {
  const known = keysOf(level);
  return Object.keys(map).some((k) => !known.includes(k) && targets.includes(closest(k, known) ?? ''));
}

/** Context shared by the meaning checks of one file. */
interface Ctx {
  source: YamlSource;
  engine: TemplateEngine;
  tools: ToolLookup;
  out: Diagnostic[];
}

/** Checks what the schema cannot: cron, time zones, durations, steps, tools and templates. */
export function semanticDiagnostics(source: YamlSource, engine: TemplateEngine, tools: ToolLookup): Diagnostic[] {
  const out: Diagnostic[] = [];
  const root = source.value;
  if (!isObj(root)) return out;
  const ctx: Ctx = { source, engine, tools, out };
  checkSchedule(ctx, root);
  checkDurations(ctx, root);
  const inputNames = checkInputs(ctx, root);
  const access = checkTools(ctx, root);
  checkApproval(ctx, root, access, inputNames);
  if (Array.isArray(root.notify)) out.push(...notifyRuleDiagnostics(source, ['notify'], root.notify));
  const stepIds = collectStepIds(ctx, root);
  const instructions = isObj(root.agent) ? str(root.agent.instructions) : undefined;
  if (instructions !== undefined) {
    checkTemplateAt(
      source,
      engine,
      ['agent', 'instructions'],
      instructions,
      { inputs: inputNames, earlierSteps: [], allSteps: stepIds, stepsAllowed: false },
      out,
    );
  }
  const hasSteps = Array.isArray(root.steps);
  const hasPrompt = root.prompt !== undefined;
  if (root.steps !== undefined && hasPrompt)
    out.push(source.atKey(['prompt'], "give either a top-level 'prompt' or 'steps', not both; move the prompt into a step"));
  if (root.steps === undefined && !hasPrompt && !hasTypoOf(root, 'root', ['prompt', 'steps'])) {
    out.push(source.atValue([], "a workflow needs a top-level 'prompt' (one task) or a list of 'steps'"));
  }
  if (hasSteps && root.output !== undefined)
    out.push(source.atKey(['output'], "top-level 'output' goes with a top-level 'prompt'; with 'steps', put 'output' on a prompt step"));
  if (typeof root.prompt === 'string') {
    checkTemplateAt(source, engine, ['prompt'], root.prompt, { inputs: inputNames, earlierSteps: [], allSteps: [], stepsAllowed: true }, out);
    if (isObj(root.output)) checkOutputSchema(ctx, ['output'], root.output.schema);
  }
  if (hasSteps) checkSteps(ctx, root.steps as unknown[], inputNames, stepIds, access);
  return out;
}

function checkSchedule(ctx: Ctx, root: Raw): void {
  if (!isObj(root.schedule)) return;
  const cron = str(root.schedule.cron);
  if (cron !== undefined) {
    const problem = cronProblem(cron);
    if (problem) ctx.out.push(ctx.source.atValue(['schedule', 'cron'], problem));
  }
  const zone = str(root.schedule.timezone);
  if (zone !== undefined && !isTimeZone(zone)) ctx.out.push(ctx.source.atValue(['schedule', 'timezone'], timeZoneProblem(zone)));
}

function checkDurations(ctx: Ctx, root: Raw): void {
  const check = (path: DocPath, value: unknown) => {
    if (typeof value === 'string' && parseDuration(value) === undefined) ctx.out.push(ctx.source.atValue(path, `${path.join('.')}: ${durationHint(value)}`));
  };
  if (isObj(root.limits)) check(['limits', 'timeout'], root.limits.timeout);
  if (isObj(root.approval)) check(['approval', 'timeout'], root.approval.timeout);
  if (isObj(root.schedule)) check(['schedule', 'catchup_window'], root.schedule.catchup_window);
  if (isObj(root.retry)) {
    const b = root.retry.backoff;
    if (typeof b === 'string') check(['retry', 'backoff'], b);
    else if (isObj(b)) check(['retry', 'backoff', 'delay'], b.delay);
  }
}

function checkInputs(ctx: Ctx, root: Raw): string[] {
  if (!isObj(root.inputs)) return [];
  for (const [name, spec] of Object.entries(root.inputs)) {
    if (!isObj(spec)) continue;
    const at = (key: string, message: string) => ctx.out.push(ctx.source.atValue(['inputs', name, key], message));
    const values = Array.isArray(spec.values) ? spec.values.map(String) : undefined;
    if (spec.type === 'enum' && !values) at('type', `input '${name}' is an enum; list its allowed 'values'`);
    if (spec.type !== 'enum' && spec.values !== undefined) at('values', `'values' is only for enum inputs; input '${name}' has type ${String(spec.type)}`);
    if (spec.default === undefined || !['string', 'number', 'boolean', 'enum'].includes(String(spec.type))) continue;
    const expected = spec.type === 'enum' ? 'string' : spec.type;
    if (typeof expected === 'string' && typeof spec.default !== expected) {
      const unquote =
        typeof spec.default === 'string' &&
        ((expected === 'number' && spec.default.trim() !== '' && Number.isFinite(Number(spec.default))) ||
          (expected === 'boolean' && ['true', 'false'].includes(spec.default)));
      at(
        'default',
        `default of input '${name}' must be a ${expected}, got ${typeof spec.default} ${JSON.stringify(spec.default)}${unquote ? `; write ${spec.default} without quotes` : ''}`,
      );
    } else if (values && !values.includes(String(spec.default))) {
      at(
        'default',
        `default '${String(spec.default)}' of input '${name}' is not one of its values (${values.join(', ')})${didYouMean(String(spec.default), values)}`,
      );
    }
  }
  return Object.keys(root.inputs);
}

/** Checks `tools`; returns the run's tool access (the one owner of which tools may run). */
function checkTools(ctx: Ctx, root: Raw): ToolAccess {
  const tools = isObj(root.tools) ? root.tools : {};
  const list = Array.isArray(tools.allow) ? tools.allow : undefined;
  const known = list?.filter((slug): slug is string => typeof slug === 'string' && ctx.tools.get(slug) !== undefined);
  const access = createToolAccess({ allow: known, allowDestructive: tools.allow_destructive === true, catalogue: ctx.tools });
  list?.forEach((slug, i) => {
    if (typeof slug !== 'string') return;
    const decision = ctx.tools.get(slug) ? access.decide(slug) : undefined;
    if (!decision) ctx.out.push(ctx.source.atValue(['tools', 'allow', i], unknownTool(ctx, slug)));
    else if (!decision.allowed && decision.denial === 'destructive') {
      ctx.out.push(ctx.source.atValue(['tools', 'allow', i], `tool '${slug}' is destructive; set tools.allow_destructive: true to allow it`));
    }
  });
  const backend = str(tools.backend);
  if (isObj(tools.mcp)) {
    const { url, command } = tools.mcp;
    if (backend !== undefined && backend !== 'mcp')
      ctx.out.push(ctx.source.atKey(['tools', 'mcp'], `tools.mcp is set but tools.backend is '${backend}'; set backend: mcp or remove tools.mcp`));
    if (url !== undefined && command !== undefined) {
      ctx.out.push(
        ctx.source.atKey(['tools', 'mcp', 'command'], "tools.mcp has both 'url' and 'command'; keep 'url' for an HTTP MCP server or 'command' for a stdio one"),
      );
    } else if (url === undefined && command === undefined) {
      ctx.out.push(ctx.source.atValue(['tools', 'mcp'], "tools.mcp needs 'url' (an HTTP MCP server) or 'command' (a stdio one)"));
    }
    if (url !== undefined && tools.mcp.args !== undefined) ctx.out.push(ctx.source.atKey(['tools', 'mcp', 'args'], "'args' goes with 'command', not 'url'"));
  } else if (backend === 'mcp') {
    ctx.out.push(ctx.source.atValue(['tools', 'backend'], "backend 'mcp' needs tools.mcp with a 'url' or a 'command'"));
  }
  if (tools.mode === 'hosted' && backend !== undefined && backend !== 'composio') {
    ctx.out.push(ctx.source.atValue(['tools', 'mode'], `tools.mode 'hosted' works only with backend 'composio', not '${backend}'`));
  }
  return access;
}

/** Checks `approval`: its slugs against the toolkit and tools.allow, its note's template, and the tool mode. */
function checkApproval(ctx: Ctx, root: Raw, access: ToolAccess, inputs: string[]): void {
  if (!isObj(root.approval)) return;
  const { required_for: rule, approvers_note: note } = root.approval;
  if (Array.isArray(rule)) {
    rule.forEach((slug, i) => {
      if (typeof slug !== 'string') return;
      const decision = ctx.tools.get(slug) ? access.decide(slug) : undefined;
      if (!decision) ctx.out.push(ctx.source.atValue(['approval', 'required_for', i], unknownTool(ctx, slug)));
      else if (!decision.allowed) {
        ctx.out.push(
          ctx.source.atValue(
            ['approval', 'required_for', i],
            `${slug} can never be called by this workflow (${decision.reason}); allow it in tools.allow or remove it here`,
          ),
        );
      }
    });
  }
  if (isObj(root.tools) && root.tools.mode === 'hosted') {
    ctx.out.push(
      ctx.source.atKey(
        ['approval'],
        'approval needs tools.mode local: in hosted mode the model provider calls the tools itself, so no call can be held for a person',
      ),
    );
  }
  if (typeof note === 'string') {
    checkTemplateAt(ctx.source, ctx.engine, ['approval', 'approvers_note'], note, { inputs, earlierSteps: [], allSteps: [], stepsAllowed: false }, ctx.out);
  }
}

function unknownTool(ctx: Ctx, slug: string): string {
  return `unknown tool '${slug}'${didYouMean(
    slug,
    ctx.tools.tools.map((t) => t.slug),
  )} (see 'runner tools' for the catalogue)`;
}

function collectStepIds(ctx: Ctx, root: Raw): string[] {
  if (!Array.isArray(root.steps)) return [];
  const first = new Map<string, number>();
  root.steps.forEach((step, i) => {
    if (!isObj(step) || typeof step.id !== 'string') return;
    const seen = first.get(step.id);
    if (seen === undefined) first.set(step.id, i);
    else {
      const line = ctx.source.atValue(['steps', seen, 'id'], '').line;
      ctx.out.push(ctx.source.atValue(['steps', i, 'id'], `duplicate step id '${step.id}' (first used at line ${line})`));
    }
  });
  return [...first.keys()];
}

function checkSteps(ctx: Ctx, steps: unknown[], inputs: string[], allSteps: string[], access: ToolAccess): void {
  const earlier: string[] = [];
  steps.forEach((step, i) => {
    if (!isObj(step)) return;
    const scope: ReferenceScope = {
      inputs,
      earlierSteps: [...earlier],
      allSteps,
      stepsAllowed: true,
      current: earlier.includes(String(step.id)) ? undefined : str(step.id),
    };
    const id = str(step.id) ?? `#${i + 1}`;
    const isPrompt = step.prompt !== undefined;
    const isTool = step.tool !== undefined;
    if (isPrompt && isTool) {
      ctx.out.push(
        ctx.source.atKey(
          ['steps', i, 'tool'],
          `step '${id}' has both 'prompt' and 'tool'; a step is either a task for the agent or one tool call, so split it into two steps`,
        ),
      );
    } else if (!isPrompt && !isTool && !hasTypoOf(step, 'step', ['prompt', 'tool'])) {
      ctx.out.push(ctx.source.atValue(['steps', i], `step '${id}' needs a 'prompt' (a task for the agent) or a 'tool' (one direct tool call)`));
    }
    if (isPrompt) {
      for (const key of ['with', 'assert'])
        if (step[key] !== undefined) ctx.out.push(ctx.source.atKey(['steps', i, key], `'${key}' belongs to tool steps; step '${id}' is a prompt step`));
    } else if (isTool && step.output !== undefined) {
      ctx.out.push(ctx.source.atKey(['steps', i, 'output'], `'output' belongs to prompt steps; a tool step's output is the tool's result`));
    }
    if (typeof step.title === 'string') checkTemplateAt(ctx.source, ctx.engine, ['steps', i, 'title'], step.title, scope, ctx.out);
    if (typeof step.prompt === 'string') checkTemplateAt(ctx.source, ctx.engine, ['steps', i, 'prompt'], step.prompt, scope, ctx.out);
    if (isPrompt && isObj(step.output)) checkOutputSchema(ctx, ['steps', i, 'output'], step.output.schema);
    if (typeof step.tool === 'string') checkToolStep(ctx, step, i, id, scope, access);
    if (typeof step.id === 'string') earlier.push(step.id);
  });
}

function checkToolStep(ctx: Ctx, step: Raw, i: number, id: string, scope: ReferenceScope, access: ToolAccess): void {
  const slug = step.tool as string;
  const tool = ctx.tools.get(slug);
  const decision = tool ? access.decide(slug) : undefined;
  if (!tool) {
    ctx.out.push(ctx.source.atValue(['steps', i, 'tool'], unknownTool(ctx, slug)));
  } else if (decision && !decision.allowed && decision.denial !== 'destructive') {
    // A destructive tool listed without allow_destructive is reported once, at its tools.allow entry.
    const destructive = tool.effect === 'destructive' ? ' and set tools.allow_destructive: true' : '';
    const message =
      decision.denial === 'not-in-allow'
        ? `step '${id}' calls ${slug}, which is not in tools.allow; add it there${destructive}`
        : `step '${id}' calls ${slug}, a ${tool.effect} tool; without a tools.allow list only read tools may run, so list it in tools.allow${destructive}`;
    ctx.out.push(ctx.source.atValue(['steps', i, 'tool'], message));
  }
  const args = isObj(step.with) ? step.with : {};
  if (tool) checkArguments(ctx, tool, args, i);
  walkStrings(args, ['steps', i, 'with'], (path, text) => checkTemplateAt(ctx.source, ctx.engine, path, text, scope, ctx.out));
  if (!Array.isArray(step.assert)) return;
  step.assert.forEach((a, j) => {
    if (!isObj(a)) return;
    const ops = OPERATORS.filter((k) => a[k] !== undefined);
    if (ops.length > 1) {
      ctx.out.push(
        ctx.source.atKey(
          ['steps', i, 'assert', j, ops[1]!],
          `an assertion checks one thing, but this one has ${ops.join(' and ')}; split it into ${ops.length} assertions`,
        ),
      );
    } else if (ops.length === 0 && !hasTypoOf(a, 'assertion', OPERATORS)) {
      ctx.out.push(
        ctx.source.atValue(
          ['steps', i, 'assert', j],
          `the assertion on '${String(a.path)}' needs one of equals, contains, exists or matches, e.g. exists: true`,
        ),
      );
    }
    if (typeof a.matches === 'string') {
      try {
        new RegExp(a.matches);
      } catch (error) {
        const why = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
        ctx.out.push(ctx.source.atValue(['steps', i, 'assert', j, 'matches'], `'${a.matches}' is not a valid regular expression: ${why}`));
      }
    }
    for (const key of ['equals', 'contains'])
      walkStrings(a[key], ['steps', i, 'assert', j, key], (path, text) => checkTemplateAt(ctx.source, ctx.engine, path, text, scope, ctx.out));
  });
}

const OPERATORS = ['equals', 'contains', 'exists', 'matches'];

function checkArguments(ctx: Ctx, tool: ToolDefinition, args: Raw, i: number): void {
  const props = (tool.input.properties ?? {}) as Record<string, unknown>;
  const names = Object.keys(props);
  for (const key of Object.keys(args)) {
    if (!(key in props)) {
      const hint = didYouMean(key, names) || (names.length ? ` (arguments: ${names.join(', ')})` : ' (it takes no arguments)');
      ctx.out.push(ctx.source.atKey(['steps', i, 'with', key], `${tool.slug} has no argument '${key}'${hint}`));
    }
  }
  const missing = ((tool.input.required ?? []) as string[]).filter((k) => args[k] === undefined);
  if (missing.length) {
    const at = ctx.source.node(['steps', i, 'with']) ? ['steps', i, 'with'] : ['steps', i, 'tool'];
    ctx.out.push(ctx.source.atValue(at, `${tool.slug} needs argument${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} in 'with'`));
  }
}

function checkOutputSchema(ctx: Ctx, path: DocPath, schema: unknown): void {
  if (!isObj(schema)) return;
  if (schema.type !== 'object') {
    const got = schema.type === undefined ? 'but it has no type' : `got type ${JSON.stringify(schema.type)}`;
    const at = schema.type === undefined ? [...path, 'schema'] : [...path, 'schema', 'type'];
    ctx.out.push(
      ctx.source.atValue(at, `output.schema must describe an object (type: object), ${got}; put the answer in a property, e.g. properties: { answer: {...} }`),
    );
    return;
  }
  const error = jsonSchemaError(schema);
  if (!error) return;
  const inner = error.instancePath
    .split('/')
    .slice(1)
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k.replace(/~1/g, '/').replace(/~0/g, '~')));
  const where = ['output.schema', ...inner].join('.');
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const message =
    error.keyword === 'enum' && allowed
      ? `${JSON.stringify(error.data)} is not allowed${didYouMean(String(error.data), allowed.map(String))} (allowed: ${allowed.join(', ')})`
      : (error.message ?? 'is invalid');
  ctx.out.push(ctx.source.atValue([...path, 'schema', ...inner], `${where} is not valid JSON Schema: ${message}`));
}

/** Calls `visit` for every string inside a nested value, with its path. */
export function walkStrings(value: unknown, path: DocPath, visit: (path: DocPath, text: string) => void): void {
  if (typeof value === 'string') visit(path, value);
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) walkStrings(v, [...path, i], visit);
  else if (isObj(value)) for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], visit);
}

/** The channels a notify rule may name; a rule names exactly one. */
const NOTIFY_CHANNELS = ['webhook', 'slack', 'email'] as const;

/**
 * What the schema cannot say about `notify` rules (a workflow's, or RUNNER_NOTIFY_DEFAULT's at `at`): one channel
 * per rule, URLs that are URLs, and Slack webhook URLs kept out of committed files.
 */
export function notifyRuleDiagnostics(source: YamlSource, at: DocPath, rules: readonly unknown[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  rules.forEach((rule, i) => {
    if (!isObj(rule)) return;
    const path = [...at, i];
    const channels = NOTIFY_CHANNELS.filter((c) => rule[c] !== undefined);
    if (channels.length === 0)
      out.push(source.atValue(path, 'a notify rule needs a channel: webhook: { url: ... }, slack: { url: ... } or email: { to: [...] }'));
    if (channels.length > 1)
      out.push(source.atKey([...path, channels[1]!], `a notify rule has one channel, this one has ${channels.join(' and ')}; make one rule per channel`));
    for (const channel of ['webhook', 'slack'] as const) {
      const spec = rule[channel];
      if (!isObj(spec)) continue;
      if (typeof spec.url === 'string' && !/^https?:\/\/[^\s/]+/.test(spec.url))
        out.push(source.atValue([...path, channel, 'url'], `${channel}.url must be an http or https URL, not '${spec.url}'`));
      if (channel === 'slack' && typeof spec.url === 'string')
        out.push(
          source.atValue(
            [...path, 'slack', 'url'],
            'a Slack webhook URL is a secret (anyone with it can post to the channel): give it as { env: SLACK_WEBHOOK_URL } instead of in the file',
          ),
        );
    }
  });
  return out;
}
