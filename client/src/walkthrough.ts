/**
 * The Getting Started walkthrough's progress (package.json `walkthroughs`): each step completes on a context
 * key set here when the real thing happened (connected, the bucket test passed, a backup Completed), not
 * when its button was merely pressed. VS Code keeps a step's completion once it has seen it.
 */
import * as vscode from 'vscode';
import type { CommandId } from './commands/table';
import type { ClusterConnection } from './connection';

export const STEP_KEYS = {
  connected: 'stackgres.walkthrough.connected',
  storageWritten: 'stackgres.walkthrough.storageWritten',
  iamPolicy: 'stackgres.walkthrough.iamPolicy',
  secretCreated: 'stackgres.walkthrough.secretCreated',
  bucketTested: 'stackgres.walkthrough.bucketTested',
  applied: 'stackgres.walkthrough.applied',
  backupCompleted: 'stackgres.walkthrough.backupCompleted',
  windowShown: 'stackgres.walkthrough.windowShown',
} as const;

/** Which step a command's result completes, if it succeeded in the step's sense. */
export function stepCompletedBy(id: CommandId, result: unknown): keyof typeof STEP_KEYS | undefined {
  const r = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
  switch (id) {
    case 'stackgres.generateIamPolicy':
      return result === undefined ? undefined : 'iamPolicy';
    case 'stackgres.createCredentialsSecret':
      return result === undefined ? undefined : 'secretCreated';
    case 'stackgres.testStorageAccess':
      // A test that ran and passed: the bucket answered every required action.
      return (r.report as { ok?: unknown } | undefined)?.ok === true ? 'bucketTested' : undefined;
    case 'stackgres.applyManifest':
      return Array.isArray(r.applied) && r.applied.length > 0 ? 'applied' : undefined;
    case 'stackgres.runBackup':
      return r.phase === 'Completed' ? 'backupCompleted' : undefined;
    case 'stackgres.showRecoverableWindow':
      return 'windowShown';
    default:
      return undefined;
  }
}

export class WalkthroughProgress implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(connection: ClusterConnection) {
    this.subscription = connection.onDidChange((s) => {
      if (s.kind === 'connected') this.complete('connected');
    });
    if (connection.current.kind === 'connected') this.complete('connected');
  }

  /** After a command returned (not thrown, not cancelled). */
  commandSucceeded(id: CommandId, result: unknown): void {
    const step = stepCompletedBy(id, result);
    if (step) this.complete(step);
  }

  private complete(step: keyof typeof STEP_KEYS): void {
    void vscode.commands.executeCommand('setContext', STEP_KEYS[step], true);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
