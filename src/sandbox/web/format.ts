/** Small pieces the views share: times, people, status lozenges. */
import type { SandboxStore } from '../store/store.ts';
import { getUser } from '../store/people.ts';
import { type Html, html } from '../../shared/html.ts';

/** An ISO timestamp as `<time>`: `2025-03-07 09:30 UTC`. */
export function timeHtml(iso: string): Html {
  const shown = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
  return html`<time datetime="${iso}">${shown}</time>`;
}

/** A user's display name, or the account id when the user is not stored. */
export function userName(store: SandboxStore, accountId: string): string {
  return getUser(store, accountId)?.display_name ?? accountId;
}

/** A small lozenge for a status other than current (archived, draft, trashed); nothing for current. */
export function statusLozenge(status: string): Html {
  return status === 'current' ? html`` : html`<span class="lozenge">${status}</span>`;
}
