/**
 * The sandbox's web views in a real browser (Debian's Chromium through playwright-core; nothing is downloaded): the
 * login, the space list, a space home, a page with macros, the search box, a CQL error. A Content-Security-Policy
 * violation shows as a console error, so "no console errors" also proves the pages need nothing the policy forbids.
 * Screenshots go to test-artifacts/sandbox-web/.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { launchChromium, NO_BROWSER, screenshots } from '../../fixtures/browser.ts';
import { ROOT } from '../e2e/helpers.ts';
import { startTestSandbox } from './helpers.ts';

const shot = screenshots(ROOT, 'sandbox-web');

/** What a locator's element shows, as text. */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}

test('browsing the sandbox: login, spaces, a page, search', {
  skip: NO_BROWSER,
}, async (t) => {
  const sb = await startTestSandbox({ seed: true });
  t.after(() => sb.cleanup());
  const space = await sb.call('GET', '/wiki/api/v2/spaces?keys=PROD');
  const created = await sb.call('POST', '/wiki/api/v2/pages', {
    spaceId: space.json.results[0].id,
    title: 'Browser tour',
    body: {
      representation: 'storage',
      value:
        '<h2>Plan</h2><p>Walk <a href="javascript:alert(1)">through</a> the <strong>sandbox</strong>.</p><img src="x" onerror="alert(1)"/>' +
        '<ac:structured-macro ac:name="warning"><ac:rich-text-body><p>Mind the gap.</p></ac:rich-text-body></ac:structured-macro>' +
        '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">sh</ac:parameter><ac:plain-text-body><![CDATA[runner sandbox serve]]></ac:plain-text-body></ac:structured-macro>' +
        '<ac:task-list><ac:task><ac:task-status>complete</ac:task-status><ac:task-body>Open it</ac:task-body></ac:task></ac:task-list>',
    },
  });
  assert.equal(created.status, 200);

  const browser = await launchChromium();
  t.after(() => browser.close());

  // Headless Chromium cannot show the login prompt: without credentials the page load itself fails.
  const anonymous = await browser.newContext();
  await assert.rejects((await anonymous.newPage()).goto(`${sb.handle.url}/wiki`), /ERR_INVALID_AUTH_CREDENTIALS/);

  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    httpCredentials: { username: sb.handle.email, password: sb.handle.apiToken },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  await page.goto(`${sb.handle.url}/`);
  assert.equal(new URL(page.url()).pathname, '/wiki');
  assert.equal(await text(page.locator('h1')), 'Spaces');
  await shot(page, '1-spaces');

  await page.getByRole('link', { name: 'Product' }).click();
  await page.waitForURL(/\/wiki\/spaces\/PROD$/);
  assert.equal(await text(page.locator('h1')), 'Product');
  await shot(page, '2-space');

  await page.getByRole('navigation', { name: 'Breadcrumb' }).waitFor();
  await page.locator('.tree').getByRole('link', { name: 'Browser tour' }).click();
  await page.waitForURL(/\/pages\/\d+\/Browser\+tour$/);
  assert.equal(await text(page.locator('h1')), 'Browser tour');
  assert.match(await text(page.locator('aside.panel-warning')), /Mind the gap\./);
  assert.equal(await text(page.locator('pre code.language-sh')), 'runner sandbox serve');
  assert.equal(await page.locator('.task-list input[type=checkbox]').isChecked(), true);
  assert.equal(await page.locator('.task-list input[type=checkbox]').isDisabled(), true);
  assert.equal(await page.locator('.content-body a').count(), 0, 'the javascript: link lost its href');
  await shot(page, '3-page');

  await page.getByRole('searchbox', { name: 'Search the sandbox' }).fill('Q3 planning');
  await page.getByRole('searchbox', { name: 'Search the sandbox' }).press('Enter');
  await page.waitForURL(/\/wiki\/search\?text=Q3\+planning/);
  assert.match(await text(page.locator('#results-heading')), /\d+ results?/);
  await shot(page, '4-search');

  await page.getByLabel('CQL query').fill('title = ');
  await page.getByLabel('CQL query').press('Enter');
  await page.waitForURL(/\/wiki\/search\?cql=/);
  assert.match(await text(page.getByRole('alert')), /The CQL query could not be parsed: Expected a value/);
  await shot(page, '5-cql-error');

  assert.deepEqual(dialogs, [], 'no script ran');
  // The CQL error page answers 400, which Chromium reports as a failed resource load; nothing else may fail.
  assert.deepEqual(
    errors.filter((e) => !/status of 400/.test(e)),
    [],
    'no script, CSP or console errors',
  );
});
