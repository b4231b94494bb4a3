/**
 * Text the user reads from modules that run without the vscode API too (the Kubernetes layer, the restore
 * file writer, the backup copy): the extension hands in vscode.l10n once at activation; the command line
 * and unit tests keep the English text.
 */

/** vscode.l10n's `t`: fixed text with `{0}`, `{1}`… placeholders, then the values. */
export interface Localize {
  t(message: string, ...args: Array<string | number | boolean>): string;
}

/** The English text with its placeholders filled, as vscode.l10n.t gives it without a translation. */
export const ENGLISH: Localize = {
  t: (message, ...args) => message.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole)),
};

let current: Localize = ENGLISH;

/** Called once by the extension with vscode.l10n. */
export function useLocalize(l10n: Localize): void {
  current = l10n;
}

/** Translates through what was handed in (English unless the extension handed in vscode.l10n). */
export function t(message: string, ...args: Array<string | number | boolean>): string {
  return current.t(message, ...args);
}
