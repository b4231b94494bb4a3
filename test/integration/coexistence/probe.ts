/**
 * Runs inside the extension host of one coexistence setup (test/e2e/coexistence.ts) and measures what the
 * user would see on the fixture files of test/fixtures/coexistence: problems by source, completion labels at
 * a backups entry, hovers at `cronSchedule`, and Red Hat YAML's features on a plain YAML file. It measures
 * only; the driver compares the numbers with the targets, so the same probe serves the baseline.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../../poll';
import type { TestingApi } from '../../../client/src/extension';
import { configurationApi, hostKubeconfig } from '../../../client/src/kubernetesExtension';
import type { CoexistenceProbeConfig, FileMeasure, SetupMeasure } from './measure';

const YAML_ID = 'redhat.vscode-yaml';
const KUBERNETES_ID = 'ms-kubernetes-tools.vscode-kubernetes-tools';
const STACKGRES_ID = 'stackgres-tools.stackgres-backups';
/** Where the Kubernetes extension keeps the SGCluster schema it read from the cluster's /openapi/v2. */
const CLUSTER_SCHEMA_URI = 'kubernetes://schema/stackgres.io/v1@sgcluster';

interface YamlApi {
  requestCustomSchema(resource: string): string[];
  requestCustomSchemaContent(uri: string): string | undefined | Promise<string | undefined>;
  hasProvider(scheme: string): boolean;
}

export async function run(): Promise<void> {
  const config = JSON.parse(readFileSync(join(__dirname, 'probe-config.json'), 'utf8')) as CoexistenceProbeConfig;
  const measure: SetupMeasure = { setup: config.setup, vscodeVersion: vscode.version, nodeVersion: process.version, extensions: {}, files: {}, notes: [] };
  try {
    await probe(config, measure);
  } catch (err) {
    measure.error = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
  }
  writeFileSync(`${config.resultsFile}.tmp`, JSON.stringify(measure, null, 2));
  renameSync(`${config.resultsFile}.tmp`, config.resultsFile);
}

async function probe(config: CoexistenceProbeConfig, measure: SetupMeasure): Promise<void> {
  const started = Date.now();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) throw new Error('no workspace folder is open');
  const uri = (name: string) => vscode.Uri.joinPath(folder, name);

  for (const id of [YAML_ID, KUBERNETES_ID, STACKGRES_ID]) {
    const ext = vscode.extensions.getExtension(id);
    if (ext) measure.extensions[id] = ext.packageJSON.version as string;
  }
  // Opening a YAML file activates all three (onLanguage:yaml); the cluster file stays open in column one.
  const cluster = await vscode.workspace.openTextDocument(uri('cluster.yaml'));
  await vscode.window.showTextDocument(cluster, { viewColumn: vscode.ViewColumn.One, preview: false });

  let yamlApi: YamlApi | undefined;
  const yaml = vscode.extensions.getExtension<YamlApi>(YAML_ID);
  if (yaml) yamlApi = await yaml.activate();
  const ours = vscode.extensions.getExtension(STACKGRES_ID);
  if (ours) {
    await ours.activate();
    // A build from before the coexistence settings (to measure the "before" table) registers nothing.
    const hasSettings = JSON.stringify(ours.packageJSON.contributes ?? {}).includes('stackgres.validate.schema');
    if (yamlApi && config.expectOurContributor && hasSettings) {
      // Ours registers with Red Hat YAML during activation, but without awaiting it: wait for it here.
      await waitFor('the StackGres extension to register with Red Hat YAML', () => yamlApi?.hasProvider('stackgres'), 30_000, 100);
    }
  }
  const kubernetes = vscode.extensions.getExtension(KUBERNETES_ID);
  if (kubernetes && ours && config.kubernetesStuck) {
    // Its activation waits on a prompt nobody answers: ours must have activated (awaited above) and connect.
    const testing = (ours.exports as { testing?: TestingApi }).testing;
    const result: NonNullable<SetupMeasure['ourConnection']> = { kubernetesActive: kubernetes.isActive };
    try {
      const api = await testing?.context.connection.api();
      result.connectedContext = api?.context.name;
    } catch (err) {
      result.error = String(err);
    }
    measure.ourConnection = result;
  }
  if (kubernetes && yamlApi && !config.kubernetesStuck) {
    const api = yamlApi;
    await waitFor('the Kubernetes extension to activate', () => kubernetes.isActive, 60_000, 200);
    // It fetches /openapi/v2 through `kubectl proxy` in the background: wait until it holds the CRD schemas,
    // or every number below would be the one before it read the cluster.
    await waitFor(
      'the Kubernetes extension to read the StackGres schemas from the cluster',
      async () => (await Promise.resolve(api.requestCustomSchemaContent(CLUSTER_SCHEMA_URI)).catch(() => undefined)) !== undefined,
      90_000,
      500,
    );
    measure.notes.push(`Kubernetes extension had the cluster's schemas after ${Date.now() - started} ms`);
    // The contract our connection code relies on, read from the real extension's exports.
    const found = await configurationApi(kubernetes.exports);
    const contract: NonNullable<SetupMeasure['contract']> = { namespaceEvent: false, contextEvent: false };
    if ('reason' in found) contract.reason = found.reason;
    else {
      contract.version = found.version;
      contract.kubeconfig = hostKubeconfig(found.api);
      contract.namespaceEvent = typeof found.api.onDidChangeNamespace === 'function';
      contract.contextEvent = typeof found.api.onDidChangeContext === 'function';
    }
    measure.contract = contract;
  }
  measure.readyMs = Date.now() - started;

  // Each StackGres file in column one, the plain file beside it in column two: the Kubernetes extension
  // hands a schema only to visible documents. An edit makes Red Hat YAML validate again with the schemas
  // it has now; the plain file, edited after, shows its new problem once Red Hat YAML has got that far.
  const plain = await vscode.workspace.openTextDocument(uri('plain.yaml'));
  for (const name of config.stackgresFiles) {
    const doc = await vscode.workspace.openTextDocument(uri(name));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
    await vscode.window.showTextDocument(plain, { viewColumn: vscode.ViewColumn.Two, preview: false, preserveFocus: true });
    await appendLine(doc, '# checked');
    // A new line each time (its schema wants integers for unknown keys), so no earlier problem counts.
    const probeLine = await appendLine(plain, `probe-${Object.keys(measure.files).length}: not-a-number`);
    if (yamlApi) {
      await waitFor(`Red Hat YAML to check plain.yaml after ${name}`, () => vscode.languages.getDiagnostics(plain.uri).some((d) => d.range.start.line === probeLine), 30_000, 100);
    }
    const schemas = yamlApi?.requestCustomSchema(doc.uri.toString()) ?? [];
    if (schemas.some((u) => u.startsWith('kubernetes:'))) {
      // Red Hat YAML has the cluster's schema for this file and the file has mistakes it catches: wait for them.
      await waitFor(`Red Hat YAML's schema problems in ${name}`, () => vscode.languages.getDiagnostics(doc.uri).some((d) => (d.source ?? '').startsWith('yaml-schema')), 30_000, 100);
    }
    if (ours) await waitFor(`StackGres problems in ${name}`, () => vscode.languages.getDiagnostics(doc.uri).some((d) => d.source === 'stackgres'), 30_000, 100);
    measure.files[name] = fileMeasure(vscode.languages.getDiagnostics(doc.uri));
    if (yamlApi) measure.files[name].schemasFromRedHatYaml = schemas;
  }
  await revert(plain);

  // Completion at the start of a key of the cluster's first backups entry (field names); hovers at its cronSchedule.
  await vscode.window.showTextDocument(cluster, { viewColumn: vscode.ViewColumn.One, preview: false });
  const at = cluster.positionAt(cluster.getText().indexOf('retention:'));
  const labels = await waitFor(
    'completion at a backups entry',
    async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', cluster.uri, at);
      const found = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      // A language server may still be starting: wait until a backups field is offered.
      return found.includes('compression') || found.includes('retention') ? found : undefined;
    },
    30_000,
    250,
  ).catch(() => [] as string[]);
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  measure.completion = { labels: labels.length, duplicates: [...counts].filter(([, n]) => n > 1).map(([l]) => l).sort() };

  const cron = cluster.positionAt(cluster.getText().indexOf('cronSchedule') + 2);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cluster.uri, cron);
  const hoverTexts = hovers.map(hoverText).filter((t) => t.trim().length > 0);
  measure.hover = { count: hoverTexts.length, firstLines: hoverTexts.map((t) => t.split('\n').find((l) => l.trim()) ?? '') };

  // The plain file: Red Hat YAML's problems, hover and completion from its own schema.
  await vscode.window.showTextDocument(plain, { viewColumn: vscode.ViewColumn.One, preview: false });
  const plainDiagnostics = vscode.languages.getDiagnostics(plain.uri);
  const replicas = plain.positionAt(plain.getText().indexOf('replicas') + 2);
  const plainHovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', plain.uri, replicas)).map(hoverText).filter((t) => t.trim());
  const endOfFile = plain.lineAt(plain.lineCount - 1).range.end;
  const plainEdit = new vscode.WorkspaceEdit();
  plainEdit.insert(plain.uri, endOfFile, plain.lineAt(plain.lineCount - 1).text ? '\n' : '');
  await vscode.workspace.applyEdit(plainEdit);
  const last = new vscode.Position(plain.lineCount - 1, 0);
  const plainLabels = (await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', plain.uri, last)).items.map((i) =>
    typeof i.label === 'string' ? i.label : i.label.label,
  );
  await revert(plain);
  measure.plain = {
    problems: plainDiagnostics.filter((d) => (d.source ?? '').startsWith('yaml-schema')).length,
    stackgresProblems: plainDiagnostics.filter((d) => d.source === 'stackgres').length,
    hoverFromSchema: plainHovers.some((t) => t.includes('How many copies')),
    completionFromSchema: plainLabels.includes('port'),
  };
  measure.totalMs = Date.now() - started;
}

function fileMeasure(diagnostics: vscode.Diagnostic[]): FileMeasure {
  const bySource: Record<string, number> = {};
  for (const d of diagnostics) {
    const source = d.source ?? '(none)';
    bySource[source] = (bySource[source] ?? 0) + 1;
  }
  const ours = diagnostics.filter((d) => d.source === 'stackgres');
  const others = diagnostics.filter((d) => d.source !== 'stackgres');
  let sameLine = 0;
  let contradicting = 0;
  for (const o of others) {
    const match = ours.find((d) => d.range.start.line === o.range.start.line);
    if (!match) continue;
    sameLine++;
    if (match.severity !== o.severity) contradicting++;
  }
  return {
    bySource,
    repeatedOnOurLines: sameLine,
    contradicting,
    ours: ours.map((d) => `${d.range.start.line + 1}:${typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? '')}`),
    others: others.map((d) => `${d.range.start.line + 1}:${vscode.DiagnosticSeverity[d.severity]}:${d.source ?? ''}:${d.message.split('\n')[0]}`),
  };
}

function hoverText(h: vscode.Hover): string {
  return h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
}

/** Appends a line and returns its (0-based) number. */
async function appendLine(doc: vscode.TextDocument, line: string): Promise<number> {
  const edit = new vscode.WorkspaceEdit();
  const lastText = doc.lineAt(doc.lineCount - 1).text;
  const lineNumber = lastText ? doc.lineCount : doc.lineCount - 1;
  edit.insert(doc.uri, doc.lineAt(doc.lineCount - 1).range.end, `${lastText ? '\n' : ''}${line}\n`);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not edit ${doc.uri.fsPath}`);
  return lineNumber;
}

async function revert(doc: vscode.TextDocument): Promise<void> {
  if (!doc.isDirty) return;
  await vscode.window.showTextDocument(doc, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
}
