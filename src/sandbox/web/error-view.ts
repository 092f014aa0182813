/** The views' error pages: 400, 401, 404, 405 and 500, each an HTML page that says what to do (never a stack trace). */
import { type Html, html } from '../../shared/html.ts';
import { type PageAnswer, page } from './view.ts';

/** A page with an error box: `heading` as h1, `detail` below it. */
export function errorPage(status: number, heading: string, detail: Html | string): PageAnswer {
  return page(heading, html`<h1>${heading}</h1><div class="error" role="alert">${typeof detail === 'string' ? html`<p>${detail}</p>` : detail}</div>`, status);
}

/** 404: nothing at this address. */
export function notFound(detail: string): PageAnswer {
  return errorPage(404, 'Not found', html`<p>${detail}</p><p><a href="/wiki/spaces">Browse the spaces</a> or use the search box.</p>`);
}

/** 405: the web views only answer GET (and HEAD). */
export function methodNotAllowed(method: string): PageAnswer {
  return errorPage(
    405,
    'Method not allowed',
    `The sandbox's web pages only answer GET, not ${method}. Changes go through the REST API under /wiki/api/v2 and /wiki/rest/api.`,
  );
}

/** 401: log in with HTTP Basic; names the sandbox's default login. */
export function unauthorized(defaultLogin: { email: string; apiToken: string }): PageAnswer {
  return errorPage(
    401,
    'Log in to the sandbox',
    html`<p>The sandbox's pages want the same HTTP Basic login as its REST API. Unless the sandbox was started with its own
<code>--email</code>/<code>--token</code> (or <code>RUNNER_SANDBOX_EMAIL</code>/<code>RUNNER_SANDBOX_TOKEN</code>), the user name is
<code>${defaultLogin.email}</code> and the password <code>${defaultLogin.apiToken}</code>.</p>`,
  );
}

/** 500: a bug in the sandbox; the details stay on the server side. */
export function internalError(): PageAnswer {
  return errorPage(500, 'Something went wrong', 'The sandbox could not build this page. The REST API may tell more about the content you asked for.');
}
