/** Kubernetes and StackGres naming limits, shared by the language server and the client's prompts. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_CLUSTER_NAME = 44;
export const MAX_BACKUP_NAME = 56;
/** Scheduled backups are named `<cluster>-YYYY-MM-DD-HH-MM-SS`: the cluster name plus 20 characters. */
export const SCHEDULED_SUFFIX_LENGTH = 20;
export const MAX_CLUSTER_NAME_WITH_SCHEDULE = MAX_BACKUP_NAME - SCHEDULED_SUFFIX_LENGTH;

export function scheduledBackupName(cluster: string, at: Date): string {
  const iso = at.toISOString(); // 2024-01-15T10:30:00.000Z
  return `${cluster}-${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}`;
}

/** Why a name cannot be used for a resource of this kind, or undefined when it is fine. */
export function nameProblem(name: string, maxLength: number, what: string): string | undefined {
  if (name === '') return `The ${what} name cannot be empty.`;
  if (name.length > maxLength) return `The ${what} name is ${name.length} characters; the limit is ${maxLength}.`;
  if (!DNS_LABEL.test(name)) {
    return `The ${what} name must start with a lower-case letter and contain only lower-case letters, digits and '-', not ending in '-' (no dots or capitals).`;
  }
  return undefined;
}

/** A Secret's (or most objects') name: lower-case DNS labels joined by dots, at most 253 characters. */
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A key in a Secret's data. */
export const SECRET_KEY_NAME = /^[-._a-zA-Z0-9]{1,253}$/;
