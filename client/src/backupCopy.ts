/**
 * Copy Backup to Namespace, the cluster side (StackGres documentation, "Restoring from a Backup"): the SGBackup with `spec.sgCluster =
 * <namespace>.<cluster>` and the storage Secrets it reads, in the target namespace, all or nothing.
 * Reads and questions first (one confirmation naming the Secrets and keys before any write), then the
 * writes; if one fails or is cancelled, what was created is deleted and a replaced Secret is put back
 * from the copy the kube layer kept. No vscode here: the command supplies the questions and progress,
 * and the steps are tested against the test API server.
 */
import { copyConfirmation, copyUndoText, secretCopySteps, type CopyUndo, type SecretCopyStep } from '@core/backupActions';
import { copyBackupManifest, readBackup } from '@core/backups';
import { shellWord } from '@core/scriptText';
import { Cancelled, UserError } from './errors';
import type { KubeApi, KubeObject, SavedSecret } from './kube/api';
import { KubeError } from './kube/errors';
import { t } from './localize';

export interface CopyBackupResult {
  readonly namespace: string;
  readonly name: string;
  readonly sgCluster: string;
  /** Secrets created in the target namespace. */
  readonly secretsCopied: readonly string[];
  /** Existing Secrets of the target replaced on the user's choice. */
  readonly secretsReplaced: readonly string[];
  /** Existing Secrets of the target left as they were. */
  readonly secretsKept: readonly string[];
  readonly warnings: readonly string[];
}

/** What the steps need from the user interface. */
export interface CopyBackupAsker {
  /** Runs cluster calls under a progress with a Cancel button that aborts `signal`. */
  work<T>(title: string, task: (say: (message: string) => void, signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Replace (true) or keep (false) a Secret that already exists in the target; throws Cancelled to stop. */
  replaceOrKeep(step: SecretCopyStep, from: string, target: string): Promise<boolean>;
  /** A modal before anything is written; throws Cancelled to stop. */
  confirm(message: string, detail: string, button: string): Promise<void>;
  log(line: string): void;
  /** Failures and what undoing them did. */
  warn(line: string): void;
}

/** A copy that failed or was cancelled after writing began; `undo` says what was put right. */
export class CopyBackupFailed extends Error {
  override readonly name = 'CopyBackupFailed';
  constructor(
    readonly error: unknown,
    readonly undo: CopyUndo,
    readonly undoText: string,
  ) {
    super(`${errorText(error)} ${undoText}`);
  }
}

export async function copyBackupSteps(api: KubeApi, source: KubeObject, target: string, asker: CopyBackupAsker): Promise<CopyBackupResult> {
  const view = readBackup(source);
  const plan = copyBackupManifest(source, target);
  if (!view || plan.problems.length) throw new UserError(plan.problems.join(' '));
  const name = view.name;
  const sgCluster = String((plan.manifest.spec as Record<string, unknown>).sgCluster);

  const steps = await asker.work(`Copy ${name} to ${target}`, async (say, signal) => {
    say(`checking namespace ${target}…`);
    if (await api.get('SGBackup', target, name, { signal })) {
      throw new UserError(t('Namespace {0} already has an SGBackup named {1}: delete it first, or restore from it.', target, name));
    }
    for (const s of plan.secrets) {
      const keys = await api.secretKeys(view.namespace, s.name, { signal });
      if (!keys) throw new UserError(t('The backup\'s storage reads Secret {0}, which does not exist in namespace {1}: there is nothing to copy. Create it there first.', s.name, view.namespace));
      const missing = s.keys.filter((k) => !keys.includes(k));
      if (missing.length) throw new UserError(t('The backup\'s storage reads key(s) {0} of Secret {1} in namespace {2}, which it lacks: a restore from the copy would fail. Fix the Secret there first.', missing.join(', '), s.name, view.namespace));
    }
    const targetKeys = new Map<string, string[] | undefined>();
    for (const s of plan.secrets) targetKeys.set(s.name, await api.secretKeys(target, s.name, { signal }));
    return secretCopySteps(plan.secrets, (n) => targetKeys.get(n));
  });

  // Secrets of the same name in the target: replacing them is the user's call.
  const replace = new Set<string>();
  for (const step of steps.filter((s) => s.exists)) {
    if (await asker.replaceOrKeep(step, view.namespace, target)) replace.add(step.name);
  }
  const toCopy = steps.filter((s) => !s.exists || replace.has(s.name));
  const kept = steps.filter((s) => s.exists && !replace.has(s.name)).map((s) => s.name);
  if (toCopy.length) {
    const q = copyConfirmation({ context: api.context.name, backup: name, from: view.namespace, target, sgCluster, copied: toCopy, kept });
    await asker.confirm(q.message, q.detail, q.button);
  }

  const done: Done = { backup: false, created: [], replaced: [] };
  try {
    await asker.work(`Copy ${name} to ${target}`, async (say, signal) => {
      // The SGBackup first: it is inert without its Secrets (a copy gets no backup Job), and a failure
      // later deletes it again.
      say(`creating SGBackup ${name}…`);
      await mayHaveWritten(() => api.create(plan.manifest as KubeObject, { signal }), () => (done.backup = true));
      for (const s of toCopy) {
        say(`copying Secret ${s.name}…`);
        if (s.exists) {
          // Kept in the kube layer, so a failure later can write it back as it was. The replace is
          // conditional on the saved version: a change someone made meanwhile is never overwritten.
          const saved = await api.saveSecret(target, s.name, { signal });
          if (!saved) throw new UserError(t('Secret {0} was deleted from {1} while the copy was being made. Run the copy again.', s.name, target));
          const replaced: Replaced = { saved };
          try {
            await mayHaveWritten(
              async () => (replaced.resourceVersion = (await api.copySecret(view.namespace, s.name, target, { keys: s.keys, replace: true, resourceVersion: saved.resourceVersion, signal })).resourceVersion),
              () => done.replaced.push(replaced),
            );
          } finally {
            if (!done.replaced.includes(replaced)) saved.discard();
          }
        } else {
          await mayHaveWritten(() => api.copySecret(view.namespace, s.name, target, { keys: s.keys, signal }), () => done.created.push(s.name));
        }
      }
    });
  } catch (err) {
    const undo = await undoCopy(api, target, name, done, (line) => asker.warn(line));
    const text = copyUndoText(target, undo);
    asker.warn(`Copying SGBackup ${view.namespace}/${name} to ${target} ${isCancelled(err) ? 'was cancelled' : `failed: ${describe(err)}`}. ${text}`);
    throw new CopyBackupFailed(err, undo, text);
  } finally {
    for (const r of done.replaced) r.saved.discard();
  }

  const secretsCopied = toCopy.filter((s) => !s.exists).map((s) => s.name);
  const secretsReplaced = toCopy.filter((s) => s.exists).map((s) => s.name);
  asker.log(`Copied SGBackup ${view.namespace}/${name} to ${target} (spec.sgCluster ${sgCluster}); Secrets copied: ${secretsCopied.join(', ') || 'none'}, replaced: ${secretsReplaced.join(', ') || 'none'}, kept: ${kept.join(', ') || 'none'}`);
  return { namespace: target, name, sgCluster, secretsCopied, secretsReplaced, secretsKept: kept, warnings: plan.warnings };
}

interface Done {
  backup: boolean;
  created: string[];
  replaced: Replaced[];
}

interface Replaced {
  readonly saved: SavedSecret;
  /** What our replace produced; unknown when it got no answer. */
  resourceVersion?: string;
}

/**
 * Runs a write and records it as ours to undo when it succeeded, or when no answer came (timeout, cancel,
 * lost connection: it may have been done). An answer from the server (403, 409, 500…) means it was not.
 */
async function mayHaveWritten(write: () => Promise<unknown>, record: () => unknown): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof KubeError && err.status !== undefined)) record();
    throw err;
  }
  record();
}

/** Deletes what a failed copy created and puts back what it replaced; says what is left. */
async function undoCopy(api: KubeApi, target: string, name: string, done: Done, log: (line: string) => void): Promise<CopyUndo> {
  const removed: string[] = [];
  const restored: string[] = [];
  const left: string[] = [];
  // A fresh deadline: the command's signal may be the reason we are here.
  const options = { timeoutMs: 30_000 };
  if (done.backup) {
    try {
      if (await api.delete('SGBackup', target, name, options)) removed.push(`SGBackup ${name}`);
    } catch (err) {
      log(`Undo: deleting SGBackup ${target}/${name} failed: ${describe(err)}`);
      left.push(`SGBackup ${name} (kubectl delete sgbackup ${shellWord(name)} -n ${shellWord(target)})`);
    }
  }
  for (const { saved, resourceVersion } of done.replaced) {
    try {
      // Only over our own write. Without an answer to the replace, its version is unknown: the saved one
      // then tells whether the Secret changed at all.
      const outcome = await saved.restore({ ...options, ifResourceVersion: resourceVersion ?? saved.resourceVersion });
      if (outcome === 'restored') {
        restored.push(`Secret ${saved.name}`);
        continue;
      }
      const check = `kubectl describe secret ${shellWord(saved.name)} -n ${shellWord(target)}`;
      log(`Undo: Secret ${target}/${saved.name} changed after the copy's replace; not put back over that change`);
      left.push(
        resourceVersion
          ? `Secret ${saved.name}, changed by someone else after the copy replaced it, was not put back over that change (check it: ${check})`
          : `Secret ${saved.name} changed after the copy's replace got no answer, and was not put back in case the change is someone else's (check it: ${check}, and set its former values again if needed)`,
      );
    } catch (err) {
      log(`Undo: putting back Secret ${target}/${saved.name} failed: ${describe(err)}`);
      left.push(`Secret ${saved.name} holds the copied keys, and its former values could not be put back (set them again, e.g. with Create Credentials Secret)`);
    }
  }
  for (const secret of done.created) {
    try {
      if (await api.deleteSecret(target, secret, options)) removed.push(`Secret ${secret}`);
    } catch (err) {
      log(`Undo: deleting Secret ${target}/${secret} failed: ${describe(err)}`);
      left.push(`Secret ${secret} (kubectl delete secret ${shellWord(secret)} -n ${shellWord(target)})`);
    }
  }
  return { removed, restored, left };
}

function isCancelled(err: unknown): boolean {
  return err instanceof Cancelled || (err instanceof KubeError && err.reason === 'cancelled');
}

/** An error's message and what to do, as the kube layer wrote them. */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err instanceof KubeError && err.action ? `${err.message} ${err.action}` : err.message;
}

/** The fuller text the kube layer gives for the log. */
function describe(err: unknown): string {
  return err instanceof KubeError ? err.describe() : errorText(err);
}
