/** All StackGres rules for one manifest. The schema (CRD) checks are done by the schema validator. */
import type { Manifest } from '../manifest';
import { checkBackup } from './backup';
import { checkCluster, checkShardedCluster } from './cluster';
import { checkDocument } from './document';
import { checkStorageSpec } from './objectStorage';
import type { Finding } from './types';

export type { Finding, FixSpec } from './types';

export function checkManifest(m: Manifest): Finding[] {
  if (!m.isStackGres || m.helmTemplate) return [];
  const out = checkDocument(m);
  switch (m.kind) {
    case 'SGObjectStorage':
      out.push(...checkStorageSpec(m.value, ['spec']));
      break;
    case 'SGCluster':
      out.push(...checkCluster(m.value));
      break;
    case 'SGShardedCluster':
      out.push(...checkShardedCluster(m.value));
      break;
    case 'SGBackup':
      out.push(...checkBackup(m.value));
      break;
    default:
      break;
  }
  return out;
}
