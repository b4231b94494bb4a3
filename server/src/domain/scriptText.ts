/**
 * Values placed in generated shell scripts and YAML manifests. They come from manifests, the cluster or a
 * bucket, which another tenant may edit: in a comment a line break ends the comment and starts a command;
 * in a command an unquoted value is shell syntax.
 */

// C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional marks and
// overrides that make a line show other text than it holds.
const UNSAFE_IN_COMMENT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text safe on one comment line (`# …`) of a script or manifest: each control character is shown as an
 * escape (`\n`, `\u001b`) instead of being written, so the text cannot end the line and is seen as it is.
 */
export function commentText(text: string): string {
  return text.replace(UNSAFE_IN_COMMENT, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One word that sh and bash read back as exactly `value`: left bare when it holds only characters without
 * meaning to the shell, otherwise single-quoted (nothing is special inside single quotes; a `'` is closed,
 * escaped and reopened). A NUL cannot be passed to a command at all: values are checked before they get here.
 */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@=,+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
