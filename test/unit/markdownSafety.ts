/**
 * For tests of Markdown built from untrusted values: what a CommonMark renderer would still read as
 * Markdown once code blocks, code spans and backslash escapes are set aside. A value that got through
 * unescaped shows up here as `<`, `](`, `![` or `://`.
 */
export function outsideCode(md: string): string {
  return spansRemoved(fencesRemoved(md));
}

/** The same, and fails with the offending text when a link, an image, HTML or a URL would be rendered. */
export function assertInert(md: string): void {
  const active = outsideCode(md);
  for (const token of ['<', '](', '![', '://', 'command:']) {
    if (active.includes(token)) throw new Error(`"${token}" would be rendered as Markdown in:\n${md}\n--- outside code and escapes:\n${active}`);
  }
}

function fencesRemoved(md: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of md.split('\n')) {
    if (fence) {
      if (new RegExp(`^ {0,3}${fence}\`*\\s*$`).test(line)) fence = undefined;
      continue;
    }
    const open = /^ {0,3}(`{3,})[^`]*$/.exec(line);
    if (open) fence = open[1];
    else out.push(line);
  }
  return out.join('\n');
}

function spansRemoved(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (s[i] === '\\' && /[!-/:-@[-`{-~]/.test(s[i + 1] ?? '')) {
      i += 2;
      continue;
    }
    if (s[i] === '`') {
      let n = 0;
      while (s[i + n] === '`') n++;
      const close = closingRun(s, i + n, n);
      if (close >= 0) {
        i = close + n;
        continue;
      }
      out += s.slice(i, i + n);
      i += n;
      continue;
    }
    out += s[i++];
  }
  return out;
}

/** Where the next run of exactly n backticks starts, or -1. */
function closingRun(s: string, from: number, n: number): number {
  for (let i = from; i < s.length; ) {
    if (s[i] !== '`') {
      i++;
      continue;
    }
    let m = 0;
    while (s[i + m] === '`') m++;
    if (m === n) return i;
    i += m;
  }
  return -1;
}

/** The text a reader sees, for assertions on wording: backslash escapes removed (code spans are ours, without any). */
export function shown(md: string): string {
  return md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}
