/** Storage-format bodies for the seed's generated pages. */

const TOPICS = [
  'API latency regression',
  'Search v2 rollout',
  'Database upgrade',
  'On-call handover',
  'Quarterly planning',
  'Incident review',
  'Hiring loop',
  'Cost dashboard',
  'Dependency upgrades',
  'Release train',
];

function user(accountId: string): string {
  return `<ac:link><ri:user ri:account-id="${accountId}" /></ac:link>`;
}

/** A meeting-notes page: date, attendees, goals, discussion, decisions and action items. */
export function meetingNotesBody(date: string, week: number, attendees: string[], owner: string): string {
  const topic = TOPICS[week % TOPICS.length]!;
  const next = TOPICS[(week + 3) % TOPICS.length]!;
  return [
    `<h2>Date</h2><p><time datetime="${date}" /></p>`,
    `<h2>Attendees</h2><ul>${attendees.map((a) => `<li>${user(a)}</li>`).join('')}</ul>`,
    `<h2>Goals</h2><ul><li>Review ${topic.toLowerCase()}</li><li>Agree owners for next week</li></ul>`,
    `<h2>Discussion</h2><p>We discussed ${topic.toLowerCase()} and its impact on the roadmap.</p>`,
    `<h2>Decisions</h2><ul><li>Decision: proceed with ${topic.toLowerCase()} as planned.</li></ul>`,
    `<h2>Action items</h2><ac:task-list><ac:task><ac:task-id>${week * 2 + 1}</ac:task-id><ac:task-status>${week > 2 ? 'complete' : 'incomplete'}</ac:task-status>`,
    `<ac:task-body>${user(owner)} follow up on ${next.toLowerCase()}</ac:task-body></ac:task></ac:task-list>`,
  ].join('');
}

/** The Q3 Planning page at a given revision. */
export function planningBody(revision: number): string {
  const parts = ['<h2>Context</h2><p>Q3 is about making knowledge findable.</p>'];
  if (revision >= 2)
    parts.push('<h2>Goals</h2><ol><li>Ship Search v2</li><li>Keep the latency budget under 300 ms</li><li>Start workflow automation</li></ol>');
  if (revision >= 3) parts.push('<h2>Scope</h2><p>Agreed: Search v2 and automation pilots. Offline mode moves to Q4.</p>');
  parts.push('<ac:structured-macro ac:name="info"><ac:rich-text-body><p>Owner: product team.</p></ac:rich-text-body></ac:structured-macro>');
  return parts.join('');
}
