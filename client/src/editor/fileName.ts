import type * as vscode from 'vscode';

/** The file name messages show for a document (the whole URI when its path has none). */
export function baseName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || uri.toString();
}
