import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html, query, raw } from '../../../src/dashboard/html.ts';

test('interpolated values are escaped; markup made by html or raw passes', () => {
  const hostile = `<img src=x onerror="alert('x')">&`;
  assert.equal(
    html`<p title="${hostile}">${hostile}</p>`.text,
    '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>',
  );
  assert.equal(html`<ul>${['<a>', html`<li>ok</li>`, raw('<b>trusted</b>')]}</ul>`.text, '<ul>&lt;a&gt;<li>ok</li><b>trusted</b></ul>');
  assert.equal(html`${undefined}${null}${false}${0}${true}`.text, '0true');
  assert.equal(escapeHtml(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
});

test('query strings leave out empty values and encode the rest', () => {
  assert.equal(query({ a: '1', b: '', c: undefined, d: 'x y&z' }), '?a=1&d=x+y%26z');
  assert.equal(query({ a: '' }), '');
});
