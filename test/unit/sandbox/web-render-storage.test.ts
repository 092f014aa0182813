import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderStorage } from '../../../src/sandbox/web/render-storage.ts';
import type { StorageLinks } from '../../../src/sandbox/web/storage-links.ts';
import { safeHref, safeImageSrc } from '../../../src/sandbox/web/safe-url.ts';
import { html } from '../../../src/shared/html.ts';

const links: StorageLinks = {
  page: (key, title) => (key === 'DOCS' && title === 'Runbook' ? '/wiki/spaces/DOCS/pages/7/Runbook' : undefined),
  blogpost: (key, title) => (key === 'DOCS' && title === 'News' ? '/wiki/spaces/DOCS/blog/2025/01/02/8/News' : undefined),
  user: (id) => (id === 'u-1' ? 'Ada <Lovelace>' : undefined),
};

const render = (storage: string) => renderStorage(storage, { spaceKey: 'DOCS', links }).markup;

const DANGEROUS = /^(script|style|iframe|object|embed|svg|math|base|meta|link|form|input|button|textarea|select|frame|frameset|template)$/i;
const TAG = /<([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g;
const ATTR = /([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/**
 * Nothing in the output can run: read as a browser tokenizes tags (quoted values kept whole), no element may be a
 * script-capable one (bar the disabled task checkbox), no attribute an event handler or style, no URL javascript:/data:.
 */
function assertInert(out: string): void {
  for (const [tag, name, attrs] of out.matchAll(TAG)) {
    if (name!.toLowerCase() === 'input') assert.match(tag, /^<input type="checkbox" disabled( checked)?>$/, out);
    else assert.doesNotMatch(name!, DANGEROUS, out);
    for (const [, attr, dq, sq, bare] of attrs!.matchAll(ATTR)) {
      assert.doesNotMatch(attr!, /^(on|style$|srcdoc$|formaction$)/i, out);
      const value = (dq ?? sq ?? bare ?? '').replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/[\s\u0000-\u001f]/g, '');
      if (/^(href|src|action|data)$/i.test(attr!)) assert.doesNotMatch(value, /^(javascript|data|vbscript):/i, out);
    }
  }
  assert.doesNotMatch(out, /<\/?(script|style)/i, out);
}

describe('storage → HTML', () => {
  test('keeps the allowed elements: paragraphs, headings, lists, tables, inline marks, links, images', () => {
    const out = render(
      '<h1>Title</h1><p>Some <strong>bold</strong>, <em>em</em>, <u>u</u>, <s>s</s>, <code>x()</code><br/>next</p><hr/>' +
        '<ul><li>a</li></ul><ol start="3"><li>b</li></ol><blockquote><p>q</p></blockquote><pre>pre</pre>' +
        '<table><thead><tr><th colspan="2">H</th></tr></thead><tbody><tr><td rowspan="1">1</td><td>2</td></tr></tbody></table>' +
        '<p><a href="https://example.com/x?a=1&amp;b=2" title="t">ext</a> <a href="/wiki/spaces/DOCS">rel</a> <a href="mailto:a@b.c">mail</a></p>' +
        '<p><img src="https://example.com/i.png" alt="pic" width="20"/><span>s</span></p>',
    );
    assert.match(out, /<h1>Title<\/h1>/);
    assert.match(out, /<p>Some <strong>bold<\/strong>, <em>em<\/em>, <u>u<\/u>, <s>s<\/s>, <code>x\(\)<\/code><br>next<\/p><hr>/);
    assert.match(out, /<ul><li>a<\/li><\/ul><ol start="3"><li>b<\/li><\/ol><blockquote><p>q<\/p><\/blockquote><pre>pre<\/pre>/);
    assert.match(out, /<div class="table-wrap"><table><thead><tr><th colspan="2">H<\/th><\/tr><\/thead><tbody><tr><td rowspan="1">1<\/td><td>2<\/td>/);
    assert.match(out, /<a href="https:\/\/example.com\/x\?a=1&amp;b=2" title="t" rel="noopener noreferrer">ext<\/a>/);
    assert.match(out, /<a href="\/wiki\/spaces\/DOCS">rel<\/a>/);
    assert.match(out, /<a href="mailto:a@b.c">mail<\/a>/);
    assert.match(out, /<img src="https:\/\/example.com\/i.png" alt="pic" width="20"><span>s<\/span>/);
  });

  test('decodes entities and escapes them again, so encoded markup stays text', () => {
    const out = render('<p>1 &lt; 2 &amp;&amp; &lt;script&gt;alert(1)&lt;/script&gt; &nbsp;&mdash; &#60;b&#62; &amp;lt;i&amp;gt;</p>');
    assert.match(out, /<p>1 &lt; 2 &amp;&amp; &lt;script&gt;alert\(1\)&lt;\/script&gt; \u00a0— &lt;b&gt; &amp;lt;i&amp;gt;<\/p>/);
    assertInert(out);
  });

  test('shifts headings so the biggest one lands on topHeading, keeping their order', () => {
    const shifted = renderStorage('<h2>a</h2><h3>b</h3><h6>c</h6>', { topHeading: 3 }).markup;
    assert.equal(shifted, '<h3>a</h3><h4>b</h4><h6>c</h6>');
    assert.equal(renderStorage('<h3>a</h3><h4>b</h4>', { topHeading: 2 }).markup, '<h2>a</h2><h3>b</h3>');
  });

  test('code macro: <pre><code> with the language as class and the CDATA body as text', () => {
    const out = render(
      '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">typescript</ac:parameter><ac:parameter ac:name="title">Example</ac:parameter>' +
        '<ac:plain-text-body><![CDATA[const a = 1 < 2 && "x";]]></ac:plain-text-body></ac:structured-macro>',
    );
    assert.equal(
      out,
      '<figure class="code-block"><figcaption>Example</figcaption><pre><code class="language-typescript">const a = 1 &lt; 2 &amp;&amp; &quot;x&quot;;</code></pre></figure>',
    );
  });

  test('info, note, warning, tip and panel macros: a styled aside with the rich body rendered', () => {
    for (const name of ['info', 'note', 'warning', 'tip', 'panel']) {
      const out = render(`<ac:structured-macro ac:name="${name}"><ac:rich-text-body><p>Body <strong>b</strong></p></ac:rich-text-body></ac:structured-macro>`);
      assert.match(
        out,
        new RegExp(
          `^<aside class="panel panel-${name}" aria-label="[A-Z][a-z]+"><p class="panel-label">[A-Z][a-z]+</p><p>Body <strong>b</strong></p></aside>$`,
        ),
      );
    }
    const titled = render(
      '<ac:structured-macro ac:name="warning"><ac:parameter ac:name="title">Careful</ac:parameter><ac:rich-text-body><p>x</p></ac:rich-text-body></ac:structured-macro>',
    );
    assert.match(titled, /aria-label="Careful"><p class="panel-label">Careful<\/p>/);
  });

  test('task lists: disabled checkboxes, checked when complete', () => {
    const out = render(
      '<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>Done</ac:task-body></ac:task>' +
        '<ac:task><ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>To <em>do</em></ac:task-body></ac:task></ac:task-list>',
    );
    assert.equal(
      out,
      '<ul class="task-list"><li class="task task-done"><label><input type="checkbox" disabled checked> <span>Done</span></label></li>' +
        '<li class="task"><label><input type="checkbox" disabled> <span>To <em>do</em></span></label></li></ul>',
    );
  });

  test('ac:link to a page by title links within the space when found, and stays text when not', () => {
    assert.equal(render('<ac:link><ri:page ri:content-title="Runbook" /></ac:link>'), '<a href="/wiki/spaces/DOCS/pages/7/Runbook">Runbook</a>');
    assert.equal(
      render(
        '<ac:link><ri:page ri:content-title="Runbook" ri:space-key="DOCS" /><ac:plain-text-link-body><![CDATA[the <runbook>]]></ac:plain-text-link-body></ac:link>',
      ),
      '<a href="/wiki/spaces/DOCS/pages/7/Runbook">the &lt;runbook&gt;</a>',
    );
    assert.match(
      render('<ac:link><ri:page ri:content-title="Missing" /></ac:link>'),
      /^<span class="missing-link" title="No such content in DOCS">Missing<\/span>$/,
    );
    assert.equal(
      render('<ac:link><ri:blog-post ri:content-title="News" ri:posting-day="2025/01/02" /></ac:link>'),
      '<a href="/wiki/spaces/DOCS/blog/2025/01/02/8/News">News</a>',
    );
    assert.equal(render('<ac:link><ri:user ri:account-id="u-1" /></ac:link>'), '<span class="mention">@Ada &lt;Lovelace&gt;</span>');
    assert.equal(render('<ac:link><ri:url ri:value="javascript:alert(1)" /></ac:link>'), 'javascript:alert(1)');
  });

  test('emoticons become text; unknown macros a placeholder naming them', () => {
    assert.equal(render('<ac:emoticon ac:name="smile" />'), '<span class="emoticon" role="img" aria-label="smile">🙂</span>');
    assert.match(render('<ac:emoticon ac:name="blob" />'), />:blob:<\/span>$/);
    assert.equal(
      render('<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>'),
      '<span class="macro-placeholder" title="Not rendered by the sandbox">toc macro</span>',
    );
    assert.match(
      render('<ac:structured-macro ac:name="section"><ac:rich-text-body><p>in</p></ac:rich-text-body></ac:structured-macro>'),
      /section macro<span class="macro-body"><p>in<\/p><\/span>/,
    );
  });

  test('a time element shows its date', () => {
    assert.equal(render('<p><time datetime="2025-03-07" /></p>'), '<p><time datetime="2025-03-07">2025-03-07</time></p>');
  });

  test('a body the parser refuses is shown as its escaped source', () => {
    const out = render('<__proto__><script>alert(1)</script></__proto__>');
    assert.match(out, /not well-formed storage format/);
    assert.match(out, /<pre class="storage-source">&lt;__proto__&gt;&lt;script&gt;/);
    assertInert(out);
  });
});

describe('storage → HTML under attack', () => {
  const attacks: Array<[string, string]> = [
    ['a script element', '<p>a</p><script>alert(1)</script>'],
    ['an upper-case script element', '<SCRIPT>alert(1)</SCRIPT>'],
    ['a style element and attribute', '<style>body{display:none}</style><p style="background:url(javascript:alert(1))">x</p>'],
    ['img onerror', '<img src="x" onerror="alert(1)"/>'],
    ['img onerror with a valid src', '<img src="https://example.com/a.png" onerror="alert(1)" onload="alert(2)"/>'],
    ['a javascript: href', '<a href="javascript:alert(1)">x</a>'],
    ['a mixed-case javascript: href with spaces', '<a href="  JaVaScRiPt:alert(1)">x</a>'],
    ['a javascript: href with a tab and a newline inside', '<a href="java&#x09;script:alert(1)">x</a><a href="java&#10;script:alert(1)">y</a>'],
    ['an entity-encoded javascript: href', '<a href="&#106;&#97;vascript:alert(1)">x</a>'],
    [
      'a data: href and a data: image',
      '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a><img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;"/>',
    ],
    ['a vbscript: href', '<a href="vbscript:msgbox(1)">x</a>'],
    ['event handlers on allowed elements', '<p onclick="alert(1)" onmouseover="alert(2)">x</p><table onload="x"><tr><td onfocus="y">1</td></tr></table>'],
    [
      'iframe, object, embed, svg, form, base, meta',
      '<iframe src="https://evil"></iframe><object data="x"></object><embed src="x"/><svg onload="alert(1)"/><form action="x"><input/></form><base href="https://evil/"/><meta http-equiv="refresh" content="0;url=javascript:alert(1)"/>',
    ],
    [
      'CDATA closing the code block',
      '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[</code></pre><script>alert(1)</script>]]></ac:plain-text-body></ac:structured-macro>',
    ],
    ['CDATA in a paragraph', '<p><![CDATA[<img src=x onerror=alert(1)>]]></p>'],
    [
      'a code language trying to leave the class',
      '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">x" onclick="alert(1)</ac:parameter><ac:plain-text-body><![CDATA[a]]></ac:plain-text-body></ac:structured-macro>',
    ],
    [
      'a panel title with markup',
      '<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">&lt;script&gt;alert(1)&lt;/script&gt;" onmouseover="x</ac:parameter><ac:rich-text-body><script>alert(2)</script></ac:rich-text-body></ac:structured-macro>',
    ],
    [
      'a script in a task body',
      '<ac:task-list><ac:task><ac:task-status>complete</ac:task-status><ac:task-body><script>alert(1)</script></ac:task-body></ac:task></ac:task-list>',
    ],
    ['a page link whose title carries markup', '<ac:link><ri:page ri:content-title="&lt;script&gt;alert(1)&lt;/script&gt;" /></ac:link>'],
    ['a link body with a script', '<ac:link><ri:page ri:content-title="Runbook" /><ac:link-body><script>alert(1)</script></ac:link-body></ac:link>'],
    [
      'an ri:url with javascript:',
      '<ac:link><ri:url ri:value="javascript:alert(1)" /></ac:link><ac:image><ri:url ri:value="javascript:alert(1)" /></ac:image>',
    ],
    ['an emoticon fallback with markup', '<ac:emoticon ac:name="x" ac:emoji-fallback="&lt;img src=x onerror=alert(1)&gt;" />'],
    [
      'an attribute that breaks out of its quotes',
      '<a href="https://ok/&quot; onclick=&quot;alert(1)" title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
    ],
    ['a comment and a processing instruction', '<!-- <script>alert(1)</script> --><?xml-stylesheet href="javascript:alert(1)"?><p>ok</p>'],
    ['a DOCTYPE with an entity', '<!DOCTYPE x [<!ENTITY e "<script>alert(1)</script>">]><p>&e;</p>'],
    [
      'a status macro colour',
      '<ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">red" onclick="x</ac:parameter><ac:parameter ac:name="title">t</ac:parameter></ac:structured-macro>',
    ],
  ];
  for (const [name, storage] of attacks) {
    test(name, () => assertInert(render(storage)));
  }

  test('the inertness check itself catches live markup', () => {
    for (const live of [
      '<script>x</script>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:x">',
      '<a href="java&#9;script:x">',
      '<p style="x">',
      '<svg>',
    ]) {
      assert.throws(() => assertInert(live), assert.AssertionError, `not caught: ${live}`);
    }
  });

  test('a script shows as text, not as an element', () => {
    const out = render('<script>alert(1)</script>');
    assert.match(out, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  test('the code block keeps the CDATA as escaped text', () => {
    const out = render(attacks.find(([n]) => n === 'CDATA closing the code block')![1]);
    assert.match(out, /<pre><code>&lt;\/code&gt;&lt;\/pre&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/code><\/pre>/);
  });

  test('an unsafe link keeps its text without the link; an unsafe image becomes a placeholder', () => {
    assert.equal(render('<a href="javascript:alert(1)">click</a>'), '<span>click</span>');
    assert.equal(render('<img src="javascript:alert(1)" alt="A"/>'), '<span class="macro-placeholder">image: A</span>');
  });
});

describe('URL rules', () => {
  test('links: http, https, mailto and relative only', () => {
    for (const ok of ['https://a.b/c', 'http://a.b', 'mailto:x@y.z', '/wiki/x', 'page.html', '?version=2', '#top', '//host/path'])
      assert.equal(safeHref(ok), ok);
    for (const bad of [
      'javascript:alert(1)',
      ' javascript:x',
      'JAVASCRIPT:x',
      'java\tscript:x',
      'java\nscript:x',
      '\u0000javascript:x',
      'data:text/html,x',
      'vbscript:x',
      'file:///etc/passwd',
      '',
    ]) {
      assert.equal(safeHref(bad), undefined, JSON.stringify(bad));
    }
  });

  test('images: absolute http(s) only', () => {
    assert.equal(safeImageSrc('https://a.b/i.png'), 'https://a.b/i.png');
    for (const bad of ['/local.png', 'data:image/png;base64,AAAA', 'javascript:x', 'x.png']) assert.equal(safeImageSrc(bad), undefined, bad);
  });
});

describe('the html template', () => {
  test('escapes interpolated text, keeps Html, flattens lists and drops blanks', () => {
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(
      html`<p title="${'"x"'}">${inner}${['a', '&']}${undefined}${false}${null}${0}</p>`.markup,
      '<p title="&quot;x&quot;"><b>&lt;i&gt;</b>a&amp;0</p>',
    );
  });
});
