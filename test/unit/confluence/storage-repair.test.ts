import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWellFormedStorage, repairStorage } from '../../../src/confluence/storage-repair.ts';

test('well-formed storage comes back unchanged, without a note', () => {
  for (const value of [
    '',
    'text',
    '<p>a &amp; b&nbsp;&#169;</p>',
    '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a < b & c]]></ac:plain-text-body></ac:structured-macro>',
    '<br />',
  ]) {
    assert.deepEqual(repairStorage(value), { value });
  }
});

test('stray & and <, void elements, unclosed and unmatched tags are repaired, and the note lists what was done', () => {
  const cases: Array<[string, string, string]> = [
    ['<p>Fish & chips</p>', '<p>Fish &amp; chips</p>', 'escaped a stray &'],
    ['<p>1 < 2</p>', '<p>1 &lt; 2</p>', 'escaped a stray <'],
    ['<p>a<br>b</p><hr><img src="x.png">', '<p>a<br />b</p><hr /><img src="x.png" />', 'self-closed <br>, self-closed <hr>, self-closed <img>'],
    ['<p><b>bold</p>', '<p><b>bold</b></p>', 'closed <b>'],
    ['<p>x</p></div>', '<p>x</p>', 'dropped an unmatched </div>'],
    ['<ul><li>one<li>two</ul>', '<ul><li>one</li><li>two</li></ul>', 'closed <li>'],
    ['<a href="/?a=1&b=2">l</a>', '<a href="/?a=1&amp;b=2">l</a>', 'escaped a stray &'],
    ['<h2>Title', '<h2>Title</h2>', 'closed <h2>'],
    ['<p>bell\u0007</p><p>', '<p>bell</p><p></p>', 'dropped characters XML forbids, closed <p>'],
  ];
  for (const [input, value, done] of cases) {
    const repaired = repairStorage(input);
    assert.deepEqual(repaired, { value, note: `the storage body was not well-formed XML; the runner ${done}` }, input);
    assert.ok(isWellFormedStorage(repaired.value));
  }
});

test('what cannot be repaired is sent as escaped text in one paragraph', () => {
  const repaired = repairStorage('<p a="1" a="2">dup & more</p>');
  assert.equal(repaired.value, '<p>&lt;p a="1" a="2"&gt;dup &amp; more&lt;/p&gt;</p>');
  assert.match(repaired.note!, /could not be repaired/);
  assert.ok(isWellFormedStorage(repaired.value));
});

test('property: whatever goes in, what comes out is well-formed', () => {
  const pieces = [
    '<p>',
    '</p>',
    '<b>',
    '</i>',
    '<br>',
    '&',
    '&amp;',
    '<',
    '>',
    '<ac:task>',
    '</ac:task>',
    '<![CDATA[x]]>',
    '<!-- c -->',
    'text',
    '"',
    '<a href="&">',
    '</a>',
    '\u0001',
    '<p a=1>',
  ];
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 500; i++) {
    const input = Array.from({ length: 1 + (next() % 10) }, () => pieces[next() % pieces.length]).join('');
    const { value } = repairStorage(input);
    assert.ok(isWellFormedStorage(value), `${JSON.stringify(input)} → ${JSON.stringify(value)}`);
  }
});
