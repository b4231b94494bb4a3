import type { KubeObject } from './api';

/**
 * What the view and the checks read of an object. Dropped: field-manager bookkeeping, kubectl's copy of the
 * last applied manifest, and a backup's pg_controldata dump (the bulk of an SGBackup). Commands that need
 * the whole object GET it.
 */
export function slimObject(o: KubeObject): KubeObject {
  const info = (o.status as { backupInformation?: Record<string, unknown> } | undefined)?.backupInformation;
  const hasControlData = Boolean(info && 'controlData' in info);
  // Already slim (the list slims each page, the cache slims what watches bring): no copy to collect.
  if (!('managedFields' in o.metadata) && !('annotations' in o.metadata) && !hasControlData) return o;
  const { managedFields: _managed, annotations, ...metadata } = o.metadata;
  const slim: KubeObject = { ...o, metadata };
  if (annotations) {
    const { 'kubectl.kubernetes.io/last-applied-configuration': _applied, ...rest } = annotations;
    if (Object.keys(rest).length) slim.metadata.annotations = rest;
  }
  if (info && hasControlData) {
    const { controlData: _control, ...keptInfo } = info;
    slim.status = { ...(o.status as Record<string, unknown>), backupInformation: keptInfo };
  }
  return slim;
}
