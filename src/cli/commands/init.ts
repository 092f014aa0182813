import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../../config/settings.ts';
import { UserError } from '../../shared/errors.ts';
import { WORKFLOW_SCHEMA_URL } from '../../workflow/schema.ts';
import { out } from '../output.ts';

/** Writes `workflows/example.yaml` and `.env.example` into `dir`; refuses to overwrite anything. */
export async function initCommand(dir: string): Promise<void> {
  const workflows = join(dir, 'workflows');
  const schemaPath = relative(workflows, fileURLToPath(WORKFLOW_SCHEMA_URL)).split('\\').join('/');
  const files = [
    { path: join(workflows, 'example.yaml'), text: exampleWorkflow(schemaPath) },
    { path: join(dir, '.env.example'), text: envExample() },
  ];
  const existing = files.filter((f) => existsSync(f.path)).map((f) => f.path);
  if (existing.length) throw new UserError(`refusing to overwrite ${existing.join(', ')}; move ${existing.length === 1 ? 'it' : 'them'} away first`);
  await mkdir(workflows, { recursive: true });
  for (const f of files) await writeFile(f.path, f.text, { flag: 'wx' });
  for (const f of files) out(`created ${f.path}`);
  out('next: copy .env.example to .env, edit workflows/example.yaml, then `runner validate` and `runner run workflows/example.yaml --plan`');
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
version: 1
# Unique kebab-case name.
name: example
description: Label the Q3 planning page as urgent.

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
    prompt: Find the page titled "Q3 Planning" and answer with its id.
    output:
      schema:
        type: object
        required: [id]
        properties:
          id: { type: string }

  - id: label
    tool: CONFLUENCE_ADD_CONTENT_LABEL
    with:
      id: "{{ steps.find.output.id }}"
      labels:
        - { prefix: global, name: "{{ inputs.label }}" }
    assert:
      - path: successful
        equals: true
`;
}
