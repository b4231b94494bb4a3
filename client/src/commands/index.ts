/**
 * The one table of commands. Every command runs through `guarded`: it checks the preconditions (a
 * trusted workspace for anything that reaches a cluster or a bucket), and turns any failure into one
 * message with "Show Log". Command families live in their own files and export their specs
 * (`CommandSpec`, ui/command.ts); they never import each other, nor this table.
 */
import * as vscode from 'vscode';
import { notificationText } from '@core/markdown';
import type { ExtensionContextHolder } from '../context';
import { Cancelled, UserError } from '../errors';
import { isKubeError } from '../kube/errors';
import { isStorageError } from '../storage/objectStore';
import type { CommandSpec } from '../ui/command';
import { applyCommands } from './apply';
import { backupCommands } from './backup';
import { backupJobCommands } from './backupJob';
import { clusterCommands } from './cluster';
import { drillCommands } from './drill';
import { restoreCommands } from './restore';
import { secretCommands } from './secret';
import { storageCommands } from './storage';
import { healthCommands } from './health';
import { commandTable } from './table';
import { verifyCommands } from './verify';

export function allCommands(): CommandSpec[] {
  const handlers: CommandSpec[] = [
    { id: 'stackgres.showLog', run: (ctx) => ctx.log.show(true) },
    ...clusterCommands,
    ...secretCommands,
    ...applyCommands,
    ...backupCommands,
    ...backupJobCommands,
    ...restoreCommands,
    ...drillCommands,
    ...storageCommands,
    ...verifyCommands,
    ...healthCommands,
  ];
  return handlers.map((spec) => ({ ...spec, needsTrust: commandTable[spec.id].needsTrust }));
}

export function registerCommands(ctx: ExtensionContextHolder): vscode.Disposable[] {
  return allCommands().map((spec) => vscode.commands.registerCommand(spec.id, (...args: unknown[]) => guarded(ctx, spec, args)));
}

/** Runs a command's handler with its preconditions and error reporting. Exported for tests. */
export async function guarded(ctx: ExtensionContextHolder, spec: CommandSpec, args: unknown[]): Promise<unknown> {
  if (spec.needsTrust && !vscode.workspace.isTrusted) {
    const manage = vscode.l10n.t('Manage Workspace Trust');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('This command reaches your cluster or bucket, and runs only in a trusted workspace (kubeconfig credential plugins run commands).'),
      manage,
    );
    if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
    return undefined;
  }
  try {
    const result = await spec.run(ctx, ...args);
    ctx.walkthrough?.commandSucceeded(spec.id, result);
    return result;
  } catch (err) {
    report(ctx, spec.id, err);
    return undefined;
  }
}

function report(ctx: ExtensionContextHolder, id: string, err: unknown): void {
  if (err instanceof Cancelled || err instanceof vscode.CancellationError || (isKubeError(err) && err.reason === 'cancelled')) return;
  const showLog = vscode.l10n.t('Show Log');
  let message: string;
  const buttons: string[] = [];
  let action: UserError['action'];
  if (err instanceof UserError) {
    message = err.message;
    action = err.action;
    ctx.log.info(`${id}: ${message}`);
  } else if (isKubeError(err)) {
    message = err.action ? `${err.message} ${err.action}` : err.message;
    action = err.command;
    ctx.log.warn(`${id}: ${err.describe()}`);
  } else if (isStorageError(err)) {
    message = err.message;
    ctx.log.warn(`${id}: ${err.message}`);
  } else {
    message = `StackGres: ${id.replace('stackgres.', '')} failed: ${err instanceof Error ? err.message : String(err)}`;
    ctx.log.error(`${id}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  if (action) buttons.push(action.title);
  buttons.push(showLog);
  // Not awaited: the command is over; the message stays until the user reads it. It may quote the cluster
  // or a bucket, whose words must not become a link.
  void vscode.window.showErrorMessage(notificationText(message), ...buttons).then(async (choice) => {
    if (choice === showLog) ctx.log.show(true);
    else if (action && choice === action.title) await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
  });
}
