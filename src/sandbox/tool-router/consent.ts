import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionStore } from './connections.ts';

/**
 * The page an auth link opens: `GET /tool_router/link/{token}` shows who is connecting what and one button;
 * its `POST` activates the connection (the sandbox's stand-in for a provider's OAuth consent). The token in the
 * path is the secret, as in a real auth link, so the page wants no API key.
 */

/** Path of an auth link's consent page. */
export const CONSENT_ROUTE = /^\/tool_router\/link\/([A-Za-z0-9_-]+)\/?$/;

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function page(res: ServerResponse, status: number, body: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Connect Confluence</title></head><body>${body}</body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'content-security-policy': "default-src 'none'; form-action 'self'",
    'x-frame-options': 'DENY',
  });
  res.end(html);
}

/** Serves the consent page of an auth link; false when the path is not one. */
export async function serveConsent(req: IncomingMessage, res: ServerResponse, url: URL, connections: ConnectionStore): Promise<boolean> {
  const match = CONSENT_ROUTE.exec(url.pathname);
  if (!match) return false;
  const token = match[1] as string;
  const method = req.method ?? 'GET';
  const account = connections.byToken(token);
  if (!account) {
    page(res, 404, '<h1>Unknown or expired link</h1><p>Ask for a new one with <code>runner connect</code>.</p>');
    return true;
  }
  const who = `<p>User <strong>${escapeHtml(account.userId)}</strong> · toolkit <strong>${escapeHtml(account.toolkit)}</strong> · account <code>${escapeHtml(account.id)}</code></p>`;
  if (method === 'GET' || method === 'HEAD') {
    const body =
      account.status === 'INITIATED'
        ? `<h1>Connect ${escapeHtml(account.toolkit)} (sandbox)</h1>${who}<form method="post"><button type="submit">Allow access</button></form>`
        : `<h1>Connection ${escapeHtml(account.status.toLowerCase())}</h1>${who}`;
    page(res, 200, body);
    return true;
  }
  if (method === 'POST') {
    for await (const _ of req) {
      // The form carries nothing; the body is drained so the connection can be reused.
    }
    const confirmed = connections.confirm(token);
    if (confirmed?.callbackUrl) {
      const target = new URL(confirmed.callbackUrl);
      target.searchParams.set('status', confirmed.status === 'ACTIVE' ? 'success' : 'failed');
      target.searchParams.set('connected_account_id', confirmed.id);
      res.writeHead(303, { location: target.toString(), 'content-length': 0 });
      res.end();
      return true;
    }
    page(res, 200, `<h1>Connected</h1>${who}<p>Status: ${escapeHtml(confirmed?.status ?? 'FAILED')}. You can close this page.</p>`);
    return true;
  }
  res.writeHead(405, { allow: 'GET, POST', 'content-length': 0 });
  res.end();
  return true;
}
