import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../../config/settings.ts';
import { UserError } from '../../shared/errors.ts';
import { WORKFLOW_SCHEMA_URL } from '../../workflow/schema.ts';
import { out } from '../output.ts';

/** Where the schema sits in a project that has confluence-runner as a dependency, from its `workflows/` folder. */
export const DEPENDENCY_SCHEMA_PATH = '../node_modules/confluence-runner/schemas/workflow.schema.json';

/** Lines `runner init` makes sure `.gitignore` has: the secrets file and the local state folder. */
export const GITIGNORE_LINES = ['.env', '.runner/'] as const;

/**
 * Writes `workflows/example.yaml` and `.env.example` into `dir`, refusing to overwrite either, and adds `.env` and
 * `.runner/` to its `.gitignore` (created, or appended to without repeating a line it has).
 */
export async function initCommand(dir: string): Promise<void> {
  const workflows = join(dir, 'workflows');
  const hint = schemaHint(dir, fileURLToPath(WORKFLOW_SCHEMA_URL));
  const files = [
    { path: join(workflows, 'example.yaml'), text: exampleWorkflow(hint.path) },
    { path: join(dir, '.env.example'), text: envExample() },
  ];
  const existing = files.filter((f) => existsSync(f.path)).map((f) => f.path);
  if (existing.length) throw new UserError(`refusing to overwrite ${existing.join(', ')}; move ${existing.length === 1 ? 'it' : 'them'} away first`);
  await mkdir(workflows, { recursive: true });
  for (const f of files) await writeFile(f.path, f.text, { flag: 'wx' });
  for (const f of files) out(`created ${f.path}`);
  const ignore = join(dir, '.gitignore');
  const had = existsSync(ignore) ? readFileSync(ignore, 'utf8') : undefined;
  const missing = missingIgnoreLines(had ?? '');
  if (missing.length) {
    const gap = had && !had.endsWith('\n') ? '\n' : '';
    await appendFile(ignore, `${gap}${missing.join('\n')}\n`);
    out(`${had === undefined ? 'created' : 'updated'} ${ignore} (${missing.join(', ')})`);
  }
  if (!hint.inProject)
    out(`editor schema hint: ${DEPENDENCY_SCHEMA_PATH} exists once the project has the runner as a dependency (npm install -D confluence-runner)`);
  out('next: copy .env.example to .env, then `runner validate` and `runner run workflows/example.yaml` (tool steps on the built-in sandbox: no model needed)');
}

/**
 * The `$schema` path editors follow, relative to `<dir>/workflows` so it works on any clone: the runner's own schema
 * when it lies inside the project (the runner installed as a dependency, or this repository), else where a
 * dependency install puts it (`inProject` false: the path does not exist until then).
 */
export function schemaHint(dir: string, schemaFile: string): { path: string; inProject: boolean } {
  const fromProject = relative(resolve(dir), schemaFile);
  if (fromProject.startsWith('..') || isAbsolute(fromProject)) return { path: DEPENDENCY_SCHEMA_PATH, inProject: false };
  return {
    path: relative(join(resolve(dir), 'workflows'), schemaFile)
      .split('\\')
      .join('/'),
    inProject: true,
  };
}

/** The lines of {@link GITIGNORE_LINES} that `text` (a `.gitignore`) does not already ignore. */
export function missingIgnoreLines(text: string): string[] {
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim().replace(/^\//, '').replace(/\/$/, '')));
  return GITIGNORE_LINES.filter((line) => !have.has(line.replace(/\/$/, '')));
}

/** `.env.example`: every setting, grouped, with its default and meaning. */
export function envExample(): string {
  const lines = ['# confluence-runner settings. Copy to .env (git-ignored); variables already set in the environment win.', ''];
  let group = '';
  for (const s of SETTINGS) {
    if (s.group !== group) {
      group = s.group;
      lines.push(`# --- ${group} ---`);
    }
    lines.push(`# ${s.description}${s.default ? ` Default: ${s.default}.` : ''}`);
    lines.push(`# ${s.env}=${s.secret ? '' : (s.default ?? '')}`);
  }
  return `${lines.join('\n')}\n`;
}

function exampleWorkflow(schemaPath: string): string {
  return `# yaml-language-server: $schema=${schemaPath}
#
# An example workflow. Check it with \`runner validate\`, see what it would do with
# \`runner run workflows/example.yaml --plan\`, run it with \`runner run workflows/example.yaml\`.
# It needs no model: both steps are tool steps (one deterministic call each), run against the
# built-in sandbox Confluence (demo content in .runner/sandbox.db; browse it with \`runner sandbox serve\`).
version: 1
# Unique kebab-case name.
name: example
description: Find the Q3 planning page and label it.

# Optional: run by itself. Five cron fields, read in the given IANA time zone.
# schedule:
#   cron: "0 9 * * MON"
#   timezone: Europe/Berlin

# Values given with --input name=value, or their defaults.
inputs:
  label:
    type: string
    default: urgent
    description: Label to add.

# Only prompt steps use the model. To add one (see the commented step below), set OPENAI_API_KEY in .env
# (OpenAI), or OPENAI_BASE_URL to an OpenAI-compatible server such as Ollama (http://127.0.0.1:11434/v1)
# with RUNNER_MODEL naming one of its models.
agent:
  # model: gpt-5          # default: RUNNER_MODEL, else gpt-5
  instructions: Be precise. Change only what you are asked to.

tools:
  # backend: sandbox      # sandbox | composio | mcp; default: RUNNER_BACKEND, else sandbox
  # Tools the run may call. Without this list, only read tools are allowed.
  allow:
    - CONFLUENCE_SEARCH_CONTENT
    - CONFLUENCE_GET_LABELS_FOR_PAGE
    - CONFLUENCE_ADD_CONTENT_LABEL

limits:
  max_turns: 10
  timeout: 5m

steps:
  - id: find
    title: Find "Q3 Planning"
    tool: CONFLUENCE_SEARCH_CONTENT
    with:
      query: Q3 Planning
      spaceKey: PROD
      limit: 1
    assert:
      - path: data.response_data.size
        equals: 1

  - id: label
    title: Label it {{ inputs.label }}
    tool: CONFLUENCE_ADD_CONTENT_LABEL
    with:
      id: "{{ steps.find.output.data.response_data.results[0].content.id }}"
      labels:
        - { prefix: global, name: "{{ inputs.label }}" }
    assert:
      - path: successful
        equals: true

  # With a model (see above), a prompt step lets the agent do the work with the allowed tools:
  # - id: check
  #   prompt: Read the labels of the page with id {{ steps.find.output.data.response_data.results[0].content.id }}
  #     and answer with them.
  #   output:
  #     schema:
  #       type: object
  #       required: [labels]
  #       properties:
  #         labels: { type: array, items: { type: string } }
`;
}
