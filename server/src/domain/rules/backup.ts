/** SGBackup rules beyond the CRD schema (the operator's SGBackup validators). */
import { checkStorageSpec } from './objectStorage';
import { code, Finding, get, has } from './types';

export function checkBackup(value: unknown): Finding[] {
  const out: Finding[] = [];
  const cluster = get(value, ['spec', 'sgCluster']);
  if (cluster === undefined || cluster === null || cluster === '') {
    out.push({
      code: 'backup-cluster-missing',
      path: has(value, ['spec', 'sgCluster']) ? ['spec', 'sgCluster'] : has(value, ['spec']) ? ['spec'] : ['kind'],
      message: `An SGBackup needs ${code('spec.sgCluster')}: the SGCluster (same namespace) to back up. The operator rejects it: "The cluster name is required".`,
    });
  }
  if (typeof get(value, ['spec', 'maxRetries']) === 'number' && (get(value, ['spec', 'maxRetries']) as number) < 0) {
    out.push({
      code: 'max-retries-negative',
      path: ['spec', 'maxRetries'],
      target: 'value',
      message: `${code('maxRetries')} must be 0 or more. The operator rejects it: "maxRetries must be greather or equals to 0."`,
    });
  }
  // A copied or hand-written status carries the storage spec used for restore: it obeys the same rules.
  out.push(...checkStorageSpec(value, ['status', 'sgBackupConfig', 'storage']));
  return out;
}
