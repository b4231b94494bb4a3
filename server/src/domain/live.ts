/**
 * Checks against the connected cluster: since operator 1.16 a missing SGObjectStorage, SGBackup or Secret,
 * a backup that is not Completed or a Postgres major mismatch are accepted by `kubectl apply` and fail
 * later, as Events from the operator's reconciliation (ClusterReconciliator) or a pod that never bootstraps.
 */
import { clusterMajor } from './describe';
import { referencesOf, type KnownObject, type ReferencedKind } from './references';
import { code, Finding, get } from './rules/types';

export interface LiveObjectInfo extends KnownObject {
  readonly phase?: string;
  readonly pgMajor?: string;
}

export interface LiveView {
  readonly context: string;
  /** Namespace of manifests without one. */
  readonly defaultNamespace?: string;
  /** Whether the view holds every object of this namespace (so absence means missing). */
  covers(namespace: string): boolean;
  /** Whether the view holds every Secret name of this namespace, read for the current connection. */
  coversSecrets(namespace: string): boolean;
  find(kind: ReferencedKind, name: string, namespace: string): LiveObjectInfo[];
}

export function checkLiveReferences(kind: string | undefined, value: unknown, manifestNamespace: string | undefined, live: LiveView): Finding[] {
  const ns = manifestNamespace ?? live.defaultNamespace;
  if (!ns || !live.covers(ns)) return [];
  const where = `namespace ${code(ns)} of cluster ${code(live.context)}`;
  const out: Finding[] = [];
  for (const ref of referencesOf(kind, value)) {
    const found = live.find(ref.kind, ref.name, ns);
    if (ref.kind === 'SGObjectStorage' && found.length === 0) {
      out.push({
        code: 'live-object-storage-missing',
        path: ref.path,
        target: 'value',
        message: `Cluster: there is no SGObjectStorage ${code(ref.name)} in ${where}. kubectl apply accepts this, then the operator reports "SGObjectStorage ${ref.name} not found" as an Event and no backup runs.`,
      });
    } else if (ref.kind === 'SGBackup') {
      out.push(...backupFindings(ref.name, ref.path, found, value, where));
    } else if (ref.kind === 'SGCluster' && found.length === 0 && kind === 'SGBackup') {
      out.push({
        code: 'live-cluster-missing',
        path: ref.path,
        target: 'value',
        message: `Cluster: there is no SGCluster ${code(ref.name)} in ${where}; the backup would fail with "SGCluster ${ref.name} was not found".`,
      });
    } else if (ref.kind === 'Secret') {
      if (found.length === 0) {
        // Until the namespace's Secret names are read, not finding one says nothing.
        if (!live.coversSecrets(ns)) continue;
        out.push({
          code: 'live-secret-missing',
          path: ref.path,
          target: 'value',
          message: `Cluster: there is no Secret ${code(ref.name)} in ${where}. Backups would fail with "Secret ${ref.name} not found". Create it (StackGres: Create Credentials Secret) in the namespace of every cluster that uses this storage.`,
        });
      } else if (ref.key !== undefined && ref.keyPath && found.some((s) => s.keys) && !found.some((s) => s.keys?.includes(ref.key!))) {
        // Key names are read only for the Secrets manifests name: a Secret known by name only is not judged.
        const keys = [...new Set(found.flatMap((s) => s.keys ?? []))];
        out.push({
          code: 'live-secret-key-missing',
          path: ref.keyPath,
          target: 'value',
          message: `Cluster: Secret ${code(ref.name)} in ${where} has no key ${code(ref.key)}${keys.length ? ` (it has ${keys.map(code).join(', ')})` : ''}. Backups would fail with "Key ${ref.key} not found in Secret ${ref.name}".`,
          fixes: keys.map((k) => ({ kind: 'set-value' as const, title: `Use key ${k}`, path: ref.keyPath!, value: k })),
        });
      }
    }
  }
  return out;
}

function backupFindings(name: string, path: Finding['path'], found: LiveObjectInfo[], cluster: unknown, where: string): Finding[] {
  if (found.length === 0) {
    return [{
      code: 'live-backup-missing',
      path,
      target: 'value',
      message: `Cluster: there is no SGBackup ${code(name)} in ${where}. The new cluster's primary would never bootstrap ("Can not restore from backup. Backup not found!"). A backup from another namespace must be copied here first (StackGres: Copy Backup to Namespace).`,
    }];
  }
  const backup = found[0];
  if (backup.phase !== 'Completed') {
    return [{
      code: 'live-backup-not-completed',
      path,
      target: 'value',
      message: `Cluster: SGBackup ${code(name)} is ${backup.phase ?? 'without a status'}, not Completed; the operator refuses to restore from it ("Cannot restore from SGBackup ${name} because it's not Completed").`,
    }];
  }
  const want = clusterMajor(get(cluster, ['spec', 'postgres', 'version']));
  if (want && backup.pgMajor && want !== backup.pgMajor) {
    return [{
      code: 'live-backup-major-mismatch',
      path,
      target: 'value',
      message: `Cluster: SGBackup ${code(name)} was taken from Postgres ${backup.pgMajor} but this cluster runs ${want}; a restore needs the same major version ("…has been created from a postgres instance with version ${backup.pgMajor}"). Set ${code(`postgres.version: '${backup.pgMajor}'`)} and upgrade after the restore.`,
      fixes: [{ kind: 'set-value', title: `Use Postgres ${backup.pgMajor}`, path: ['spec', 'postgres', 'version'], value: backup.pgMajor }],
    }];
  }
  return [];
}

