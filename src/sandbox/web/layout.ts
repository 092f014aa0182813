/** The document every view sits in: the header bar with "Sandbox Confluence" and the search box, `<main>`, a footer. */
import { type Html, html, trustedHtml } from '../../shared/html.ts';
import { STYLESHEET } from './style.ts';

/** What {@link layout} wraps. */
export interface LayoutOptions {
  /** The page's title (the tab shows `<title> · Sandbox Confluence`). */
  title: string;
  /** The content of `<main>`, starting with its h1. */
  main: Html;
  /** Text shown in the header's search box (default empty). */
  query?: string;
}

const STYLE = trustedHtml(`<style>${STYLESHEET}</style>`);

/** A whole HTML document. */
export function layout(options: LayoutOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${options.title} · Sandbox Confluence</title>
${STYLE}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
<a class="brand" href="/wiki">Sandbox Confluence</a>
<nav aria-label="Site"><a href="/wiki/spaces">Spaces</a></nav>
<form role="search" action="/wiki/search" method="get">
<label for="site-search" class="visually-hidden">Search the sandbox</label>
<input id="site-search" type="search" name="text" value="${options.query ?? ''}" placeholder="Search">
<button type="submit">Search</button>
</form>
</header>
<main id="main">
${options.main}
</main>
<footer>The embedded Confluence sandbox of confluence-runner: a stand-in on SQLite, not a real Confluence site.</footer>
</body>
</html>
`.markup;
}
