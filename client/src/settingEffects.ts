/**
 * What a change to each of our settings needs. Restarting the language server drops its workspace index
 * and re-checks every open file (a second or more on a large workspace), so only settings the server reads
 * when it starts restart it; the others are applied where they are used. A setting missing here restarts
 * the server, the safe choice, and a unit test asks that each contributed setting be listed.
 * No vscode import: the unit tests read this table.
 */
export type SettingEffect =
  /** Sent to the language server in its initialization options: a change restarts it. */
  | 'restart'
  /** Applied in place by the extension (or the language client): the server keeps running. */
  | 'in place';

export const SETTING_EFFECTS: Readonly<Record<string, { effect: SettingEffect; why: string }>> = {
  'stackgres.validation.maxFileSizeMB': { effect: 'restart', why: 'an initialization option; the restart re-checks every open file against the new limit' },
  'stackgres.live.secretsRefreshSeconds': { effect: 'in place', why: "the live values' timer starts again with the new period" },
  'stackgres.kubeconfig': { effect: 'in place', why: 'the cluster connection reconnects; the server gets the new live values' },
  'stackgres.codeLens.objectStorage': { effect: 'in place', why: 'the code lenses are asked again' },
  'stackgres.trace.server': { effect: 'in place', why: 'the language client follows it by itself' },
  'stackgres.statusBar.show': { effect: 'in place', why: 'the status bar item shows or hides itself' },
  'stackgres.health.overdueGraceMinutes': { effect: 'in place', why: 'backup health is judged again at once' },
  'stackgres.health.walLagMinutes': { effect: 'in place', why: 'backup health is judged again at once' },
  'stackgres.notifications.backupFailed': { effect: 'in place', why: 'read each time a backup turns Failed' },
  'stackgres.drill.timeoutMinutes': { effect: 'in place', why: 'read by Test Restore when a drill starts' },
  'stackgres.validate.schema': { effect: 'restart', why: 'an initialization option (features): who answers on StackGres documents is decided when the server starts' },
  'stackgres.completion': { effect: 'restart', why: 'an initialization option (features)' },
  'stackgres.hover': { effect: 'restart', why: 'an initialization option (features)' },
};

/** Settings whose change restarts the language server. */
export const RESTART_SETTINGS = Object.keys(SETTING_EFFECTS).filter((k) => SETTING_EFFECTS[k].effect === 'restart');

/**
 * Whether a settings change must restart the language server: a restart setting changed, or a `stackgres`
 * setting this table does not know (a newer setting nobody listed yet).
 */
export function changeNeedsRestart(affects: (section: string) => boolean): boolean {
  if (!affects('stackgres')) return false;
  if (RESTART_SETTINGS.some((k) => affects(k))) return true;
  return !Object.keys(SETTING_EFFECTS).some((k) => affects(k));
}
