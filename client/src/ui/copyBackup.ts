/** Copy Backup to Namespace as the user sees it: progress, questions and the closing message (Copy Backup and Restore Backup use it). */
import * as vscode from 'vscode';
import type { SecretCopyStep } from '@core/backupActions';
import { copyBackupSteps, CopyBackupFailed, errorText, type CopyBackupAsker, type CopyBackupResult } from '../backupCopy';
import type { ExtensionContextHolder } from '../context';
import { Cancelled, UserError } from '../errors';
import type { KubeApi, KubeObject } from '../kube/api';
import { isCancellation, withCancellableProgress } from './progress';
import * as prompts from './prompts';

/** As the StackGres restore runbook copies a backup: the SGBackup copy and the storage Secrets it reads, in `target` (steps in ../backupCopy.ts). */
export async function copyBackupTo(ctx: ExtensionContextHolder, api: KubeApi, source: KubeObject, target: string): Promise<CopyBackupResult> {
  const asker: CopyBackupAsker = {
    work: (title, task) => withCancellableProgress(title, (progress, signal) => task((message) => progress.report({ message }), signal)),
    replaceOrKeep: askReplace,
    confirm: (message, detail, button) => prompts.confirm(message, detail, button),
    log: (line) => ctx.log.info(line),
    warn: (line) => ctx.log.warn(line),
  };
  const name = source.metadata.name;
  let result: CopyBackupResult;
  try {
    result = await copyBackupSteps(api, source, target, asker);
  } catch (err) {
    if (!(err instanceof CopyBackupFailed)) throw err;
    if (err.undo.removed.length || err.undo.restored.length || err.undo.left.length) ctx.secretsChanged();
    if (isCancellation(err.error)) {
      void vscode.window.showInformationMessage(`Copy of ${name} to ${target} cancelled. ${err.undoText}`);
      throw new Cancelled();
    }
    throw new UserError(`Copying SGBackup ${name} to ${target} failed: ${errorText(err.error)} ${err.undoText}`);
  }
  if (result.secretsCopied.length || result.secretsReplaced.length) ctx.secretsChanged();
  const { secretsCopied, secretsReplaced, secretsKept: kept } = result;
  const secretWords = [
    secretsCopied.length ? `copied Secret${secretsCopied.length > 1 ? 's' : ''} ${secretsCopied.join(', ')}` : undefined,
    secretsReplaced.length ? `replaced ${secretsReplaced.join(', ')}` : undefined,
    kept.length ? `kept the existing ${kept.join(', ')}` : undefined,
  ].filter(Boolean);
  const message = `Copied SGBackup ${name} to namespace ${target} (spec.sgCluster: ${result.sgCluster})${secretWords.length ? `; ${secretWords.join('; ')}` : ''}. A cluster in ${target} can now restore from it.`;
  if (result.warnings.length) void vscode.window.showWarningMessage(`${message} ${result.warnings.join(' ')}`);
  else void vscode.window.showInformationMessage(message);
  return result;
}

async function askReplace(step: SecretCopyStep, from: string, target: string): Promise<boolean> {
  const keep = step.missingKeys.length
    ? `lacks key(s) ${step.missingKeys.join(', ')} that the storage reads: a restore would fail`
    : `has the key(s) ${step.keys.join(', ')} the storage reads; its values are not checked`;
  const dropped = step.droppedKeys.length ? ` Its other keys (${step.droppedKeys.join(', ')}) are removed.` : '';
  const choice = await prompts.pick(
    [
      { label: `Replace Secret ${step.name}`, detail: `Overwrites ${target}/${step.name} with the keys ${step.keys.join(', ')} of ${from}/${step.name}.${dropped} It is put back as it was if the copy fails.`, replace: true },
      { label: `Keep Secret ${step.name}`, detail: `Leaves ${target}/${step.name} as it is: it ${keep}.`, replace: false },
    ],
    { title: `Secret ${step.name} already exists in ${target}`, ignoreFocusOut: true },
  );
  return choice.replace;
}
