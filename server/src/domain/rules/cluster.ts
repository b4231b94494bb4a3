/** SGCluster rules beyond the CRD schema: backups (spec.configurations.backups), restore (spec.initialData.restore), fields removed in StackGres 1.7. */
import { checkCron } from '../cron';
import type { PathSegment } from '../locate';
import { isRecord } from '../manifest';
import { MAX_BACKUP_NAME, MAX_CLUSTER_NAME_WITH_SCHEDULE, SCHEDULED_SUFFIX_LENGTH } from '../names';
import { checkInstant } from '../timestamp';
import { code, Finding, get, has } from './types';

export function checkCluster(value: unknown): Finding[] {
  return [...checkBackups(value, true), ...checkRestore(value), ...checkRemovedFields(value)];
}

/** SGShardedCluster shares the backups section (with `paths` instead of `path`); its names are checked by the CRD. */
export function checkShardedCluster(value: unknown): Finding[] {
  return checkBackups(value, false);
}

function checkBackups(value: unknown, scheduledNames: boolean): Finding[] {
  const backups = get(value, ['spec', 'configurations', 'backups']);
  if (!Array.isArray(backups)) return [];
  const out: Finding[] = [];
  backups.forEach((entry, i) => {
    const at = (...p: PathSegment[]): PathSegment[] => ['spec', 'configurations', 'backups', i, ...p];
    if (i > 0) {
      out.push({
        code: 'backups-extra-entries',
        path: at(),
        message: `The operator only uses the first entry of ${code('backups')}; entry ${i + 1} is ignored (no schedule, no retention, no storage from it). Move what you need into the first entry.`,
      });
    }
    if (!isRecord(entry)) return;
    const cron = entry.cronSchedule;
    if (typeof cron === 'string') {
      const check = checkCron(cron);
      if (!check.ok) {
        out.push({
          code: 'backup-cron-invalid',
          path: at('cronSchedule'),
          target: 'value',
          message: `${check.problem} Nothing rejects this on apply: the operator fails later, when it creates the backup CronJob, and no scheduled backup runs.`,
        });
      } else if (check.neverRuns) {
        out.push({ code: 'backup-cron-never-runs', path: at('cronSchedule'), target: 'value', message: check.reason });
      } else if (i === 0 && scheduledNames) {
        const name = get(value, ['metadata', 'name']);
        if (typeof name === 'string' && name.length > MAX_CLUSTER_NAME_WITH_SCHEDULE) {
          out.push({
            code: 'backup-name-too-long',
            path: ['metadata', 'name'],
            target: 'value',
            message: `Scheduled backups are named ${code('<cluster>-YYYY-MM-DD-HH-MM-SS')} (the cluster name plus ${SCHEDULED_SUFFIX_LENGTH} characters) and an SGBackup name may have at most ${MAX_BACKUP_NAME}. This name has ${name.length} characters, so every scheduled backup would be rejected. Use at most ${MAX_CLUSTER_NAME_WITH_SCHEDULE} characters.`,
          });
        }
      }
    }
    const path = entry.path;
    if (typeof path === 'string' && path.startsWith('/')) {
      const fixed = path.replace(/^\/+/, '');
      out.push({
        code: 'backup-path-leading-slash',
        path: at('path'),
        target: 'value',
        message: `The operator joins bucket and path with a ${code('/')}, so ${code(path)} stores backups under ${code(`<bucket>//${fixed}`)}. Write ${code(fixed)}. Note: setting ${code('path')} by hand is only needed to point a cluster at an existing backup location.`,
        fixes: fixed ? [{ kind: 'set-value', title: `Use ${fixed}`, path: at('path'), value: fixed }] : undefined,
      });
    }
    if (typeof entry.maxRetries === 'number' && entry.maxRetries < 0) {
      out.push({
        code: 'max-retries-negative',
        path: at('maxRetries'),
        target: 'value',
        message: `${code('maxRetries')} is the backup Job's retry count and must be 0 or more. The operator rejects it: "maxRetries must be greather or equals to 0."`,
      });
    }
  });
  return out;
}

const TARGETS = ['targetName', 'targetXid', 'targetLsn', 'pointInTimeRecovery'] as const;

function checkRestore(value: unknown): Finding[] {
  const out: Finding[] = [];
  const base = ['spec', 'initialData'];
  if (has(value, [...base, 'scripts'])) {
    out.push({
      code: 'initial-data-scripts-rejected',
      path: [...base, 'scripts'],
      message: `${code('initialData.scripts')} is rejected by the operator ("scripts section is deprecated, please use .spec.managedSql.scripts section instead."). Move the scripts into an SGScript and reference it from ${code('spec.managedSql.scripts')}.`,
    });
  }
  const restorePath = [...base, 'restore'];
  const restore = get(value, restorePath);
  if (!has(value, restorePath)) return out;
  const fromPath = [...restorePath, 'fromBackup'];
  const from = get(value, fromPath);
  if (!isRecord(from)) {
    out.push({
      code: 'restore-from-backup-missing',
      path: isRecord(restore) && has(value, fromPath) ? fromPath : restorePath,
      message: `A restore needs ${code('fromBackup.name')}: the SGBackup to restore, in the same namespace as this cluster. The operator rejects it: "fromBackup cannot be null".`,
    });
    return out;
  }
  if (has(from, ['uid'])) {
    out.push({
      code: 'restore-uid-rejected',
      path: [...fromPath, 'uid'],
      message: `${code('fromBackup.uid')} is rejected by the operator ("uid is deprecated, use name instead!"), although older docs say it still works. Use ${code('fromBackup.name')} with the SGBackup's name.`,
    });
  }
  if (from.name === undefined || from.name === null || from.name === '') {
    out.push({
      code: 'restore-from-backup-missing',
      path: has(from, ['name']) ? [...fromPath, 'name'] : fromPath,
      message: `${code('fromBackup.name')} is required: the name of a Completed SGBackup in this cluster's namespace (copy it first if it lives in another namespace). The operator rejects it: "name cannot be null".`,
    });
  }
  const targets = TARGETS.filter((t) => has(from, [t]) && from[t] !== null);
  if (targets.length > 1) {
    for (const t of targets) {
      out.push({
        code: 'restore-targets-conflict',
        path: [...fromPath, t],
        message: `Only one recovery target can be set; this restore has ${targets.map(code).join(' and ')}. Keep one. The operator rejects it: "targetName, targetLsn, targetXid pointInTimeRecovery are mutually exclusive".`,
      });
    }
  }
  if (has(from, ['pointInTimeRecovery'])) {
    const pitrPath = [...fromPath, 'pointInTimeRecovery'];
    const ts = get(from, ['pointInTimeRecovery', 'restoreToTimestamp']);
    if (ts === undefined || ts === null || ts === '') {
      out.push({
        code: 'restore-timestamp-invalid',
        path: isRecord(from.pointInTimeRecovery) && has(from, ['pointInTimeRecovery', 'restoreToTimestamp']) ? [...pitrPath, 'restoreToTimestamp'] : pitrPath,
        message: `${code('pointInTimeRecovery')} needs ${code('restoreToTimestamp')}: the UTC instant to recover to, e.g. ${code('2024-01-15T10:30:00Z')}, between this backup and the next one.`,
      });
    } else {
      const text = ts instanceof Date ? ts.toISOString() : String(ts);
      const check = typeof ts === 'string' ? checkInstant(ts) : { ok: false, problem: `${code(text)} must be a string timestamp such as \`2024-01-15T10:30:00Z\` (quote it).`, suggestion: undefined };
      if (!check.ok) {
        out.push({
          code: 'restore-timestamp-invalid',
          path: [...pitrPath, 'restoreToTimestamp'],
          target: 'value',
          message: `${check.problem} The operator rejects it: "restoreToTimestamp must be in ISO 8601 date format: \`YYYY-MM-DDThh:mm:ss.ddZ\`."`,
          fixes: check.suggestion ? [{ kind: 'set-value', title: `Use ${check.suggestion}`, path: [...pitrPath, 'restoreToTimestamp'], value: check.suggestion }] : undefined,
        });
      }
    }
  }
  return out;
}

function checkRemovedFields(value: unknown): Finding[] {
  const out: Finding[] = [];
  const conf = ['spec', 'configurations'];
  if (has(value, [...conf, 'sgBackupConfig'])) {
    out.push({
      code: 'removed-sgbackupconfig-field',
      path: [...conf, 'sgBackupConfig'],
      message: `${code('sgBackupConfig')} was removed in StackGres 1.7: the API server drops it silently and this cluster gets no backups. Reference an SGObjectStorage from ${code('backups[0].sgObjectStorage')} instead.`,
      fixes: [{ kind: 'replace-sgbackupconfig-field', title: 'Replace with backups[0].sgObjectStorage' }],
    });
  }
  if (has(value, [...conf, 'backupPath'])) {
    out.push({
      code: 'removed-backuppath-field',
      path: [...conf, 'backupPath'],
      message: `${code('backupPath')} was removed in StackGres 1.7 and is dropped silently. Use ${code('backups[0].path')} (and only to point at an existing backup location).`,
      fixes: has(value, [...conf, 'sgBackupConfig']) ? [{ kind: 'replace-sgbackupconfig-field', title: 'Move into backups[0].path' }] : undefined,
    });
  }
  return out;
}
