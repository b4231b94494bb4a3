/** Document-level rules: the apiVersion served for each kind and kinds that no longer exist (SGBackupConfig, removed in StackGres 1.7). */
import { kindInfo, REMOVED_KINDS } from '../kinds';
import type { Manifest } from '../manifest';
import { code, Finding } from './types';

export function checkDocument(m: Manifest): Finding[] {
  const out: Finding[] = [];
  const info = kindInfo(m.kind);
  if (info && m.apiVersion !== info.apiVersion) {
    out.push({
      code: 'api-version-wrong',
      path: ['apiVersion'],
      target: 'value',
      message: `${info.kind} is served as ${code(info.apiVersion)}, not ${code(m.apiVersion ?? '')}; kubectl apply fails with "no matches for kind ${info.kind} in version ${m.apiVersion}".`,
      fixes: [{ kind: 'set-value', title: `Change apiVersion to ${info.apiVersion}`, path: ['apiVersion'], value: info.apiVersion }],
    });
  }
  const removed = m.kind ? REMOVED_KINDS[m.kind] : undefined;
  if (removed) {
    out.push({
      code: 'kind-removed',
      path: ['kind'],
      target: 'value',
      message: `${m.kind} was removed in StackGres ${removed.removedIn}; clusters cannot use it any more. Its storage becomes an SGObjectStorage and its schedule, retention and compression move to SGCluster ${code('spec.configurations.backups[0]')}.`,
      fixes: [{ kind: 'migrate-backup-config', title: 'Migrate to SGObjectStorage and backups[0]' }],
    });
  }
  return out;
}
