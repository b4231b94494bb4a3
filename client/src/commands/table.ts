/**
 * The command table as plain data: each command's id, its title in the palette and whether it needs a trusted
 * workspace. No vscode import, so a unit test holds it against package.json; the handlers are wired by id in
 * the command families and joined to this table in index.ts.
 */
export interface CommandData {
  readonly title: string;
  /** Reaches a cluster or a bucket, or runs credential plugins: only in a trusted workspace. */
  readonly needsTrust: boolean;
}

export const commandTable = {
  'stackgres.showLog': { title: 'Show Log', needsTrust: false },
  'stackgres.refresh': { title: 'Refresh', needsTrust: false },
  'stackgres.selectContext': { title: 'Choose Kubernetes Context for This Workspace', needsTrust: true },
  'stackgres.selectNamespace': { title: 'Choose Namespace for This Workspace', needsTrust: true },
  'stackgres.chooseConnection': { title: 'Choose Context or Namespace…', needsTrust: true },
  'stackgres.newObjectStorage': { title: 'New SGObjectStorage Manifest', needsTrust: false },
  'stackgres.openWalkthrough': { title: 'Get Started with StackGres Backups', needsTrust: false },
  'stackgres.chooseKubeconfig': { title: 'Choose Kubeconfig File', needsTrust: false },
  'stackgres.openYaml': { title: 'Open YAML', needsTrust: true },
  'stackgres.copyName': { title: 'Copy Name', needsTrust: false },
  'stackgres.runBackup': { title: 'Run Backup Now', needsTrust: true },
  'stackgres.restoreBackup': { title: 'Restore Backup…', needsTrust: true },
  'stackgres.testRestore': { title: 'Test Restore (Restore Drill)…', needsTrust: true },
  'stackgres.followDrill': { title: 'Follow Restore Drill…', needsTrust: true },
  'stackgres.copyBackup': { title: 'Copy Backup to Namespace…', needsTrust: true },
  'stackgres.deleteBackup': { title: 'Delete Backup…', needsTrust: true },
  'stackgres.keepBackup': { title: 'Keep This Backup', needsTrust: true },
  'stackgres.letRetentionManageBackup': { title: 'Let Retention Manage This Backup', needsTrust: true },
  'stackgres.showBackupLogs': { title: 'Show Backup Logs', needsTrust: true },
  'stackgres.applyManifest': { title: 'Apply Manifest to Cluster', needsTrust: true },
  'stackgres.createCredentialsSecret': { title: 'Create Credentials Secret', needsTrust: true },
  'stackgres.testStorageAccess': { title: 'Test Object Storage Access', needsTrust: true },
  'stackgres.generateIamPolicy': { title: 'Generate IAM Policy for Object Storage', needsTrust: false },
  'stackgres.showRecoverableWindow': { title: 'Show Recoverable Window', needsTrust: true },
  'stackgres.loadMoreBackups': { title: 'Load More Backups from the Bucket', needsTrust: true },
  'stackgres.refreshBucket': { title: 'Read the Bucket Again', needsTrust: true },
  'stackgres.verifyRecoverability': { title: 'Verify Recoverability', needsTrust: true },
  'stackgres.showBackupHealthReport': { title: 'Backup Health Report', needsTrust: true },
  'stackgres.showBackupFailure': { title: 'Show Backup Failure', needsTrust: true },
} as const satisfies Record<string, CommandData>;

export type CommandId = keyof typeof commandTable;
