import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, Html, html, joinHtml, trustedHtml } from '../../../src/shared/html.ts';
import { query } from '../../../src/dashboard/query.ts';

test('interpolated values are escaped; markup made by html or trustedHtml passes', () => {
  const hostile = `<img src=x onerror="alert('x')">&`;
  assert.equal(
    html`<p title="${hostile}">${hostile}</p>`.markup,
    '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>',
  );
  assert.equal(html`<ul>${['<a>', html`<li>ok</li>`, trustedHtml('<b>trusted</b>')]}</ul>`.markup, '<ul>&lt;a&gt;<li>ok</li><b>trusted</b></ul>');
  assert.equal(html`${undefined}${null}${false}${0}${true}`.markup, '0');
  assert.equal(joinHtml(['<a>', html`<b>`], ', ').markup, '&lt;a&gt;, <b>');
  assert.equal(escapeHtml(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
});

test('markup cannot be forged from outside: Html is built only by the template and trustedHtml', () => {
  assert.throws(() => new Html('<script>', Symbol('trusted markup') as never), /built with html/);
});

test('query strings leave out empty values and encode the rest', () => {
  assert.equal(query({ a: '1', b: '', c: undefined, d: 'x y&z' }), '?a=1&d=x+y%26z');
  assert.equal(query({ a: '' }), '');
});
