/**
 * The dashboard over real parts (SQLite, the sandbox, the scripted model through the Agents SDK, the engine): its
 * pages, filters and paging, escaping of hostile record text, live updates over server-sent events, the Approve,
 * Reject and Re-run buttons with the effects of `runner approve/reject/rerun`, and who may use it.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { RunRecord } from '../../../src/runs/types.ts';
import { sampleRun } from '../../fixtures/run-record.ts';
import { startWorld, type World } from './world.ts';

/** GET or POST a dashboard path without following redirects. */
async function call(w: World, path: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${w.dashboard.url}${path}`, { redirect: 'manual', ...init });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** POSTs a form. */
function post(w: World, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return call(w, path, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

/** The form token of a page. */
function csrfOf(page: string): string {
  const token = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
  assert.ok(token, 'the page has a form token');
  return token;
}

/** Waits until the run's record satisfies `done` (the buttons answer before the run ends). */
async function until(w: World, id: string, done: (run: RunRecord) => boolean): Promise<RunRecord> {
  for (let i = 0; i < 200; i++) {
    const run = await w.store.get(id);
    if (run && done(run)) return run;
    await delay(50);
  }
  assert.fail(`run ${id} never got there: ${JSON.stringify((await w.store.get(id))?.status)}`);
}

/** Saves `n` finished runs of `workflow`, one minute apart from `start`, newest last. */
async function seed(w: World, n: number, start: number, overrides: Partial<RunRecord> = {}): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (let i = 0; i < n; i++) {
    const created = new Date(start + i * 60_000).toISOString();
    const run = sampleRun({
      id: `seed-${start}-${String(i).padStart(3, '0')}`,
      createdAt: created,
      startedAt: created,
      endedAt: new Date(start + i * 60_000 + 4_000).toISOString(),
      ...overrides,
    });
    await w.store.save(run);
    runs.push(run);
  }
  return runs;
}

describe('pages', () => {
  test('runs: newest first, filters by workflow, status, trigger and date, 50 a page with an older link', async (t) => {
    const w = await startWorld(t);
    const start = Date.UTC(2026, 10, 2, 8);
    await seed(w, 55, start);
    await seed(w, 3, Date.UTC(2026, 10, 20, 8), {
      workflow: 'held-post',
      status: 'failed',
      trigger: { type: 'manual' },
      error: { kind: 'model', message: 'the model gave up\nsecond line' },
    });
    const first = await call(w, '/');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(first.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const rows = [...first.text.matchAll(/<tr data-run="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(rows.length, 50);
    assert.equal(rows[0], `seed-${Date.UTC(2026, 10, 20, 8)}-002`, 'newest first');
    assert.match(first.text, /model:<\/span> the model gave up<\/td>/, 'the failure reason is in the row (first line)');
    const older = /href="\/(\?before=[^"]+)">Older runs/.exec(first.text)?.[1];
    assert.ok(older, 'an older page exists');
    const second = await call(w, `/${older.replaceAll('&amp;', '&')}`);
    const rows2 = [...second.text.matchAll(/<tr data-run="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(rows2.length, 8, '58 runs: 50, then 8');
    assert.equal(new Set([...rows, ...rows2]).size, 58, 'no run twice, none lost');
    assert.doesNotMatch(second.text, /Older runs/);

    const failed = await call(w, '/?status=failed&workflow=held-post&trigger=manual');
    assert.equal([...failed.text.matchAll(/<tr data-run=/g)].length, 3);
    const scheduled = await call(w, '/?trigger=schedule&from=2026-11-02&to=2026-11-02');
    assert.equal([...scheduled.text.matchAll(/<tr data-run=/g)].length, 50, 'the seeded runs are scheduled, all on Nov 2: a full page');
    assert.match(
      scheduled.text,
      /href="\/\?trigger=schedule&amp;from=2026-11-02&amp;to=2026-11-02&amp;before=[^"]+">Older runs/,
      'the older link keeps the filters',
    );
    const none = await call(w, '/?from=2026-11-03&to=2026-11-19');
    assert.match(none.text, /No runs match these filters/);
    const bad = await call(w, '/?status=exploded');
    assert.equal(bad.status, 200);
    assert.match(bad.text, /unknown status &#39;exploded&#39;/);
  });

  test('hostile text in records is shown, never run: messages, outputs, arguments, links', async (t) => {
    const w = await startWorld(t);
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const run = sampleRun({
      id: 'evil-run-000001',
      status: 'failed',
      error: { kind: 'tool', message: evil },
      outputs: { main: evil },
      links: ['javascript:alert(3)', 'http://127.0.0.1:8787/wiki/spaces/TEAM/blog/x?a="><script>'],
      inputs: { title: evil },
    });
    run.attempts[1]!.steps[0]!.toolCalls[0]!.args = { query: evil };
    await w.store.save(run);
    // A held call whose body is hostile storage: rendered through the allowlist, never as it was written.
    const held = sampleRun({
      id: 'evil-held-000001',
      status: 'waiting',
      approvals: [
        {
          since: '2026-11-27T15:00:00.000Z',
          expiresAt: '2026-11-28T15:00:00.000Z',
          note: evil,
          resume: { step: 'publish', index: 0 },
          calls: [
            {
              n: 1,
              tool: 'CONFLUENCE_CREATE_PAGE',
              effect: 'write',
              step: 'publish',
              args: {
                title: evil,
                body: { representation: 'storage', value: `<p>ok</p>${evil}<a href="javascript:alert(4)">x</a><p onclick="alert(5)">y</p>` },
              },
              preview: evil,
            },
          ],
        },
      ],
    });
    await w.store.save(held);
    const heldPage = (await call(w, '/runs/evil-held-000001')).text;
    assert.match(heldPage, /<div class="rendered"[^>]*><p>ok<\/p>/);
    assert.doesNotMatch(heldPage, /<script>alert|<img src=x|href="javascript:|<[a-z][^>]*\son\w+=/i);
    for (const path of ['/', '/runs/evil-run-000001', '/approvals', '/workflows', '/?status=waiting']) {
      const page = await call(w, path);
      assert.equal(page.status, 200, path);
      assert.doesNotMatch(page.text, /<script>alert|<img src=x/, `${path} escapes record text`);
    }
    const page = (await call(w, '/runs/evil-run-000001')).text;
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(page, /href="javascript:/);
    assert.match(page, /<a href="#">javascript:alert\(3\)<\/a>/, 'a link that is not http(s) is text');
  });

  test('a run page shows the timeline, prompts, outputs and notifications; unknown ids are a 404 page', async (t) => {
    const w = await startWorld(t);
    const run = sampleRun({
      notifications: [
        {
          event: 'failed',
          channel: 'webhook',
          target: 'hooks.example.com/alert',
          rule: 'workflow#1',
          attempts: [{ at: '2026-11-27T15:01:00.000Z', ok: false, status: 503, error: 'HTTP 503' }],
          done: true,
        },
      ],
    });
    await w.store.save(run);
    const page = await call(w, `/runs/${run.id.slice(0, 8)}`);
    assert.equal(page.status, 303, 'a prefix redirects to the full id');
    const full = await call(w, page.headers.get('location')!);
    assert.equal(full.status, 200);
    const bars = [...full.text.matchAll(/class="bar[^"]*" style="left:([\d.]+)%;width:([\d.]+)%"/g)];
    assert.ok(bars.length >= 4, 'a bar per step and per call');
    for (const [, left, width] of bars) assert.ok(Number(left) + Number(width) <= 100.01);
    assert.match(full.text, /Attempt 1 <span class="badge s-failed">failed/);
    assert.match(full.text, /<h3>Prompt<\/h3><pre>List the pages changed in space ENG/);
    assert.match(full.text, /hooks\.example\.com\/alert.*gave up/s);
    assert.match(full.text, /Re-run<\/button>/);
    const missing = await call(w, '/runs/no-such-run-anywhere');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /No run with id no-such-run-anywhere/);
    assert.equal((await call(w, '/nowhere')).status, 404);
    assert.equal((await call(w, '/runs/%E0%A4%A')).status, 404, 'a broken percent-encoding is no run, not an error');
  });

  test('workflows: schedule in words and next fires in its zone, recent outcomes, figures; broken files listed', async (t) => {
    const w = await startWorld(t, { dashboard: { now: () => new Date('2026-12-01T12:00:00Z') } });
    await seed(w, 4, Date.UTC(2026, 10, 23, 8), { workflow: 'monday-digest', usage: { requests: 2, inputTokens: 1200, outputTokens: 300 } });
    await seed(w, 1, Date.UTC(2026, 10, 30, 8), {
      workflow: 'monday-digest',
      status: 'failed',
      error: { kind: 'tool', message: 'x' },
      usage: { requests: 1, inputTokens: 1500, outputTokens: 0 },
    });
    const page = await call(w, '/workflows');
    assert.equal(page.status, 200);
    assert.match(page.text, /At 09:00, only on Monday <code>0 9 \* \* MON<\/code> \(Europe\/Paris\)/);
    assert.match(page.text, /<time datetime="2026-12-07T08:00:00.000Z">Mon 2026-12-07 09:00<\/time>/, 'the next fire, in Paris time');
    assert.equal([...page.text.matchAll(/class="s-(succeeded|failed)" href="\/runs\//g)].length, 5, 'a strip of 5 outcomes');
    assert.match(page.text, /<dt>Success rate<\/dt><dd>80%<\/dd>/);
    assert.match(page.text, /<dt>Tokens per run<\/dt><dd>1.5k/);
    assert.match(page.text, /<svg class="chart"/);
    assert.match(page.text, /broken\.yaml<\/strong><pre>[^<]*broken\.yaml:\d+:\d+: /, 'an invalid file with file:line:col');
  });
});

describe('live updates', () => {
  test('the runs stream says change when a run is saved, and the fragment holds the new row', async (t) => {
    const w = await startWorld(t);
    await seed(w, 1, Date.UTC(2026, 10, 2, 8));
    const events: string[] = [];
    const ended = new AbortController();
    t.after(() => ended.abort());
    const res = await fetch(`${w.dashboard.url}/events/runs`, { signal: ended.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const reader = res.body!.getReader();
    const reading = (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        events.push(decoder.decode(value));
      }
    })();
    await delay(300);
    assert.ok(!events.join('').includes('event: change'), 'nothing changed yet');
    const [fresh] = await seed(w, 1, Date.UTC(2026, 10, 3, 8));
    for (let i = 0; i < 50 && !events.join('').includes('event: change'); i++) await delay(50);
    assert.match(events.join(''), /event: change/);
    const fragment = await call(w, '/', { headers: { 'x-fragment': 'live' } });
    assert.match(fragment.text, new RegExp(`data-run="${fresh!.id}"`));
    assert.doesNotMatch(fragment.text, /<html/, 'only the live part');
    ended.abort();
    await reading;
  });
  test('a page rendered before a change it subscribes after is told at once (the run ended in between)', async (t) => {
    const w = await startWorld(t);
    const [run] = await seed(w, 1, Date.UTC(2026, 10, 2, 8));
    const page = await call(w, `/runs/${run!.id}`);
    const live = /data-live="([^"]+)"/.exec(page.text)![1]!.replaceAll('&amp;', '&');
    assert.match(live, /\?v=[\w-]{16}$/, 'the stream URL carries what the page showed');
    const first = async (path: string) => {
      const ended = new AbortController();
      const res = await fetch(`${w.dashboard.url}${path}`, { signal: ended.signal });
      const reader = res.body!.getReader();
      let text = '';
      const deadline = Date.now() + 1500;
      while (Date.now() < deadline && !text.includes('event: change')) {
        const chunk = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 300))]);
        if (chunk?.value) text += new TextDecoder().decode(chunk.value);
      }
      ended.abort();
      return text;
    };
    assert.doesNotMatch(await first(live), /event: change/, 'nothing moved since the render');
    await w.store.save({ ...run!, status: 'failed', error: { kind: 'tool', message: 'late' } });
    assert.match(await first(live), /event: change/, 'moved since the render: told at once');
  });
});

describe('buttons', () => {
  test('Approve: the held post is written exactly once and the run succeeds; the page says so', async (t) => {
    const w = await startWorld(t);
    const waiting = await w.holdPost('Dashboard approve');
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const approvals = await call(w, '/approvals');
    assert.match(approvals.text, new RegExp(`data-run="${waiting.id}"`));
    assert.match(approvals.text, /A post titled Dashboard approve goes to the whole team\./);
    const page = await call(w, `/runs/${waiting.id}`);
    assert.match(
      page.text,
      /<div class="rendered" aria-label="Content it would write"><h3>Dashboard approve<\/h3><p>The release <strong>shipped<\/strong>\.<\/p>/,
      'the body as the page would show it',
    );
    assert.match(page.text, /<div class="preview">## Dashboard approve\nThe release shipped\./, 'and as text');
    assert.match(page.text, /Approve call 1<\/button>/);
    assert.deepEqual(await w.posts('Dashboard approve'), [], 'nothing written while it waits');

    // Without the form token (another site's form), nothing is decided.
    const forged = await post(w, `/runs/${waiting.id}/approve`, { call: '1' });
    assert.equal(forged.status, 403);
    assert.equal((await w.store.get(waiting.id))!.status, 'waiting');

    const done = await post(w, `/runs/${waiting.id}/approve`, { call: '1', csrf: csrfOf(page.text) });
    assert.equal(done.status, 303);
    const location = done.headers.get('location')!;
    assert.match(location, new RegExp(`^/runs/${waiting.id}\\?flash=`));
    const ended = await until(w, waiting.id, (r) => r.status !== 'waiting' && r.status !== 'running');
    assert.equal(ended.status, 'succeeded', JSON.stringify(ended.error));
    assert.equal((await w.posts('Dashboard approve')).length, 1, 'exactly one post');
    assert.match(ended.approvals![0]!.calls[0]!.decision!.by, /^dashboard \(/);
    assert.ok(
      ended.links.some((l) => l.includes('/wiki/spaces/TEAM/blog/')),
      'the run links the post',
    );
    const after = await call(w, location);
    assert.match(after.text, /approved call 1; run [0-9a-f]{8} goes on here/);
    assert.match(after.text, /badge s-succeeded">succeeded/);
    // A second click on a stale page: the lifecycle refuses it, the page says why.
    const again = await post(w, `/runs/${waiting.id}/approve`, { call: '1', csrf: csrfOf(page.text) });
    assert.match((await call(w, again.headers.get('location')!)).text, /class="failure" role="status">[^<]*not waiting/);
    assert.equal((await w.posts('Dashboard approve')).length, 1, 'still one post');
  });

  test('Reject with a reason: nothing is written and the model hears a person refused', async (t) => {
    const w = await startWorld(t);
    const waiting = await w.holdPost('Dashboard reject');
    const page = await call(w, `/runs/${waiting.id}`);
    await post(w, `/runs/${waiting.id}/reject`, { call: '1', reason: 'wrong week', csrf: csrfOf(page.text) });
    const ended = await until(w, waiting.id, (r) => r.status !== 'waiting' && r.status !== 'running');
    assert.deepEqual(await w.posts('Dashboard reject'), []);
    assert.equal(ended.approvals![0]!.calls[0]!.decision!.reason, 'wrong week');
    assert.match(JSON.stringify(w.model.requests.at(-1)), /wrong week/, 'the reason reached the model');
  });

  test('Re-run: a new run of the recorded text, linked both ways', async (t) => {
    const w = await startWorld(t);
    const waiting = await w.holdPost('Dashboard rerun');
    const page = await call(w, `/runs/${waiting.id}`);
    await post(w, `/runs/${waiting.id}/approve`, { call: '1', csrf: csrfOf(page.text) });
    await until(w, waiting.id, (r) => r.status === 'succeeded');
    const res = await post(w, `/runs/${waiting.id}/rerun`, { csrf: csrfOf(page.text) });
    assert.equal(res.status, 303);
    const rerunId = /^\/runs\/([^?]+)\?/.exec(res.headers.get('location')!)![1]!;
    assert.notEqual(rerunId, waiting.id);
    const rerun = await until(w, rerunId, (r) => r.status === 'waiting');
    assert.deepEqual(rerun.trigger, { type: 'rerun', of: waiting.id });
    assert.deepEqual(rerun.inputs, waiting.inputs);
    assert.deepEqual((await w.store.get(waiting.id))!.reruns, [rerunId]);
    // A waiting run is not re-run (it has not ended): the page says so.
    const refused = await post(w, `/runs/${rerunId}/rerun`, { csrf: csrfOf(page.text) });
    assert.match((await call(w, refused.headers.get('location')!)).text, /is waiting; re-run it once it has ended/);
  });
});

describe('who may use it', () => {
  test('with a token: sign-in page, bearer or cookie; a wrong token, a foreign Host or Origin are refused', async (t) => {
    const w = await startWorld(t, { dashboard: { token: 'tok-dashboard-123' } });
    const anonymous = await call(w, '/');
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.text, /Sign in/);
    assert.doesNotMatch(anonymous.text, /data-run/);
    assert.equal((await call(w, '/events/runs')).status, 401);
    assert.equal((await call(w, '/', { headers: { authorization: 'Bearer tok-dashboard-123' } })).status, 200);
    assert.equal((await call(w, '/', { headers: { authorization: 'Bearer nope' } })).status, 401);
    assert.equal((await post(w, '/login', { token: 'nope' })).status, 401);
    const signedIn = await post(w, '/login', { token: 'tok-dashboard-123' });
    assert.equal(signedIn.status, 303);
    const cookie = signedIn.headers.get('set-cookie')!;
    assert.match(cookie, /HttpOnly; SameSite=Strict/);
    assert.equal((await call(w, '/', { headers: { cookie: cookie.split(';')[0]! } })).status, 200);
    const viaLink = await call(w, '/login?token=tok-dashboard-123');
    assert.equal(viaLink.status, 303, 'the printed sign-in link sets the cookie');
    // The browser's CSS loads on the sign-in page too.
    assert.equal((await call(w, '/assets/dashboard.css')).status, 200);

    // DNS rebinding: a name that resolves here but is not ours.
    const port = new URL(w.dashboard.url).port;
    const foreign = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/', headers: { host: `evil.example:${port}`, authorization: 'Bearer tok-dashboard-123' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(foreign, 403);
    const crossSite = await post(w, '/runs/x/approve', { csrf: 'x' }, { origin: 'https://evil.example', authorization: 'Bearer tok-dashboard-123' });
    assert.equal(crossSite.status, 403);
  });

  test('only GET and POST; a huge form is refused without harm', async (t) => {
    const w = await startWorld(t);
    assert.equal((await call(w, '/', { method: 'DELETE' })).status, 405);
    const huge = await post(w, '/runs/x/approve', { csrf: 'x'.repeat(100_000) });
    assert.equal(huge.status, 500);
    assert.match(huge.text, /the form is too large/);
    assert.equal((await call(w, '/')).status, 200, 'still serving');
    assert.equal((await call(w, '/queues')).status, 404, 'no Queue page without Redis');
  });
});
