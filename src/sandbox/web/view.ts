/** What a web view receives and answers: the store and caller in, an HTML page (with its status) or a redirect out. */
import type { SandboxStore } from '../store/store.ts';
import type { UserRow } from '../store/rows.ts';
import type { Html } from '../../shared/html.ts';

/** A request as a view sees it: authenticated, GET or HEAD. */
export interface ViewContext {
  /** The sandbox's store (views only read it). */
  store: SandboxStore;
  /** Who is looking (CQL's currentUser()). */
  user: UserRow;
  /** The request URL (query parameters such as `version`, `cql`, `text`). */
  url: URL;
}

/** An HTML page to send. */
export interface PageAnswer {
  /** Tells a page from a redirect. */
  kind: 'page';
  /** HTTP status (200, 400, 404, ...). */
  status: number;
  /** The document title. */
  title: string;
  /** The content of `<main>`. */
  main: Html;
  /** Text to show in the header's search box. */
  query?: string;
}

/** A redirect to another view. */
export interface RedirectAnswer {
  /** Tells a redirect from a page. */
  kind: 'redirect';
  /** 301 or 302. */
  status: 301 | 302;
  /** The path to go to. */
  location: string;
}

/** A view's answer. */
export type WebAnswer = PageAnswer | RedirectAnswer;

/** A 200 (or other status) page. */
export function page(title: string, main: Html, status = 200, query?: string): PageAnswer {
  return { kind: 'page', status, title, main, query };
}

/** A 302 to `location`. */
export function redirect(location: string): RedirectAnswer {
  return { kind: 'redirect', status: 302, location };
}
