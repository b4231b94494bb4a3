/**
 * Untrusted strings (names and messages from a manifest, the cluster or a bucket's error answers) inside
 * Markdown we build: tree tooltips, hovers, completion documentation, the access report. Each helper makes
 * the value show as the literal text it is, so a value cannot add a link, an image (a remote request when
 * rendered), HTML, a heading or a table cell, nor end the code span or block it sits in. The one place for
 * this: VS Code's `MarkdownString.appendText` does the same but only once a MarkdownString exists, and the
 * server and the pure report builders have none.
 */

/** Every ASCII punctuation character: CommonMark lets a backslash escape each of them. */
const PUNCTUATION = /[!-/:-@[-`{-~]/g;

/**
 * Text shown as itself. Punctuation is backslash-escaped, which also splits `evil.example` and `https://`
 * so that no renderer turns them into links; line breaks become hard breaks inside the same paragraph.
 */
export function markdownText(s: string): string {
  return s.replace(PUNCTUATION, '\\$&').replace(/[ \t]*(?:\r\n|\r|\n)+/g, '  \n');
}

/** Text for one cell of a Markdown table: as `markdownText`, on one line (a line break would end the row). */
export function markdownCell(s: string): string {
  return markdownText(s.replace(/\s*[\r\n]+\s*/g, ' '));
}

/**
 * Inline code: a fence longer than any run of backticks inside, on one line (a blank line would end the
 * paragraph and the span). Backslashes are literal in code, so nothing else needs escaping.
 */
export function markdownCode(s: string): string {
  const flat = s.replace(/\s*[\r\n]+\s*/g, ' ');
  if (flat === '') return '` `';
  const fence = '`'.repeat(longestRun(flat, '`') + 1);
  // A space on each side is stripped by the renderer; it keeps a leading or trailing backtick from joining the fence.
  const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Inline code in a table cell: GFM splits cells at a pipe even inside code unless it is escaped. */
export function markdownCodeCell(s: string): string {
  return markdownCode(s).replace(/\|/g, '\\|');
}

/** A fenced code block whose fence no line of the text can close. */
export function markdownCodeBlock(s: string, language = 'text'): string {
  const fence = '`'.repeat(Math.max(3, longestRun(s, '`') + 1));
  return `${fence}${language}\n${s.replace(/\r\n?/g, '\n')}\n${fence}\n`;
}

function longestRun(s: string, c: string): number {
  let longest = 0;
  let run = 0;
  for (const ch of s) {
    run = ch === c ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/**
 * Text for a notification (showErrorMessage and the like). Notifications render no Markdown except links
 * written `[label](target)`, `command:` targets included, so a message quoting the cluster or a bucket
 * could offer a disguised link or command. A space between `]` and `(` leaves the words and drops the link.
 */
export function notificationText(s: string): string {
  return s.replace(/\]\s*\(/g, '] (');
}
