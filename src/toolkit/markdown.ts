/**
 * Markdown to Confluence storage format (XHTML), on markdown-it (CommonMark plus tables and strikethrough). Raw HTML
 * is escaped, void elements are self-closed, entities are decoded to characters (so nothing undeclared reaches XML),
 * and the Confluence-only constructs get their storage shapes: task lists (`- [ ]`), fenced code (the `code` macro,
 * CDATA-safe), images (`ac:image`) and GitHub alerts (`> [!NOTE]` → the `info`, `tip`, `note` and `warning` macros).
 */
import { createRequire } from 'node:module';
import type { MarkdownIt, RendererRule, Token } from 'markdown-it';

// markdown-it loads on the first conversion (a template's `markdown` filter, a Markdown body), not with every command.
const require = createRequire(import.meta.url);

/** GitHub alert kinds and the Confluence panel macro of the closest colour (Confluence's `warning` is red, `note` yellow). */
const ALERT_MACROS: Record<string, string> = { NOTE: 'info', TIP: 'tip', IMPORTANT: 'note', WARNING: 'note', CAUTION: 'warning' };
const ALERT = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\n|$)/i;
const TASK = /^\[([ xX])\][ \t]+/;
/** Code languages under the names Confluence's code macro knows. */
const LANGUAGES: Record<string, string> = { js: 'javascript', ts: 'typescript', sh: 'bash', shell: 'bash', zsh: 'bash', py: 'python', yml: 'yaml', rb: 'ruby' };
/** Characters XML 1.0 forbids (C0 controls but tab, newline and return; U+FFFE/U+FFFF; lone surrogates). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

let parser: MarkdownIt | undefined;

/** Converts Markdown to storage format; the result is always well-formed XML (given the `ac:`/`ri:` prefixes). */
export function markdownToStorage(markdown: string): string {
  parser ??= createParser();
  return parser.render(markdown.replace(NOT_XML, '')).trimEnd();
}

/** Text made safe inside a CDATA section: each `]]>` is split across two sections. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

function createParser(): MarkdownIt {
  const markdownIt = require('markdown-it') as typeof import('markdown-it').default;
  const md = markdownIt('default', { html: false, xhtmlOut: true, breaks: false, linkify: false, typographer: false });
  md.core.ruler.after('block', 'confluence_blocks', (state) => {
    markTaskLists(state.tokens);
    markAlerts(state.tokens);
  });
  const rules = md.renderer.rules;
  const esc = md.utils.escapeHtml;

  const code = (text: string, info: string): string => {
    const name = info.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    const language = name ? `<ac:parameter ac:name="language">${esc(LANGUAGES[name] ?? name)}</ac:parameter>` : '';
    return `<ac:structured-macro ac:name="code">${language}<ac:plain-text-body>${cdata(text.replace(/\n$/, ''))}</ac:plain-text-body></ac:structured-macro>\n`;
  };
  rules.fence = (tokens, idx) => code(tokens[idx]!.content, tokens[idx]!.info);
  rules.code_block = (tokens, idx) => code(tokens[idx]!.content, '');

  rules.image = (tokens, idx) => {
    const token = tokens[idx]!;
    const src = String(token.attrGet('src') ?? '');
    const title = String(token.attrGet('title') ?? '');
    const alt = token.children ? md.renderer.renderInlineAsText(token.children, md.options, {}) : token.content;
    const attrs = `${alt ? ` ac:alt="${esc(alt)}"` : ''}${title ? ` ac:title="${esc(title)}"` : ''}`;
    // A bare file name is an attachment of the page; anything else is a URL.
    const resource = /^[^/:?#]+\.[A-Za-z0-9]+$/.test(src) ? `<ri:attachment ri:filename="${esc(src)}" />` : `<ri:url ri:value="${esc(src)}" />`;
    return `<ac:image${attrs}>${resource}</ac:image>`;
  };

  const fallback: RendererRule = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);
  const around = (name: string, open: (t: Token) => string | undefined) => {
    const previous = rules[name] ?? fallback;
    rules[name] = (tokens, idx, options, env, self) => open(tokens[idx]!) ?? previous(tokens, idx, options, env, self);
  };
  around('bullet_list_open', (t) => (t.meta?.task ? '<ac:task-list>\n' : undefined));
  around('bullet_list_close', (t) => (t.meta?.task ? '</ac:task-list>\n' : undefined));
  around('list_item_open', (t) =>
    t.meta?.task ? `<ac:task><ac:task-status>${t.meta.task === 'x' ? 'complete' : 'incomplete'}</ac:task-status><ac:task-body>` : undefined,
  );
  around('list_item_close', (t) => (t.meta?.task ? '</ac:task-body></ac:task>\n' : undefined));
  around('blockquote_open', (t) => (t.meta?.alert ? `<ac:structured-macro ac:name="${t.meta.alert}"><ac:rich-text-body>\n` : undefined));
  around('blockquote_close', (t) => (t.meta?.alert ? '</ac:rich-text-body></ac:structured-macro>\n' : undefined));
  return md;
}

/** Bullet lists whose every item starts with `[ ]` or `[x]` become task lists; the markers leave the text. */
function markTaskLists(tokens: Token[]): void {
  const lists: Array<{ open: Token; items: Array<{ open: Token; inline?: Token }> }> = [];
  const done: typeof lists = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const list = lists[lists.length - 1];
    if (token.type === 'bullet_list_open') lists.push({ open: token, items: [] });
    else if (token.type === 'ordered_list_open') lists.push({ open: token, items: [] });
    else if ((token.type === 'bullet_list_close' || token.type === 'ordered_list_close') && list) done.push(lists.pop()!);
    else if (token.type === 'list_item_open' && list) list.items.push({ open: token });
    else if (token.type === 'inline' && list && tokens[i - 2]?.type === 'list_item_open' && tokens[i - 2] === list.items.at(-1)?.open) {
      list.items[list.items.length - 1]!.inline = token;
    }
  }
  for (const list of done) {
    if (list.open.type !== 'bullet_list_open' || list.items.length === 0) continue;
    if (!list.items.every((item) => item.inline && TASK.test(item.inline.content))) continue;
    list.open.meta = { ...list.open.meta, task: true };
    closeOf(tokens, list.open).meta = { task: true };
    for (const item of list.items) {
      const inline = item.inline!;
      const mark = TASK.exec(inline.content)![1]!.toLowerCase();
      inline.content = inline.content.replace(TASK, '');
      item.open.meta = { ...item.open.meta, task: mark === 'x' ? 'x' : ' ' };
      closeOf(tokens, item.open).meta = { task: true };
    }
  }
}

/** Block quotes whose first line is `[!NOTE]` (or TIP, IMPORTANT, WARNING, CAUTION) become panel macros. */
function markAlerts(tokens: Token[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const open = tokens[i]!;
    if (open.type !== 'blockquote_open' || tokens[i + 1]?.type !== 'paragraph_open') continue;
    const inline = tokens[i + 2];
    const match = inline?.type === 'inline' ? ALERT.exec(inline.content) : null;
    if (!inline || !match) continue;
    const macro = ALERT_MACROS[match[1]!.toUpperCase()]!;
    open.meta = { ...open.meta, alert: macro };
    closeOf(tokens, open).meta = { alert: macro };
    inline.content = inline.content.slice(match[0].length);
    if (inline.content.trim() === '') {
      tokens[i + 1]!.hidden = true;
      tokens[i + 3]!.hidden = true;
    }
  }
}

/** The token closing `open` (same level, next closing token of the matching type). */
function closeOf(tokens: Token[], open: Token): Token {
  const type = open.type.replace(/_open$/, '_close');
  const start = tokens.indexOf(open);
  for (let i = start + 1; i < tokens.length; i++) {
    if (tokens[i]!.type === type && tokens[i]!.level === open.level) return tokens[i]!;
  }
  throw new Error(`markdown: no ${type} for the token at ${start}`);
}
