/**
 * Read-only YAML of cluster objects (`stackgres:` URIs): what the API server holds, without managedFields,
 * fetched fresh on every open. Secrets are never shown this way.
 */
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import { commentText } from '@core/scriptText';
import type { ClusterConnection } from './connection';
import type { StackGresKind } from './kube/api';

export const SCHEME = 'stackgres';

export function objectUri(context: string, kind: StackGresKind, namespace: string, name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: `/${kind}/${namespace}/${name}.yaml`, query: new URLSearchParams({ context }).toString() });
}

export class ObjectYamlProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly connection: ClusterConnection) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const [, kind, namespace, file] = uri.path.split('/');
    const name = file.replace(/\.yaml$/, '');
    const api = await this.connection.api();
    const context = new URLSearchParams(uri.query).get('context');
    // Names come from the link and the kubeconfig: keep them on the comment line.
    const header = `# ${commentText(context && context !== api.context.name ? `Fetched from context ${api.context.name} (the link named ${context})` : `${kind} ${namespace}/${name} in context ${api.context.name}, read-only`)}\n`;
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    const obj = await api.get(kind as StackGresKind, namespace, name, { signal: controller.signal });
    if (!obj) return `${header}# Not found: it was deleted or renamed.\n`;
    const { managedFields: _dropped, ...metadata } = obj.metadata;
    return header + stringify({ ...obj, metadata }, { lineWidth: 0 });
  }
}
