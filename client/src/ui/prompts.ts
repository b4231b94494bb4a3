/**
 * Every question a command asks goes through here, so the integration suite can answer it: in the
 * extension's test mode, `answer()` queues replies that the next prompts take instead of showing UI.
 * A dismissed prompt throws `Cancelled`, which the command guard turns into silence.
 */
import * as vscode from 'vscode';
import { Cancelled } from '../errors';

/** Test mode: the answer that presses a multi-step prompt's Back button. */
export const BACK = { back: true } as const;

type Answer = string | boolean | undefined | { label: string } | vscode.Uri[] | typeof BACK;

/** Where a prompt stands in a multi-step input: shown as "step/totalSteps", with Back from the second on. */
export interface Step {
  readonly step: number;
  readonly totalSteps: number;
}

/** Thrown by a step prompt whose Back button was pressed: the caller asks the step before again. */
export class GoBack extends Error {
  constructor() {
    super('back to the previous step');
  }
}

/** Test mode: each step prompt as it was shown (its position and the value or item it offered first). */
export const shownSteps: { title: string; step: number; totalSteps: number; value?: string; active?: string }[] = [];

const queued: Answer[] = [];
/** Titles of the prompts shown while answers were queued, for tests to assert on. */
export const asked: string[] = [];

/** Test mode only: the next prompts take these answers, in order (undefined = dismissed). */
export function answer(...answers: Answer[]): void {
  queued.push(...answers);
}

/** Test mode only: the answers no prompt has taken yet, removed from the queue (a test's leftovers would answer the next test's questions). */
export function takeUnanswered(): Answer[] {
  return queued.splice(0, queued.length);
}

function next(title: string): { answered: boolean; value: Answer } {
  if (queued.length === 0) return { answered: false, value: undefined };
  asked.push(title);
  return { answered: true, value: queued.shift() };
}

export async function pick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions & { title: string; step?: Step; active?: string }): Promise<T> {
  const q = next(options.title);
  if (options.step && q.answered) shownSteps.push({ title: options.title, ...options.step, active: options.active });
  if (q.value === BACK) throw new GoBack();
  const chosen = q.answered
    ? items.find((i) => i.label === (typeof q.value === 'object' && q.value !== null && 'label' in q.value ? q.value.label : q.value))
    : options.step
      ? await stepPick(items, options, options.step)
      : await vscode.window.showQuickPick(items, options);
  if (!chosen) throw new Cancelled();
  return chosen;
}

/** A pick inside a multi-step input: the step counter, Back (from the second step), the earlier answer highlighted. */
function stepPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions & { title: string; active?: string }, step: Step): Promise<T | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = options.title;
  qp.step = step.step;
  qp.totalSteps = step.totalSteps;
  qp.items = items;
  qp.placeholder = options.placeHolder;
  qp.ignoreFocusOut = options.ignoreFocusOut ?? false;
  qp.matchOnDescription = options.matchOnDescription ?? false;
  qp.buttons = step.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  const active = items.find((i) => i.label === options.active);
  if (active) qp.activeItems = [active];
  return new Promise<T | undefined>((resolve, reject) => {
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      f();
      qp.dispose();
    };
    qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(() => reject(new GoBack())));
    qp.onDidAccept(() => qp.selectedItems[0] && finish(() => resolve(qp.selectedItems[0])));
    qp.onDidHide(() => finish(() => resolve(undefined)));
    qp.show();
  });
}

/** An input box inside a multi-step input: the step counter, Back (from the second step), validation as it is typed. */
function stepInput(options: vscode.InputBoxOptions & { title: string }, step: Step): Promise<string | undefined> {
  const box = vscode.window.createInputBox();
  box.title = options.title;
  box.step = step.step;
  box.totalSteps = step.totalSteps;
  box.value = options.value ?? '';
  box.prompt = options.prompt;
  box.placeholder = options.placeHolder;
  box.ignoreFocusOut = options.ignoreFocusOut ?? false;
  box.buttons = step.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  const validate = async (value: string): Promise<string | vscode.InputBoxValidationMessage | undefined> => (await options.validateInput?.(value)) ?? undefined;
  const blocks = (problem: string | vscode.InputBoxValidationMessage | undefined) => (typeof problem === 'string' ? problem.length > 0 : problem?.severity === vscode.InputBoxValidationSeverity.Error);
  return new Promise<string | undefined>((resolve, reject) => {
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      f();
      box.dispose();
    };
    const check = async (value: string) => {
      const problem = await validate(value);
      if (box.value === value) box.validationMessage = problem;
      return problem;
    };
    box.onDidChangeValue((v) => void check(v));
    box.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(() => reject(new GoBack())));
    box.onDidAccept(async () => {
      const value = box.value;
      box.busy = true;
      const problem = await check(value);
      box.busy = false;
      if (!blocks(problem)) finish(() => resolve(value));
    });
    box.onDidHide(() => finish(() => resolve(undefined)));
    void check(box.value);
    box.show();
  });
}

export async function input(options: vscode.InputBoxOptions & { title: string; step?: Step }): Promise<string> {
  const q = next(options.title);
  if (options.step && q.answered) shownSteps.push({ title: options.title, ...options.step, value: options.value });
  if (q.value === BACK) throw new GoBack();
  let value: string | undefined;
  if (q.answered) {
    value = typeof q.value === 'string' ? q.value : undefined;
    const problem = value === undefined ? undefined : await options.validateInput?.(value);
    // Like the input box: only an error blocks; warnings and information let the value through.
    const blocking = typeof problem === 'string' ? problem : problem && problem.severity === vscode.InputBoxValidationSeverity.Error ? problem.message : undefined;
    if (blocking) throw new Error(`test answer "${value}" to "${options.title}" is invalid: ${blocking}`);
  } else {
    value = options.step ? await stepInput(options, options.step) : await vscode.window.showInputBox(options);
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
