/**
 * What the backup commands say and decide, kept out of the UI so it can be tested: the outcome of a
 * backup run, the question before deleting one, the restore prompts (name, point in time, file), the
 * plan for copying a backup's Secrets, and the SGCluster a manifest in the editor describes.
 * Pure: no I/O, no vscode.
 */
import { backupTime, type BackupView } from './backups';
import { formatBytes } from './describe';
import { splitDocuments, parseManifest } from './manifest';
import { DNS_LABEL, MAX_CLUSTER_NAME, nameProblem } from './names';
import { checkRestore, type RecoverableWindow } from './restore';
import { get } from './rules/types';
import { formatInstant } from './timestamp';

// ---- Run backup now ----------------------------------------------------------------------------------

/** `45 s`, `3 min 5 s`, `2 h 10 min`: how long a backup took. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** Why a backup cannot be run now for this SGCluster (no backups configured, storage missing), or undefined. */
export function runBackupProblem(cluster: unknown, storageExists: (name: string) => boolean | undefined): string | undefined {
  const name = String(get(cluster, ['metadata', 'name']) ?? 'this cluster');
  const namespace = String(get(cluster, ['metadata', 'namespace']) ?? '');
  const backups = get(cluster, ['spec', 'configurations', 'backups']);
  const storage = Array.isArray(backups) ? get(backups[0], ['sgObjectStorage']) : undefined;
  if (typeof storage !== 'string' || storage === '') {
    return `SGCluster ${name} has no backups configured (spec.configurations.backups with an sgObjectStorage), so the operator would never take the backup. Configure backups for it and apply it first.`;
  }
  if (storageExists(storage) === false) {
    return `SGCluster ${name} stores its backups in SGObjectStorage ${storage}, which does not exist in namespace ${namespace}: the backup would fail. Create and apply the SGObjectStorage first.`;
  }
  return undefined;
}

/** The first lines of a failure message for a notification, and whether more is left for the log. */
export function failureHead(failure: string, lines = 2): { head: string; more: boolean } {
  const all = failure.trim().split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  return { head: all.slice(0, lines).join(' — '), more: all.length > lines };
}

/** What the user is told when a backup they started has finished. */
export function backupOutcome(b: BackupView): { ok: boolean; message: string } {
  const what = `Backup ${b.name} of ${b.cluster.name}`;
  if (b.phase === 'Completed') {
    const size = b.compressedBytes !== undefined ? `${formatBytes(b.compressedBytes)} compressed${b.uncompressedBytes !== undefined ? ` (${formatBytes(b.uncompressedBytes)} of data)` : ''}` : undefined;
    const took = b.started && b.ended ? `in ${formatDuration(b.ended.getTime() - b.started.getTime())}` : undefined;
    return { ok: true, message: `${what} Completed${[size, took].filter(Boolean).length ? `: ${[size, took].filter(Boolean).join(' ')}` : ''}.` };
  }
  if (b.phase === 'Failed') {
    const { head, more } = b.failure ? failureHead(b.failure) : { head: 'the operator gave no reason', more: false };
    return { ok: false, message: `${what} Failed: ${head}${more ? ' …' : ''}` };
  }
  return { ok: false, message: `${what} is ${b.phase}.` };
}

// ---- Delete ------------------------------------------------------------------------------------------

/**
 * What deleting a backup does to its files (the operator's backup Job, create-backup.sh): nothing at once; the next backup Job of the
 * cluster removes files that no SGBackup names any more, original and copies alike.
 */
export function deleteBackupWarning(b: BackupView, others: readonly BackupView[], clusterExists: boolean): string {
  const lines = [`Deletes SGBackup ${b.name} in namespace ${b.namespace}.`];
  // Copies and the original name the same files (same wal-g backup in the same storage).
  const sharing = others.filter((o) => o.name !== b.name || o.namespace !== b.namespace).filter((o) => b.internalName !== undefined && o.internalName === b.internalName && o.storage === b.storage);
  if (b.phase === 'Failed') {
    lines.push('It Failed, so it may have left partial files in object storage; the next backup of the cluster removes files no SGBackup names.');
  } else if (sharing.length) {
    lines.push(`Its files in object storage stay as long as ${sharing.map((o) => `${o.namespace}/${o.name}`).join(', ')} ${sharing.length === 1 ? 'names' : 'name'} them: they are deleted only once the original and all copies are deleted.`);
  } else {
    lines.push(`Its files in object storage are deleted too: not at once, but by the next backup of cluster ${b.cluster.namespace}.${b.cluster.name}, which removes the files no SGBackup names. This cannot be undone.`);
    if (!clusterExists) lines.push(`Cluster ${b.cluster.namespace}.${b.cluster.name} does not exist, so no backup will run to remove them: delete them from the bucket yourself if needed.`);
  }
  return lines.join(' ');
}

// ---- Restore -----------------------------------------------------------------------------------------

/** Why this can't be the new cluster's name (rules or already taken), or undefined. */
export function restoreNameProblem(name: string, namespace: string, exists: (name: string) => boolean): string | undefined {
  const rule = nameProblem(name, MAX_CLUSTER_NAME, 'SGCluster');
  if (rule) return rule;
  if (exists(name)) return `SGCluster ${name} already exists in namespace ${namespace}: a restore always creates a new cluster. Choose another name.`;
  return undefined;
}

/** A free name for the restored cluster: `<cluster>-restore`, then `-restore-2`, …, within the length limit. */
export function suggestRestoreName(cluster: string, exists: (name: string) => boolean): string {
  for (let i = 1; i < 100; i++) {
    const suffix = i === 1 ? '-restore' : `-restore-${i}`;
    const base = cluster.slice(0, MAX_CLUSTER_NAME - suffix.length).replace(/-+$/, '');
    const name = `${base}${suffix}`;
    if (!exists(name)) return name;
  }
  return '';
}

/** The recoverable window in words, for the point-in-time prompt. */
export function windowText(w: RecoverableWindow): string {
  const end = w.toIsNow ? `now (${formatInstant(w.to)}, the latest backup)` : `${formatInstant(w.to)} (when ${w.nextBackup ?? 'the next backup'} was stored)`;
  return `from ${formatInstant(w.from)} to ${end}, UTC`;
}

/** Why a typed point in time cannot be used for this backup, or undefined. */
export function pointInTimeProblem(backup: unknown, value: string, window: RecoverableWindow | undefined): string | undefined {
  const checks = checkRestore({ backup, clusterName: 'x', restoreToTimestamp: value.trim(), window });
  return checks.find((c) => c.code.startsWith('restore-timestamp-'))?.message;
}

/** Where a restore manifest goes in the workspace (restore as code). */
export function restoreFilePath(clusterName: string): string {
  return `restore/${clusterName}.yaml`;
}

/** One line to choose a backup by: when it was stored, size, Postgres major, where it lives. */
export function backupChoiceDescription(b: BackupView, fromNamespace?: string): string {
  const t = backupTime(b);
  return [
    t ? formatInstant(t).replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : undefined,
    b.compressedBytes !== undefined ? formatBytes(b.compressedBytes) : undefined,
    b.pgMajor ? `PG ${b.pgMajor}` : undefined,
    b.phase !== 'Completed' ? b.phase : undefined,
    fromNamespace !== undefined && b.namespace !== fromNamespace ? `copy in ${b.namespace}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

// ---- Copy to another namespace ---------------------------------------------------------------------

/** Why this is not a namespace name (DNS label, ≤ 63), or undefined. */
export function namespaceProblem(name: string): string | undefined {
  if (name === '') return 'Type a namespace name.';
  if (name.length > 63) return `A namespace name is at most 63 characters; this one has ${name.length}.`;
  if (!DNS_LABEL.test(name)) return "A namespace name has lower-case letters, digits and '-', starting with a letter and not ending in '-'.";
  return undefined;
}

export interface SecretCopyStep {
  readonly name: string;
  readonly keys: readonly string[];
  /** The target already has a Secret of that name: copying replaces it, so the user must agree. */
  readonly exists: boolean;
  /** Keys the storage reads that the existing target Secret lacks (keeping it would break a restore). */
  readonly missingKeys: readonly string[];
  /** Keys of the existing target Secret that replacing it removes (the storage does not read them). */
  readonly droppedKeys: readonly string[];
}

/** For each Secret the backup's storage reads, what copying it into the target means. */
export function secretCopySteps(needed: readonly { name: string; keys: readonly string[] }[], targetKeys: (name: string) => readonly string[] | undefined): SecretCopyStep[] {
  return needed.map((s) => {
    const existing = targetKeys(s.name);
    return {
      name: s.name,
      keys: s.keys,
      exists: existing !== undefined,
      missingKeys: existing ? s.keys.filter((k) => !existing.includes(k)) : [],
      droppedKeys: existing ? existing.filter((k) => !s.keys.includes(k)) : [],
    };
  });
}

/**
 * The one question before Copy Backup writes anything: which Secrets (and keys, never values) go from
 * which namespace to which, in which context. Asked only when credentials move.
 */
export function copyConfirmation(o: {
  context: string;
  backup: string;
  from: string;
  target: string;
  sgCluster: string;
  copied: readonly SecretCopyStep[];
  kept: readonly string[];
}): { message: string; detail: string; button: string } {
  const plural = o.copied.length > 1;
  const lines = o.copied.map((s) => {
    const replacing = s.exists ? `, replacing the existing ${o.target}/${s.name}${s.droppedKeys.length ? ` (its other keys ${s.droppedKeys.join(', ')} are removed)` : ''}` : '';
    return `• Secret ${s.name}: key${s.keys.length > 1 ? 's' : ''} ${s.keys.join(', ')}${replacing}`;
  });
  return {
    message: `Copy ${plural ? `${o.copied.length} credentials Secrets` : `credentials Secret ${o.copied[0]?.name ?? ''}`} from namespace ${o.from} to namespace ${o.target} (context "${o.context}")?`,
    detail: [
      `SGBackup ${o.backup} is copied to ${o.target} (spec.sgCluster ${o.sgCluster}) with the storage credentials it reads. From ${o.from} to ${o.target} in context "${o.context}":`,
      ...lines,
      ...(o.kept.length ? [`Kept as they are in ${o.target}: ${o.kept.map((k) => `Secret ${k}`).join(', ')}.`] : []),
      `Whoever can read Secrets in ${o.target} can then use these credentials. The values are copied inside the extension: never shown, logged or saved. If a step fails, what was created is deleted and a replaced Secret is put back.`,
    ].join('\n'),
    button: plural ? 'Copy Secrets and Backup' : 'Copy Secret and Backup',
  };
}

/** What undoing a failed copy did, for the message. */
export interface CopyUndo {
  readonly removed: readonly string[];
  readonly restored: readonly string[];
  /** What is still in the target, each with the command that removes or fixes it. */
  readonly left: readonly string[];
}

/** The truth about what a failed copy left in the target namespace. */
export function copyUndoText(target: string, undo: CopyUndo): string {
  const done = [
    undo.removed.length ? `removed ${undo.removed.join(', ')}` : undefined,
    undo.restored.length ? `put back the former ${undo.restored.join(', ')}` : undefined,
  ].filter(Boolean);
  if (undo.left.length) return `Left behind in ${target}: ${undo.left.join('; ')}.${done.length ? ` It ${done.join(' and ')}.` : ''}`;
  return done.length ? `It ${done.join(' and ')}: nothing was left behind in ${target}.` : `Nothing was created or changed in ${target}.`;
}

// ---- A cluster from the editor ---------------------------------------------------------------------

/**
 * The SGCluster a YAML file describes at an offset: the document under the cursor when it is an SGCluster,
 * else the file's only SGCluster. `namespace` is undefined when the manifest does not set one.
 */
export function clusterInText(text: string, offset?: number): { name: string; namespace?: string } | undefined {
  const chunks = splitDocuments(text);
  const clusters: { name: string; namespace?: string; line: number; lines: number }[] = [];
  for (const chunk of chunks) {
    if (!/^kind:\s*["']?SGCluster\b/m.test(chunk.text)) continue;
    const m = parseManifest(chunk);
    if (m.kind === 'SGCluster' && m.name) clusters.push({ name: m.name, namespace: m.namespace, line: chunk.startLine, lines: chunk.lineCount });
  }
  if (offset !== undefined) {
    const line = text.slice(0, offset).split('\n').length - 1;
    const at = clusters.find((c) => line >= c.line - 1 && line < c.line + c.lines);
    if (at) return { name: at.name, namespace: at.namespace };
  }
  return clusters.length === 1 ? { name: clusters[0].name, namespace: clusters[0].namespace } : undefined;
}
