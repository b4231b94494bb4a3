import * as assert from 'node:assert/strict';
import { markdownCell, markdownCode, markdownCodeBlock, markdownCodeCell, markdownText, notificationText } from '@core/markdown';
import { assertInert, outsideCode } from '../markdownSafety';

/** What a bucket's error answer or an SGBackup's failure message could hold. */
const HOSTILE = 'x`y ![x](https://evil/x.png) [click](command:stackgres.deleteBackup) <img src=x>\n# heading\n\n| a | b |';

describe('Untrusted text in our Markdown', () => {
  it('as text: every punctuation character is escaped, so no link, image, HTML or heading is left', () => {
    assert.equal(markdownText('![x](https://evil/x.png)'), '\\!\\[x\\]\\(https\\:\\/\\/evil\\/x\\.png\\)');
    assert.equal(markdownText('<img src=x>'), '\\<img src\\=x\\>');
    assert.equal(markdownText('plain words 42'), 'plain words 42', 'ordinary text is unchanged');
    assertInert(markdownText(HOSTILE));
    assert.doesNotMatch(outsideCode(markdownText(HOSTILE)), /^#|\n\n/m, 'no heading, and the paragraph does not end');
  });

  it('as text: line breaks stay line breaks inside the same paragraph', () => {
    assert.equal(markdownText('first\n\n\nsecond\r\nthird'), 'first  \nsecond  \nthird');
  });

  it('as code: a fence longer than any backtick run inside, on one line', () => {
    assert.equal(markdownCode('orders-db'), '`orders-db`');
    assert.equal(markdownCode('a`b'), '``a`b``');
    assert.equal(markdownCode('`a``'), '``` `a`` ```');
    assert.equal(markdownCode('one\n\ntwo'), '`one two`');
    assertInert(markdownCode(HOSTILE));
  });

  it('in a table cell: a pipe or a line break cannot end the cell, not even inside code', () => {
    assert.equal(markdownCell('a | b\nc'), 'a \\| b c');
    assert.equal(markdownCodeCell('Access|Denied'), '`Access\\|Denied`');
    assertInert(markdownCell(HOSTILE));
  });

  it('as a code block: no line of the text closes the fence', () => {
    const block = markdownCodeBlock('wal-g failed\n```\n![x](https://evil/x.png)\n````');
    assert.ok(block.startsWith('`````text\n'), block);
    assertInert(block);
  });

  it('in a notification: a link or command link written by the cluster or a bucket stays words', () => {
    // The form VS Code turns into a link in a notification (https:, command: and file: targets).
    const link = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;
    const message = 'The endpoint answered AccessDenied: [Show Log](command:stackgres.deleteBackup "Show Log") or [docs](https://evil.example/x).';
    assert.match(message, link);
    assert.doesNotMatch(notificationText(message), link);
    assert.equal(notificationText(message), 'The endpoint answered AccessDenied: [Show Log] (command:stackgres.deleteBackup "Show Log") or [docs] (https://evil.example/x).');
    assert.equal(notificationText('SGBackup orders-1 (Completed)'), 'SGBackup orders-1 (Completed)');
  });
});
