/**
 * Every question a command asks goes through here, so the integration suite can answer it: in the
 * extension's test mode, `answer()` queues replies that the next prompts take instead of showing UI.
 * A dismissed prompt throws `Cancelled`, which the command guard turns into silence.
 */
import * as vscode from 'vscode';
import { Cancelled } from '../errors';

type Answer = string | boolean | undefined | { label: string } | vscode.Uri[];

const queued: Answer[] = [];
/** Titles of the prompts shown while answers were queued, for tests to assert on. */
export const asked: string[] = [];

/** Test mode only: the next prompts take these answers, in order (undefined = dismissed). */
export function answer(...answers: Answer[]): void {
  queued.push(...answers);
}

function next(title: string): { answered: boolean; value: Answer } {
  if (queued.length === 0) return { answered: false, value: undefined };
  asked.push(title);
  return { answered: true, value: queued.shift() };
}

export async function pick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions & { title: string }): Promise<T> {
  const q = next(options.title);
  const chosen = q.answered
    ? items.find((i) => i.label === (typeof q.value === 'object' && q.value !== null && 'label' in q.value ? q.value.label : q.value))
    : await vscode.window.showQuickPick(items, options);
  if (!chosen) throw new Cancelled();
  return chosen;
}

export async function input(options: vscode.InputBoxOptions & { title: string }): Promise<string> {
  const q = next(options.title);
  let value: string | undefined;
  if (q.answered) {
    value = typeof q.value === 'string' ? q.value : undefined;
    const problem = value === undefined ? undefined : await options.validateInput?.(value);
    // Like the input box: only an error blocks; warnings and information let the value through.
    const blocking = typeof problem === 'string' ? problem : problem && problem.severity === vscode.InputBoxValidationSeverity.Error ? problem.message : undefined;
    if (blocking) throw new Error(`test answer "${value}" to "${options.title}" is invalid: ${blocking}`);
  } else {
    value = await vscode.window.showInputBox(options);
  }
  if (value === undefined) throw new Cancelled();
  return value;
}

/** A modal yes/no; resolves only on the confirming button. */
export async function confirm(message: string, detail: string, button: string): Promise<void> {
  const q = next(message);
  const ok = q.answered ? q.value === true || q.value === button : (await vscode.window.showWarningMessage(message, { modal: true, detail }, button)) === button;
  if (!ok) throw new Cancelled();
}

export async function openFile(options: vscode.OpenDialogOptions & { title: string }): Promise<vscode.Uri> {
  const q = next(options.title);
  const files = q.answered ? (Array.isArray(q.value) ? q.value : undefined) : await vscode.window.showOpenDialog(options);
  if (!files?.length) throw new Cancelled();
  return files[0];
}
