/**
 * The status bar item: which context and namespace this workspace talks to, live as the connection changes;
 * a click chooses them (Choose Context or Namespace). Hidden with `stackgres.statusBar.show: false`.
 */
import * as vscode from 'vscode';
import type { ClusterConnection, ConnectionState } from '../connection';

export const STATUS_BAR_SETTING = 'statusBar.show';

/** What the item says in each state; exported for the integration suite to compare with. */
export function statusBarText(state: ConnectionState, chosen: { context?: string; namespace?: string }, trusted: boolean): { text: string; tooltip: string; command: string } {
  const namespace = chosen.namespace ?? vscode.l10n.t('all namespaces');
  if (!trusted) {
    return { text: `$(shield) ${vscode.l10n.t('StackGres: Restricted Mode')}`, tooltip: vscode.l10n.t('StackGres reads no kubeconfig in Restricted Mode. Click to manage workspace trust.'), command: 'workbench.trust.manage' };
  }
  switch (state.kind) {
    case 'connected':
      return {
        text: `$(server-environment) ${state.api.context.name} · ${namespace}`,
        tooltip: vscode.l10n.t('StackGres: context {0} ({1}), namespace: {2}. Click to choose another context or namespace for this workspace.', state.api.context.name, state.api.context.server ?? 'in-cluster', namespace),
        command: 'stackgres.chooseConnection',
      };
    case 'connecting':
      return { text: `$(sync~spin) ${chosen.context ?? vscode.l10n.t('StackGres')} · ${namespace}`, tooltip: vscode.l10n.t('StackGres: connecting…'), command: 'stackgres.chooseConnection' };
    case 'failed':
      return {
        text: `$(warning) ${chosen.context ?? vscode.l10n.t('StackGres')}: ${vscode.l10n.t('not connected')}`,
        tooltip: vscode.l10n.t('StackGres cannot connect: {0} Click to choose a context or a kubeconfig file.', state.error.message),
        command: 'stackgres.chooseConnection',
      };
    case 'idle':
      return {
        text: `$(plug) ${chosen.context ?? vscode.l10n.t('StackGres')} · ${namespace}`,
        tooltip: vscode.l10n.t('StackGres: not connected yet (the view or a command connects). Click to choose a context or namespace.'),
        command: 'stackgres.chooseConnection',
      };
  }
}

export class ConnectionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('stackgres.connection', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor(private readonly connection: ClusterConnection) {
    this.item.name = vscode.l10n.t('StackGres Context and Namespace');
    this.disposables.push(
      connection.onDidChange((state) => {
        this.update();
        // After a switch (context, namespace, kubeconfig, trust), connect again so the item names where it is.
        // Deferred: the other listeners see the reset before the new attempt.
        if (state.kind === 'idle') setTimeout(() => this.connect(), 0);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(`stackgres.${STATUS_BAR_SETTING}`)) return;
        this.update();
        if (this.connection.current.kind === 'idle') this.connect();
      }),
    );
    this.update();
    this.connect();
  }

  /** Opens the connection (never in Restricted Mode, where it would be refused anyway); failures show in the item. */
  private connect(): void {
    if (!vscode.workspace.isTrusted || !this.isShown() || this.connection.current.kind !== 'idle') return;
    void this.connection.api().catch(() => undefined);
  }

  private isShown(): boolean {
    return vscode.workspace.getConfiguration('stackgres').get<boolean>(STATUS_BAR_SETTING, true);
  }

  /** What the item shows now (undefined when hidden), for the integration suite. */
  get shown(): { text: string; tooltip: string; command: string } | undefined {
    return this.visible ? { text: this.item.text, tooltip: String(this.item.tooltip ?? ''), command: typeof this.item.command === 'string' ? this.item.command : (this.item.command?.command ?? '') } : undefined;
  }

  private visible = false;

  private update(): void {
    const s = statusBarText(this.connection.current, { context: this.connection.chosenContext(), namespace: this.connection.chosenNamespace() }, vscode.workspace.isTrusted);
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.command = s.command;
    this.visible = this.isShown();
    if (this.visible) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** What the backup health item says; undefined: hidden (not connected, or nothing to report). */
export function healthStatusText(context: string, summary: { text: string; severity: 'ok' | 'warning' | 'error' }): { text: string; tooltip: string; command: string; severity: 'warning' | 'error' } | undefined {
  if (summary.severity === 'ok' || summary.text === '') return undefined;
  return {
    text: `$(${summary.severity === 'error' ? 'error' : 'warning'}) ${vscode.l10n.t('StackGres: {0}', summary.text)}`,
    tooltip: vscode.l10n.t('Backups of context {0}: {1}. Click to open the Backup Health Report.', context, summary.text),
    command: 'stackgres.showBackupHealthReport',
    severity: summary.severity,
  };
}

/**
 * A second item, beside the context one, shown only when a cluster's backups need attention: its click opens
 * the Backup Health Report, while the context item's click chooses the context, so one item cannot do both.
 * Hidden with the same `stackgres.statusBar.show: false`.
 */
export class BackupHealthStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('stackgres.backupHealth', vscode.StatusBarAlignment.Left, 49);
  private visible: ReturnType<typeof healthStatusText>;

  constructor() {
    this.item.name = vscode.l10n.t('StackGres Backup Health');
  }

  set(state: { context: string; summary: { text: string; severity: 'ok' | 'warning' | 'error' } } | undefined): void {
    const s = state && vscode.workspace.getConfiguration('stackgres').get<boolean>(STATUS_BAR_SETTING, true) ? healthStatusText(state.context, state.summary) : undefined;
    this.visible = s;
    if (!s) {
      this.item.hide();
      return;
    }
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.command = s.command;
    this.item.backgroundColor = new vscode.ThemeColor(s.severity === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
    this.item.show();
  }

  /** What the item shows now (undefined when hidden), for the integration suite. */
  get shown(): { text: string; tooltip: string; command: string } | undefined {
    return this.visible ? { text: this.visible.text, tooltip: this.visible.tooltip, command: this.visible.command } : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
