/** Where a storage body's `ac:link`s point: pages and blog posts looked up by title, people by account id. */
import type { SandboxStore } from '../store/store.ts';
import type { ContentRow } from '../store/rows.ts';
import { getSpaceByKey } from '../store/spaces.ts';
import { getUser } from '../store/people.ts';
import { webContentPath } from './paths.ts';

/** The lookups the storage renderer makes; each answers undefined when nothing matches. */
export interface StorageLinks {
  /** The web path of the current page titled `title` in space `spaceKey`. */
  page(spaceKey: string, title: string): string | undefined;
  /** The web path of the blog post titled `title` in `spaceKey` (on `postingDay`, `yyyy/MM/dd`, when given). */
  blogpost(spaceKey: string, title: string, postingDay?: string): string | undefined;
  /** A user's display name. */
  user(accountId: string): string | undefined;
}

/** Lookups against the sandbox's store (current and archived content only). */
export function storeLinks(store: SandboxStore): StorageLinks {
  const find = (type: 'page' | 'blogpost', spaceKey: string, title: string, day?: string): string | undefined => {
    const space = getSpaceByKey(store, spaceKey);
    if (!space) return undefined;
    const rows = store.all<ContentRow>(
      "SELECT * FROM content WHERE type = ? AND space_id = ? AND title = ? AND status IN ('current', 'archived') ORDER BY id",
      type,
      space.id,
      title,
    );
    const row = day ? rows.find((r) => r.created_at.slice(0, 10) === day.replace(/\//g, '-')) : rows[0];
    return row ? webContentPath(row, space.key) : undefined;
  };
  return {
    page: (spaceKey, title) => find('page', spaceKey, title),
    blogpost: (spaceKey, title, day) => find('blogpost', spaceKey, title, day),
    user: (accountId) => getUser(store, accountId)?.display_name,
  };
}
