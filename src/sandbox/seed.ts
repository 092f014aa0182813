/** Deterministic demo content for the sandbox, and emptying it again. */
import type { SandboxStore } from './store/store.ts';
import type { UserRow } from './store/rows.ts';
import { upsertUser } from './store/people.ts';
import { createSpace, escapeXml } from './store/spaces.ts';
import { createContent, updateContent } from './store/content.ts';
import { addContentLabels, addSpaceLabels } from './store/labels.ts';
import { createProperty } from './store/properties.ts';
import { addLike, addRestriction, createAttachment, createInlineComment } from './store/extras.ts';
import { recordAudit } from './store/audit.ts';
import { resetStore } from './store/reset.ts';
import { meetingNotesBody, planningBody } from './seed-bodies.ts';

/** Options for {@link seedSandbox}. */
export interface SeedOptions {
  /** The seed's "today": content is dated before it (default: the store clock's day at 00:00 UTC, so a day's seeds agree). */
  now?: Date;
}

const PEOPLE = [
  { email: 'sandbox@example.com', displayName: 'Sandbox User', timeZone: 'UTC' },
  { email: 'alex.rivera@example.com', displayName: 'Alex Rivera', timeZone: 'America/New_York' },
  { email: 'priya.natarajan@example.com', displayName: 'Priya Natarajan', timeZone: 'Asia/Kolkata' },
  { email: 'jordan.lee@example.com', displayName: 'Jordan Lee', timeZone: 'America/Los_Angeles' },
  { email: 'mei.chen@example.com', displayName: 'Mei Chen', timeZone: 'Asia/Singapore' },
  { email: 'samuel.okafor@example.com', displayName: 'Samuel Okafor', timeZone: 'Europe/London' },
  { email: 'elena.garcia@example.com', displayName: 'Elena García', timeZone: 'Europe/Madrid' },
];

const DAY = 86_400_000;

/** Fills an empty store with users, three spaces (MKT, TEAM, PROD), a year of meeting notes and more. Same input, same data. */
export function seedSandbox(store: SandboxStore, options: SeedOptions = {}): void {
  const today = store.clock();
  const now = (options.now ?? new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()))).getTime();
  const realClock = store.clock;
  let tick = now - 400 * DAY;
  // Every timestamp the store takes during seeding comes from this deterministic clock.
  const at = (t: number) => {
    tick = t;
    return new Date(t).toISOString();
  };
  store.clock = () => new Date(tick);
  try {
    store.transaction(() => seedAll(store, now, at));
  } finally {
    store.clock = realClock;
  }
}

function seedAll(store: SandboxStore, now: number, at: (t: number) => string): void {
  const start = now - 380 * DAY;
  const users: UserRow[] = PEOPLE.map((p, i) => upsertUser(store, { ...p, createdAt: at(start + i * 60_000) }));
  const [me, alex, priya, jordan, mei, samuel, elena] = users as [UserRow, UserRow, UserRow, UserRow, UserRow, UserRow, UserRow];

  const mkt = createSpace(store, {
    key: 'MKT',
    name: 'Marketing',
    description: 'Campaigns, brand and launch communication.',
    authorId: alex.account_id,
    createdAt: at(start + DAY),
  });
  const team = createSpace(store, {
    key: 'TEAM',
    name: 'Platform Team',
    description: 'How the platform team works: meetings, rituals, runbooks.',
    authorId: priya.account_id,
    createdAt: at(start + DAY + 3_600_000),
  });
  const prod = createSpace(store, {
    key: 'PROD',
    name: 'Product',
    description: 'Product strategy, planning and requirements.',
    authorId: jordan.account_id,
    createdAt: at(start + DAY + 7_200_000),
  });
  addSpaceLabels(store, mkt.id, ['marketing']);
  addSpaceLabels(store, team.id, ['team', 'engineering']);
  addSpaceLabels(store, prod.id, ['product', 'planning']);

  const page = (spaceId: number, title: string, body: string, authorId: string, t: number, parentId?: number) =>
    createContent(store, { type: 'page', spaceId, title, body, authorId, parentId, createdAt: at(t) });

  // Marketing
  const brand = page(
    mkt.id,
    'Brand guidelines',
    '<h2>Voice</h2><p>Plain, confident, friendly. No jargon.</p><h2>Colours</h2><ul><li>Ink #172B4D</li><li>Sky #0065FF</li></ul>',
    alex.account_id,
    start + 2 * DAY,
  );
  const calendar = page(
    mkt.id,
    'Campaign calendar 2026',
    '<table><tbody><tr><th>Quarter</th><th>Campaign</th></tr><tr><td>Q1</td><td>New year, new workflows</td></tr><tr><td>Q3</td><td>Search v2 launch</td></tr></tbody></table>',
    mei.account_id,
    start + 5 * DAY,
  );
  const launch = page(
    mkt.id,
    'Launch checklist',
    '<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Draft the announcement</ac:task-body></ac:task></ac:task-list>',
    me.account_id,
    start + 9 * DAY,
    calendar.id,
  );
  addContentLabels(store, String(brand.id), [{ name: 'brand' }, { name: 'guidelines' }], alex.account_id);
  addContentLabels(store, String(calendar.id), [{ name: 'campaign' }, { name: 'planning' }], mei.account_id);
  addContentLabels(store, String(launch.id), [{ name: 'launch' }, { name: 'checklist' }], me.account_id);

  // Team: a year of weekly meeting notes under an index page.
  const index = page(
    team.id,
    'Meeting notes',
    '<p>Weekly platform team meeting notes.</p><ac:structured-macro ac:name="children" />',
    priya.account_id,
    start + 3 * DAY,
  );
  addContentLabels(store, String(index.id), [{ name: 'meeting-notes' }], priya.account_id);
  const people = [alex, priya, jordan, mei, samuel, elena];
  // The most recent Friday strictly before "today", so every meeting already happened.
  const lastFriday = now - ((new Date(now).getUTCDay() + 2) % 7 || 7) * DAY;
  for (let week = 51; week >= 0; week--) {
    const day = new Date(lastFriday - week * 7 * DAY);
    day.setUTCHours(10, 0, 0, 0);
    const date = day.toISOString().slice(0, 10);
    const attendees = people.filter((_, i) => (week + i) % 3 !== 0);
    const author = people[week % people.length]!;
    const notes = createContent(store, {
      type: 'page',
      spaceId: team.id,
      parentId: index.id,
      title: `Meeting notes ${date}`,
      authorId: author.account_id,
      body: meetingNotesBody(
        date,
        week,
        attendees.map((u) => u.account_id),
        people[(week + 2) % people.length]!.account_id,
      ),
      createdAt: at(day.getTime()),
    });
    addContentLabels(store, String(notes.id), [{ name: 'meeting-notes' }], author.account_id);
  }
  const runbook = page(
    team.id,
    'On-call runbook',
    '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[kubectl rollout restart deploy/api]]></ac:plain-text-body></ac:structured-macro>',
    samuel.account_id,
    start + 20 * DAY,
  );
  addContentLabels(store, String(runbook.id), [{ name: 'runbook' }, { name: 'on-call' }], samuel.account_id);
  createProperty(store, { kind: 'space', id: team.id }, 'team-settings', { standup: '09:30', timezone: 'Europe/London' }, priya.account_id);

  // Product: Q3 Planning with history, children, a property, an attachment, comments, likes and a restriction.
  const q3t = now - 150 * DAY;
  const q3 = page(prod.id, 'Q3 Planning', planningBody(1), jordan.account_id, q3t);
  updateContent(store, q3.id, 'page', {
    versionNumber: 2,
    title: 'Q3 Planning',
    body: planningBody(2),
    authorId: priya.account_id,
    message: 'Added goals',
    at: at(q3t + 2 * DAY),
  });
  updateContent(store, q3.id, 'page', {
    versionNumber: 3,
    title: 'Q3 Planning',
    body: planningBody(3),
    authorId: jordan.account_id,
    message: 'Agreed scope',
    at: at(q3t + 5 * DAY),
  });
  const roadmap = page(prod.id, 'Roadmap', '<p>Now: Search v2. Next: workflow automation. Later: offline mode.</p>', jordan.account_id, q3t + DAY, q3.id);
  const reqs = page(
    prod.id,
    'Requirements: Search v2',
    "<h2>Problem</h2><p>People cannot find last quarter's decisions.</p><h2>Must have</h2><ul><li>Filter by label</li><li>Sort by date</li></ul>",
    elena.account_id,
    q3t + 3 * DAY,
    q3.id,
  );
  addContentLabels(store, String(q3.id), [{ name: 'planning' }, { name: 'q3' }], jordan.account_id);
  addContentLabels(store, String(roadmap.id), [{ name: 'roadmap' }], jordan.account_id);
  addContentLabels(store, String(reqs.id), [{ name: 'requirements' }, { name: 'search' }], elena.account_id);
  createProperty(store, { kind: 'content', id: q3.id }, 'review-status', { state: 'in-review', reviewers: [priya.account_id] }, jordan.account_id);
  createProperty(store, { kind: 'space', id: prod.id }, 'planning-cycle', { cadence: 'quarterly' }, jordan.account_id);
  const pdf = createAttachment(store, {
    contentId: q3.id,
    title: 'q3-roadmap.pdf',
    mediaType: 'application/pdf',
    fileSize: 482113,
    comment: 'Roadmap slides',
    authorId: jordan.account_id,
    createdAt: at(q3t + 4 * DAY),
  });
  addContentLabels(store, `att${pdf.id}`, [{ name: 'slides' }], jordan.account_id);
  createInlineComment(store, {
    contentId: q3.id,
    body: '<p>Can we confirm the search latency target?</p>',
    selection: 'latency budget',
    authorId: mei.account_id,
    createdAt: at(q3t + 6 * DAY),
  });
  addRestriction(store, { content_id: q3.id, operation: 'update', subject_type: 'user', subject_id: jordan.account_id });
  addRestriction(store, { content_id: q3.id, operation: 'update', subject_type: 'user', subject_id: priya.account_id });
  for (const u of [priya, mei, samuel]) addLike(store, q3.id, u.account_id, at(q3t + 7 * DAY));

  // Blog posts
  const blog = (spaceId: number, title: string, body: string, authorId: string, t: number, labels: string[]) => {
    const post = createContent(store, { type: 'blogpost', spaceId, title, body, authorId, createdAt: at(t) });
    addContentLabels(
      store,
      String(post.id),
      labels.map((name) => ({ name })),
      authorId,
    );
    return post;
  };
  const b1 = blog(mkt.id, 'Announcing Search v2', '<p>Search now understands labels, dates and spaces.</p>', alex.account_id, now - 30 * DAY, [
    'announcement',
    'search',
  ]);
  blog(mkt.id, 'What we learned from the spring campaign', '<p>Short videos beat long posts three to one.</p>', mei.account_id, now - 120 * DAY, [
    'retrospective',
    'campaign',
  ]);
  const b3 = blog(team.id, 'Our new on-call rotation', '<p>From next month on-call rotates weekly on Mondays.</p>', samuel.account_id, now - 14 * DAY, [
    'on-call',
    'team',
  ]);
  blog(prod.id, 'Q3 planning: the short version', `<p>${escapeXml('Three bets: Search v2, automation & offline.')}</p>`, jordan.account_id, now - 140 * DAY, [
    'planning',
    'q3',
  ]);
  createInlineComment(store, {
    contentId: b1.id,
    body: '<p>Should we mention the date filters?</p>',
    selection: 'labels, dates and spaces',
    authorId: priya.account_id,
    createdAt: at(now - 29 * DAY),
  });
  createInlineComment(store, {
    contentId: b3.id,
    body: '<p>Does this include public holidays?</p>',
    selection: 'rotates weekly',
    authorId: elena.account_id,
    resolution: 'resolved',
    createdAt: at(now - 13 * DAY),
  });
  for (const u of [priya, jordan]) addLike(store, b1.id, u.account_id, at(now - 28 * DAY));
  addLike(store, b3.id, alex.account_id, at(now - 12 * DAY));

  recordAudit(store, {
    authorId: priya.account_id,
    at: at(now - DAY),
    summary: 'Space permissions changed',
    category: 'Permissions',
    objectName: 'Platform Team',
    objectType: 'Space',
    changed: [{ name: 'Add comments', oldValue: '', newValue: 'confluence-users' }],
  });
}

/** Empties the store entirely (users too). */
export function resetSandbox(store: SandboxStore): void {
  resetStore(store);
}
