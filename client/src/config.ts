import * as vscode from 'vscode';

/** The extension's settings, typed, read in one place. */
export interface Settings {
  /** Files larger than this (MB) are not checked as a whole. */
  readonly maxFileSizeMB: number;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('stackgres');
  return {
    maxFileSizeMB: Math.max(1, c.get<number>('validation.maxFileSizeMB', 5)),
  };
}

/** Calls back when a setting of ours changes. */
export function onSettingsChanged(listener: (s: Settings) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('stackgres')) listener(readSettings());
  });
}
