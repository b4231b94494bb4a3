/**
 * The code lenses above StackGres manifests: "Test access" and "IAM policy" above each SGObjectStorage (off
 * with the setting stackgres.codeLens.objectStorage), and "Create credentials Secret" above its
 * `secretKeySelectors`. Each runs a command with the document and the manifest's index in it.
 */
import * as vscode from 'vscode';
import { credentialsPlan } from '@core/credentials';
import { locate } from '@core/locate';
import { objectStorageDocuments, storageManifests, type ManifestArgument } from '../storage/editorFeatures';

const LENS_SETTING = 'stackgres.codeLens.objectStorage';
const YAML_FILES: vscode.DocumentSelector = [{ language: 'yaml', scheme: 'file' }, { language: 'yaml', scheme: 'untitled' }];

class StorageLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(subscriptions: vscode.Disposable[]) {
    subscriptions.push(this.changed, vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(LENS_SETTING)) this.changed.fire();
    }));
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration().get<boolean>(LENS_SETTING, true)) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const d of objectStorageDocuments(document.getText())) {
      const range = new vscode.Range(d.line, 0, d.line, 0);
      const arg: ManifestArgument = { uri: document.uri.toString(), index: d.index };
      lenses.push(
        new vscode.CodeLens(range, { title: vscode.l10n.t('Test access'), tooltip: vscode.l10n.t("Run each S3 action wal-g needs against the bucket, with the keys of the storage's Secret"), command: 'stackgres.testStorageAccess', arguments: [arg] }),
        new vscode.CodeLens(range, { title: vscode.l10n.t('IAM policy'), tooltip: vscode.l10n.t('The least-privilege IAM policy and AWS CLI commands for this bucket'), command: 'stackgres.generateIamPolicy', arguments: [arg] }),
      );
    }
    return lenses;
  }
}

/** "Create credentials Secret" above `secretKeySelectors` of each SGObjectStorage that reads a Secret. */
class CredentialsLenses implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const { manifest } of storageManifests(document)) {
      const plan = credentialsPlan(manifest.value);
      if (!plan.ok) continue;
      const found = locate(manifest, plan.value.selectorsPath);
      if (found.depth !== plan.value.selectorsPath.length) continue;
      const line = manifest.chunk.startLine + found.range.start.line;
      const names = plan.value.secrets.map((s) => s.name).join(', ');
      lenses.push(
        new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
          title: vscode.l10n.t('Create credentials Secret'),
          tooltip: vscode.l10n.t('Create Secret {0} with the keys these selectors name', names),
          command: 'stackgres.createCredentialsSecret',
          arguments: [document.uri, manifest.chunk.index],
        }),
      );
    }
    return lenses;
  }
}

/** Registered once at activation by the extension's context. */
export function registerCodeLenses(): vscode.Disposable[] {
  const subscriptions: vscode.Disposable[] = [];
  subscriptions.push(
    vscode.languages.registerCodeLensProvider(YAML_FILES, new StorageLenses(subscriptions)),
    vscode.languages.registerCodeLensProvider(YAML_FILES, new CredentialsLenses()),
  );
  return subscriptions;
}
