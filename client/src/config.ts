import * as vscode from 'vscode';
import { featureMode, type FeatureModes } from './coexistence';

/** The extension's settings, typed, read in one place. */
export interface Settings {
  /** Files larger than this (MB) are not checked as a whole. */
  readonly maxFileSizeMB: number;
  /** How often Secret names and keys are read again while connected (ms); 0: never on a timer. */
  readonly secretsRefreshMs: number;
  /** `stackgres.validate.schema`, `stackgres.completion`, `stackgres.hover` (see coexistence.ts). */
  readonly features: FeatureModes;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('stackgres');
  return {
    maxFileSizeMB: Math.max(1, c.get<number>('validation.maxFileSizeMB', 5)),
    // Below a few seconds the reads would only add load on the API server.
    secretsRefreshMs: secondsToMs(c.get<number>('live.secretsRefreshSeconds', 30)),
    features: { schema: featureMode(c.get('validate.schema')), completion: featureMode(c.get('completion')), hover: featureMode(c.get('hover')) },
  };
}

function secondsToMs(seconds: number): number {
  return seconds > 0 ? Math.max(2, seconds) * 1000 : 0;
}

/** Backup health: the grace after a scheduled run and the WAL age that count as a problem, and the Failed notification. */
export interface HealthSettings {
  readonly graceMinutes: number;
  readonly walLagMinutes: number;
  readonly notifyBackupFailed: boolean;
}

export function readHealthSettings(): HealthSettings {
  const c = vscode.workspace.getConfiguration('stackgres');
  return {
    graceMinutes: Math.max(0, c.get<number>('health.overdueGraceMinutes', 60)),
    walLagMinutes: Math.max(1, c.get<number>('health.walLagMinutes', 60)),
    notifyBackupFailed: c.get<boolean>('notifications.backupFailed', true),
  };
}
