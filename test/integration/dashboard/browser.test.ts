/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core; `.ci/run` installs it, nothing is
 * downloaded): load the runs page, filter, open a run, approve a waiting run with the button and watch it succeed
 * live, then follow the link to the blog post it created into the sandbox's own web view. Screenshots of every
 * step are kept in test-artifacts/dashboard/ to look at.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium, NO_BROWSER, screenshots } from '../../fixtures/browser.ts';
import { sampleRun } from '../../fixtures/run-record.ts';
import { ROOT } from '../e2e/helpers.ts';
import { startWorld } from './world.ts';

const shot = screenshots(ROOT, 'dashboard');

test('runs page, filter, a run, Approve, live success, then the created post in the sandbox view', {
  skip: NO_BROWSER,
}, async (t) => {
  const w = await startWorld(t);
  // History to look at: a few finished runs of another workflow, one failed.
  for (let i = 0; i < 6; i++) {
    const created = new Date(Date.UTC(2026, 10, 23 + i, 15)).toISOString();
    await w.store.save(
      sampleRun({
        id: `history-${i}`,
        createdAt: created,
        ...(i === 4 && { status: 'failed', error: { kind: 'model', message: 'the model ran out of turns (limits.max_turns 10)' } }),
      }),
    );
  }
  const waiting = await w.holdPost('Browser approve');
  assert.equal(waiting.status, 'waiting');

  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, httpCredentials: { username: w.site.email, password: w.site.apiToken } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });

  await page.goto(`${w.dashboard.url}/`);
  await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  assert.equal(await page.locator('tbody tr').count(), 7);
  await shot(page, '1-runs');

  // Filter with the form, by keyboard: status = waiting.
  await page.getByLabel('Status').selectOption('waiting');
  await page.getByRole('button', { name: 'Filter' }).press('Enter');
  await page.waitForURL(/status=waiting/);
  assert.equal(await page.locator('tbody tr').count(), 1);
  await shot(page, '2-filtered');

  await page.getByRole('link', { name: waiting.id.slice(0, 8) }).click();
  await page.waitForURL(new RegExp(`/runs/${waiting.id}$`));
  const preview = page.getByLabel('Content it would write');
  assert.match((await preview.textContent()) ?? '', /Browser approve\s*The release shipped\./);
  await shot(page, '3-waiting');

  await page.getByRole('button', { name: 'Approve call 1' }).click();
  await page.waitForURL(/flash=/);
  assert.match((await page.locator('main').getByRole('status').first().textContent()) ?? '', /approved call 1/);
  // The run goes on in the dashboard's process; the page follows it live, without a reload.
  await page
    .locator('.badge.s-succeeded')
    .first()
    .waitFor({ timeout: 20_000 })
    .catch(async (error: Error) => {
      await shot(page, '4-not-succeeded');
      const run = await w.store.get(waiting.id);
      throw new Error(`${error.message}\nthe run is ${run?.status}: ${JSON.stringify(run?.error)}`);
    });
  await shot(page, '4-succeeded');
  assert.equal((await w.posts('Browser approve')).length, 1, 'one post');

  const link = page.locator('section[aria-label="Links"] a').first();
  const href = await link.getAttribute('href');
  assert.match(href ?? '', /\/wiki\/spaces\/TEAM\/blog\//);
  await link.click();
  await page.waitForURL(/\/wiki\/spaces\/TEAM\/blog\//);
  assert.match((await page.locator('h1').first().textContent()) ?? '', /Browser approve/);
  assert.match((await page.locator('main').textContent()) ?? '', /The release shipped\./);
  await shot(page, '5-sandbox-post');

  await page.goto(`${w.dashboard.url}/workflows`);
  await shot(page, '6-workflows');
  assert.deepEqual(errors, [], 'no script or console errors');
});
