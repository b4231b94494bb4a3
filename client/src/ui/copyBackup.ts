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
      void vscode.window.showInformationMessage(vscode.l10n.t('Copy of {0} to {1} cancelled. {2}', name, target, err.undoText));
      throw new Cancelled();
    }
    throw new UserError(vscode.l10n.t('Copying SGBackup {0} to {1} failed: {2} {3}', name, target, errorText(err.error), err.undoText));
  }
  if (result.secretsCopied.length || result.secretsReplaced.length) ctx.secretsChanged();
  const { secretsCopied, secretsReplaced, secretsKept: kept } = result;
  const secretWords = [
    secretsCopied.length > 1 ? vscode.l10n.t('copied Secrets {0}', secretsCopied.join(', ')) : secretsCopied.length ? vscode.l10n.t('copied Secret {0}', secretsCopied[0]) : undefined,
    secretsReplaced.length ? vscode.l10n.t('replaced {0}', secretsReplaced.join(', ')) : undefined,
    kept.length ? vscode.l10n.t('kept the existing {0}', kept.join(', ')) : undefined,
  ].filter(Boolean);
  const message = secretWords.length
    ? vscode.l10n.t('Copied SGBackup {0} to namespace {1} (spec.sgCluster: {2}); {3}. A cluster in {1} can now restore from it.', name, target, result.sgCluster, secretWords.join('; '))
    : vscode.l10n.t('Copied SGBackup {0} to namespace {1} (spec.sgCluster: {2}). A cluster in {1} can now restore from it.', name, target, result.sgCluster);
  if (result.warnings.length) void vscode.window.showWarningMessage(`${message} ${result.warnings.join(' ')}`);
  else void vscode.window.showInformationMessage(message);
  return result;
}

async function askReplace(step: SecretCopyStep, from: string, target: string): Promise<boolean> {
  const keep = step.missingKeys.length
    ? vscode.l10n.t('Leaves {0} as it is: it lacks key(s) {1} that the storage reads: a restore would fail.', `${target}/${step.name}`, step.missingKeys.join(', '))
    : vscode.l10n.t('Leaves {0} as it is: it has the key(s) {1} the storage reads; its values are not checked.', `${target}/${step.name}`, step.keys.join(', '));
  const overwrites = vscode.l10n.t('Overwrites {0} with the keys {1} of {2}.', `${target}/${step.name}`, step.keys.join(', '), `${from}/${step.name}`);
  const dropped = step.droppedKeys.length ? ` ${vscode.l10n.t('Its other keys ({0}) are removed.', step.droppedKeys.join(', '))}` : '';
  const choice = await prompts.pick(
    [
      { label: vscode.l10n.t('Replace Secret {0}', step.name), detail: `${overwrites}${dropped} ${vscode.l10n.t('It is put back as it was if the copy fails.')}`, replace: true },
      { label: vscode.l10n.t('Keep Secret {0}', step.name), detail: keep, replace: false },
    ],
    { title: vscode.l10n.t('Secret {0} already exists in {1}', step.name, target), ignoreFocusOut: true },
  );
  return choice.replace;
}
