import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { cdata, markdownToStorage } from '../../../src/toolkit/markdown.ts';

const ROOT = '<root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">';
/** Strict XML: the only entities are XML's own and numeric ones (nothing declared). */
function assertXml(storage: string, input: string): void {
  const result = XMLValidator.validate(`${ROOT}${storage}</root>`);
  assert.equal(result, true, `not XML for ${JSON.stringify(input)}:\n${storage}\n${JSON.stringify(result)}`);
  const named = /&([A-Za-z][A-Za-z0-9]*);/g;
  for (const [, name] of storage.matchAll(named)) assert.ok(['amp', 'lt', 'gt', 'quot', 'apos'].includes(name!), `undeclared entity &${name};`);
}
const md = (input: string) => {
  const out = markdownToStorage(input);
  assertXml(out, input);
  return out;
};

test('headings, emphasis, strikethrough, inline code and breaks', () => {
  assert.equal(md('## Title'), '<h2>Title</h2>');
  assert.equal(md('*a* **b** ~~c~~ `d<e>`'), '<p><em>a</em> <strong>b</strong> <s>c</s> <code>d&lt;e&gt;</code></p>');
  assert.equal(md('one  \ntwo\n\n---'), '<p>one<br />\ntwo</p>\n<hr />');
});

test('bullet and ordered lists, nested', () => {
  assert.equal(md('- a\n  - b\n- c'), '<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n<li>c</li>\n</ul>');
  assert.equal(md('3. x\n4. y'), '<ol start="3">\n<li>x</li>\n<li>y</li>\n</ol>');
});

test('task lists become ac:task-list with statuses; mixed lists stay lists', () => {
  assert.equal(
    md('- [ ] todo *now*\n- [x] done\n- [X] also'),
    '<ac:task-list>\n' +
      '<ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>todo <em>now</em></ac:task-body></ac:task>\n' +
      '<ac:task><ac:task-status>complete</ac:task-status><ac:task-body>done</ac:task-body></ac:task>\n' +
      '<ac:task><ac:task-status>complete</ac:task-status><ac:task-body>also</ac:task-body></ac:task>\n' +
      '</ac:task-list>',
  );
  assert.equal(md('- [ ] todo\n- plain'), '<ul>\n<li>[ ] todo</li>\n<li>plain</li>\n</ul>');
  assert.equal(md('1. [ ] ordered'), '<ol>\n<li>[ ] ordered</li>\n</ol>', 'only bullet lists are task lists');
  assert.match(md('- [ ] outer\n  - [x] inner'), /<ac:task-body>outer<ac:task-list>\n<ac:task><ac:task-status>complete<\/ac:task-status><ac:task-body>inner/);
});

test('tables keep their alignment', () => {
  assert.equal(
    md('| a | b |\n|:--|--:|\n| 1 | 2 |'),
    '<table>\n<thead>\n<tr>\n<th style="text-align:left">a</th>\n<th style="text-align:right">b</th>\n</tr>\n</thead>\n' +
      '<tbody>\n<tr>\n<td style="text-align:left">1</td>\n<td style="text-align:right">2</td>\n</tr>\n</tbody>\n</table>',
  );
});

test('links are escaped; unsafe schemes are not linked', () => {
  assert.equal(md('[x](https://e.org/?a=1&b="2" "T & t")'), '<p><a href="https://e.org/?a=1&amp;b=%222%22" title="T &amp; t">x</a></p>');
  assert.equal(md('[x](javascript:alert(1))'), '<p>[x](javascript:alert(1))</p>');
});

test('images become ac:image with ri:url, or ri:attachment for a bare file name', () => {
  assert.equal(md('![A *b*](https://e.org/i.png "T")'), '<p><ac:image ac:alt="A b" ac:title="T"><ri:url ri:value="https://e.org/i.png" /></ac:image></p>');
  assert.equal(md('![](chart.png)'), '<p><ac:image><ri:attachment ri:filename="chart.png" /></ac:image></p>');
});

test('fenced and indented code become the code macro, CDATA-safe', () => {
  assert.equal(
    md('```JS title\nif (a < b && c) x = "]]>";\n```'),
    '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">javascript</ac:parameter>' +
      '<ac:plain-text-body><![CDATA[if (a < b && c) x = "]]]]><![CDATA[>";]]></ac:plain-text-body></ac:structured-macro>',
  );
  assert.equal(md('    plain\n'), '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[plain]]></ac:plain-text-body></ac:structured-macro>');
  assert.equal(md('```\n```'), '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[]]></ac:plain-text-body></ac:structured-macro>');
  assert.equal(cdata(']]>]]>'), '<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>');
});

test('block quotes, and GitHub alerts as panel macros', () => {
  assert.equal(md('> quoted'), '<blockquote>\n<p>quoted</p>\n</blockquote>');
  const alerts: Array<[string, string]> = [
    ['NOTE', 'info'],
    ['TIP', 'tip'],
    ['IMPORTANT', 'note'],
    ['WARNING', 'note'],
    ['CAUTION', 'warning'],
  ];
  for (const [kind, macro] of alerts) {
    assert.equal(
      md(`> [!${kind}]\n> Body *text*\n>\n> More`),
      `<ac:structured-macro ac:name="${macro}"><ac:rich-text-body>\n<p>Body <em>text</em></p>\n<p>More</p>\n</ac:rich-text-body></ac:structured-macro>`,
    );
  }
  assert.equal(
    md('> [!note]\n\n> after'),
    '<ac:structured-macro ac:name="info"><ac:rich-text-body>\n</ac:rich-text-body></ac:structured-macro>\n<blockquote>\n<p>after</p>\n</blockquote>',
  );
  assert.equal(md('> [!TODO]\n> x'), '<blockquote>\n<p>[!TODO]\nx</p>\n</blockquote>', 'unknown kinds stay quotes');
});

test('raw HTML is escaped and entities become characters', () => {
  assert.equal(md('<div onclick="x">hi</div>'), '<p>&lt;div onclick=&quot;x&quot;&gt;hi&lt;/div&gt;</p>');
  assert.equal(md('a&nbsp;b &copy; &#169; &amp; &bogus; &'), '<p>a\u00a0b © © &amp; &amp;bogus; &amp;</p>');
});

test('property: every output of a corpus of tricky inputs is well-formed XML with no undeclared entity', () => {
  const pieces = [
    '# h',
    '**b',
    '*i*',
    '`c',
    '```',
    '~~~',
    '- [ ] t',
    '- [x]',
    '* x',
    '1. y',
    '> q',
    '> [!NOTE]',
    '> [!CAUTION]\n>',
    '|a|b|\n|-|-|\n|1|',
    '[l](http://x?a&b)',
    '![i](x y)',
    '![i](<a b.png>)',
    '<br>',
    '<hr>',
    '</p>',
    '<![CDATA[',
    ']]>',
    '&nbsp;',
    '&#0;',
    '&#xD800;',
    '&',
    '<',
    '>',
    '"',
    "'",
    '\u0000',
    '\u0001',
    '\u000b',
    '\uffff',
    '\ud800',
    '😀',
    '\\',
    '    code',
    '---',
    '***',
    '<!-- c -->',
    '<?xml?>',
    'a  \nb',
    '\t- x',
    '[ref]: http://x\n[ref]',
    'http://auto.link',
    '<http://x>',
    '<a@b.c>',
    '&amp;amp;',
    '\r\n',
    '=== ',
    'Setext\n===',
  ];
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (const piece of pieces) md(piece);
  for (let i = 0; i < 400; i++) {
    const n = 1 + (next() % 8);
    const parts = Array.from({ length: n }, () => pieces[next() % pieces.length]);
    const glue = ['', ' ', '\n', '\n\n'];
    md(parts.map((p) => `${p}${glue[next() % glue.length]}`).join(''));
  }
});
