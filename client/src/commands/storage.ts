/**
 * Object storage commands: Test Object Storage Access (the tutorial's S3 actions one by one on the real
 * bucket, with the keys of the storage's Secret or typed in, never stored), Generate IAM Policy (policy
 * and AWS CLI commands in a new document), the bucket rows' paging and refresh, and the recoverable-window
 * picture of a cluster.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  accessTestPlan,
  awsCliCommands,
  checkScope,
  clusterBackupPath,
  clusterStorageName,
  iamPolicy,
  storageLocation,
  type IamPolicy,
  type StorageLocation,
} from '@core/objectStore';
import { markdownCode, notificationText } from '@core/markdown';
import { referencesOf } from '@core/references';
import { get } from '@core/rules/types';
import type { ExtensionContextHolder } from '../context';
import { Cancelled, UserError } from '../errors';
import type { KubeApi } from '../kube/api';
import { accessReportMarkdown, accessSummary, configurationReportMarkdown, type ConfigurationFinding } from '../storage/accessReport';
import { testAccess, type AccessReport } from '../storage/accessTest';
import { openS3Store, readS3Access, type S3Access } from '../storage/credentials';
import { isManifestArgument, objectStorageDocuments, showReport } from '../storage/editorFeatures';
import { isStorageError, type ObjectStore } from '../storage/objectStore';
import { StorageNode } from '../tree/nodes';
import { BucketPathNode } from '../tree/storageNodes';
import { withCancellableProgress } from '../ui/progress';
import * as prompts from '../ui/prompts';
import { showRecoverableWindow } from '../webviews/recoverableWindow';
import type { CommandSpec } from '../ui/command';

export const storageCommands: CommandSpec[] = [
  { id: 'stackgres.testStorageAccess', run: (ctx, arg) => testStorageAccess(ctx, arg) },
  { id: 'stackgres.generateIamPolicy', run: (ctx, arg) => generateIamPolicy(ctx, arg) },
  { id: 'stackgres.showRecoverableWindow', run: (ctx, arg) => showRecoverableWindow(ctx, arg) },
  { id: 'stackgres.loadMoreBackups', run: (ctx, key) => loadMoreBackups(ctx, key) },
  { id: 'stackgres.refreshBucket', run: (ctx, node) => refreshBucket(ctx, node) },
];

// ---- Which storage --------------------------------------------------------------------------------------

/** The SGObjectStorage a command works on, from the cluster or from a manifest in the editor. */
export interface StorageTarget {
  readonly namespace: string;
  readonly name: string;
  readonly spec: unknown;
  /** Read from a manifest in the editor (it may not be applied yet). */
  readonly fromEditor: boolean;
}

/** The cluster's api when a connection can be opened (never in Restricted Mode); never prompts. */
async function optionalApi(ctx: ExtensionContextHolder): Promise<KubeApi | undefined> {
  return ctx.connection.connected() ?? (await ctx.connection.api().catch(() => undefined));
}

function isNamed(v: unknown): v is { namespace: string; name: string } {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { namespace?: unknown }).namespace === 'string';
}

async function storageTarget(ctx: ExtensionContextHolder, arg: unknown, title: string): Promise<StorageTarget> {
  if (arg instanceof StorageNode) return { namespace: arg.namespace, name: arg.name, spec: arg.object.spec, fromEditor: false };
  if (isManifestArgument(arg)) {
    const uri = vscode.Uri.parse(arg.uri);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === arg.uri) ?? (await vscode.workspace.openTextDocument(uri));
    const found = objectStorageDocuments(document.getText()).find((d) => d.index === arg.index);
    if (!found) throw new UserError(vscode.l10n.t('That SGObjectStorage manifest is no longer in the document: run the command again from its code lens.'));
    return editorTarget(ctx, found);
  }
  if (isNamed(arg)) {
    const api = await optionalApi(ctx);
    const live = api ? await ctx.model().then((m) => m.get('SGObjectStorage', arg.namespace, arg.name)).catch(() => undefined) ?? (await api.get('SGObjectStorage', arg.namespace, arg.name)) : undefined;
    if (!live) throw new UserError(api ? vscode.l10n.t('SGObjectStorage {0} is not in namespace {1} of context "{2}".', arg.name, arg.namespace, api.context.name) : vscode.l10n.t('SGObjectStorage {0} is not in namespace {1} (not connected to a cluster).', arg.name, arg.namespace));
    return { namespace: arg.namespace, name: arg.name, spec: live.spec, fromEditor: false };
  }
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.languageId === 'yaml') {
    const docs = objectStorageDocuments(editor.document.getText());
    const line = editor.selection.active.line;
    const atCursor = [...docs].reverse().find((d) => d.startLine <= line) ?? docs[0];
    if (atCursor) return editorTarget(ctx, atCursor);
  }
  const api = await optionalApi(ctx);
  if (!api) throw new UserError(vscode.l10n.t('Open an SGObjectStorage manifest, or connect to a cluster (trusted workspace) to choose one of its object storages.'));
  const model = await ctx.model();
  const storages = model.objects('SGObjectStorage');
  if (!storages.length) throw new UserError(vscode.l10n.t('Context "{0}" has no SGObjectStorage: open an SGObjectStorage manifest instead.', api.context.name));
  const chosen = await prompts.pick(
    storages.map((s) => ({ label: s.metadata.name, description: s.metadata.namespace, detail: describeSpec(s.spec), object: s })),
    { title, matchOnDescription: true },
  );
  return { namespace: chosen.object.metadata.namespace ?? api.context.namespace, name: chosen.object.metadata.name, spec: chosen.object.spec, fromEditor: false };
}

async function editorTarget(ctx: ExtensionContextHolder, d: { name?: string; namespace?: string; value: unknown }): Promise<StorageTarget> {
  const api = d.namespace ? undefined : await optionalApi(ctx);
  return { namespace: d.namespace ?? api?.context.namespace ?? 'default', name: d.name ?? '(unnamed)', spec: get(d.value, ['spec']), fromEditor: true };
}

function describeSpec(spec: unknown): string {
  const type = get(spec, ['type']);
  const t = typeof type === 'string' ? type : 's3Compatible';
  const bucket = get(spec, [t, 'bucket']);
  return `${t}${typeof bucket === 'string' ? `, bucket ${bucket}` : ''}`;
}

/**
 * The backup path the probe object goes under: the path of a cluster backing up to this storage, else
 * where the operator puts the namespace's default paths.
 */
async function probePath(ctx: ExtensionContextHolder, target: StorageTarget): Promise<string> {
  const api = await optionalApi(ctx);
  if (api) {
    const model = await ctx.model().catch(() => undefined);
    for (const c of model?.inNamespace('SGCluster', target.namespace) ?? []) {
      const path = clusterStorageName(c) === target.name ? clusterBackupPath(c) : undefined;
      if (path) return path;
    }
  }
  return `sgbackups.stackgres.io/${target.namespace}`;
}

// ---- Test Object Storage Access -------------------------------------------------------------------------

/** What the command returns (for the integration suite; the user sees the report and a notification). */
export interface StorageAccessResult {
  readonly storage: string;
  readonly namespace: string;
  readonly bucket: string;
  readonly keyPrefix: string;
  /** Undefined for gcs and azureBlob: only the configuration was checked. */
  readonly report?: AccessReport;
  readonly summary: string;
  readonly markdown: string;
  readonly reportUri: string;
  /** Where the keys came from ("Secret …", "typed in"). */
  readonly credentials?: string;
}

async function testStorageAccess(ctx: ExtensionContextHolder, arg: unknown): Promise<StorageAccessResult> {
  const target = await storageTarget(ctx, arg, 'Test access: which object storage?');
  const resolved = storageLocation(target.spec, await probePath(ctx, target));
  if (!resolved.ok) throw new UserError(vscode.l10n.t('SGObjectStorage {0}: {1}', target.name, resolved.error));
  const location = resolved.value;
  if (!checkScope(location.type).canTestAccess) return configurationOnly(ctx, target, location);

  const api = await optionalApi(ctx);
  const read = await readS3Access(location, target.namespace, api);
  let access: S3Access;
  if (read.ok) {
    access = read.access;
  } else if (read.canType) {
    access = await typedKeys(target, read.message);
  } else {
    throw new UserError(vscode.l10n.t('SGObjectStorage {0}: {1}', target.name, read.message));
  }

  let store: ObjectStore;
  try {
    store = await openS3Store(location, access);
  } catch (err) {
    if (isStorageError(err)) throw new UserError(vscode.l10n.t('SGObjectStorage {0}: {1}', target.name, err.message));
    throw err;
  }
  const plan = accessTestPlan(location, randomBytes(6).toString('hex'));
  const { report, cancelled } = await withCancellableProgress(vscode.l10n.t('Testing access to bucket {0}', location.bucket), async (progress, signal) => {
    try {
      const steps = plan.steps.length;
      const r = await testAccess(announcing(store, (action) => progress.report({ message: action, increment: 100 / steps })), plan, { signal });
      // A cancelled test still returns its report: the probe it may have written is removed (or reported) first.
      return signal.aborted ? { report: await removeProbeAfterCancel(store, r), cancelled: true } : { report: r, cancelled: false };
    } finally {
      // The test's keys live in this store only: closed with its connections once the test is over.
      store.destroy?.();
    }
  });
  const lostProbe = report.probe.state === 'left-behind' || report.probe.state === 'unknown';
  if (cancelled && !lostProbe) throw new Cancelled();

  const summary = accessSummary(report);
  const markdown = accessReportMarkdown({ storage: target.name, namespace: target.namespace, location, credentials: access.source, at: new Date() }, report);
  const uri = await showReport(`Access test ${target.namespace} ${target.name}`, markdown);
  ctx.log.info(`Access test of SGObjectStorage ${target.namespace}/${target.name} (bucket ${location.bucket}, ${access.source}): ${summary}`);
  const message = notificationText(`SGObjectStorage ${target.name}: ${summary}`);
  const show = vscode.l10n.t('Show Report');
  const shown = report.ok ? vscode.window.showInformationMessage(message, show) : vscode.window.showWarningMessage(message, show);
  void shown.then((choice) => (choice === show ? showReport(`Access test ${target.namespace} ${target.name}`, markdown) : undefined));
  return { storage: target.name, namespace: target.namespace, bucket: location.bucket, keyPrefix: location.keyPrefix, report, summary, markdown, reportUri: uri.toString(), credentials: access.source };
}

/** Keys typed by the user for this one test: trimmed, kept in memory only. */
async function typedKeys(target: StorageTarget, why: string): Promise<S3Access> {
  const nonEmpty = (message: string) => (v: string) => (v.trim() ? undefined : message);
  const accessKeyId = await prompts.input({
    title: vscode.l10n.t('Test access of {0}: access key ID', target.name),
    prompt: vscode.l10n.t('{0} The keys you type are used for this test only and never stored.', why),
    ignoreFocusOut: true,
    validateInput: nonEmpty(vscode.l10n.t('Type the access key ID.')),
  });
  const secretAccessKey = await prompts.input({
    title: vscode.l10n.t('Test access of {0}: secret access key', target.name),
    prompt: vscode.l10n.t('Used for this test only, never stored.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: nonEmpty(vscode.l10n.t('Type the secret access key.')),
  });
  return { keys: { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() }, source: 'typed in (not stored)' };
}

/** Says which action runs, as each request starts. */
function announcing(store: ObjectStore, say: (action: string) => void): ObjectStore {
  return {
    bucket: store.bucket,
    list: (o) => (say('ListBucket…'), store.list(o)),
    head: (k, o) => store.head(k, o),
    get: (k, o) => (say('GetObject…'), store.get(k, o)),
    put: (k, b, o) => (say('PutObject…'), store.put(k, b, o)),
    delete: (k, o) => (say('DeleteObject…'), store.delete(k, o)),
    getBucketLocation: (o) => (say('GetBucketLocation…'), store.getBucketLocation(o)),
  };
}

/** A cancelled test may have written the probe: delete it without the cancelled signal, or report it. */
async function removeProbeAfterCancel(store: ObjectStore, report: AccessReport): Promise<AccessReport> {
  if (report.probe.state !== 'left-behind' && report.probe.state !== 'unknown') return report;
  try {
    await store.delete(report.probe.key, { timeoutMs: 10_000 });
    return { ...report, probe: { ...report.probe, state: 'removed', message: 'The test was cancelled; the probe object was deleted afterwards.' } };
  } catch {
    return report;
  }
}

/** gcs and azureBlob: the manifest and the Secret keys, and plainly what was not checked. */
async function configurationOnly(ctx: ExtensionContextHolder, target: StorageTarget, location: StorageLocation): Promise<StorageAccessResult> {
  // Findings are Markdown; names and keys come from the manifest and the cluster.
  const code = markdownCode;
  const findings: ConfigurationFinding[] = [{ ok: true, text: `The manifest names ${location.type} bucket ${code(location.bucket)}${location.subPath ? ` with sub-path ${code(location.subPath)}` : ''}.` }];
  const refs = referencesOf('SGObjectStorage', { spec: target.spec }).filter((r) => r.kind === 'Secret');
  const api = await optionalApi(ctx);
  if (refs.length === 0) {
    const metadata = get(target.spec, ['gcs', 'gcpCredentials', 'fetchCredentialsFromMetadataService']) === true;
    findings.push({ ok: metadata, text: metadata ? 'Credentials come from the metadata service (Workload Identity): nothing to check here.' : 'No Secret is named for the credentials.' });
  } else if (!api) {
    findings.push({ ok: false, text: `Not connected to a cluster: whether Secret ${[...new Set(refs.map((r) => code(r.name)))].join(', ')} and its keys exist in namespace ${code(target.namespace)} was not checked.` });
  } else {
    for (const name of [...new Set(refs.map((r) => r.name))]) {
      const keys = await api.secretKeys(target.namespace, name);
      const wanted = refs.filter((r) => r.name === name && r.key).map((r) => r.key!);
      if (!keys) findings.push({ ok: false, text: `Secret ${code(name)} does not exist in namespace ${code(target.namespace)}: wal-g could not start.` });
      else {
        const missing = wanted.filter((k) => !keys.includes(k));
        findings.push(missing.length
          ? { ok: false, text: `Secret ${code(name)} has no key ${missing.map((k) => code(k)).join(', ')} (it has ${keys.map((k) => code(k)).join(', ') || 'none'}).` }
          : { ok: true, text: `Secret ${code(name)} has the key${wanted.length === 1 ? '' : 's'} ${wanted.map((k) => code(k)).join(', ')}.` });
      }
    }
  }
  const markdown = configurationReportMarkdown({ storage: target.name, namespace: target.namespace, location, at: new Date() }, findings);
  const uri = await showReport(`Configuration check ${target.namespace} ${target.name}`, markdown);
  const bad = findings.filter((f) => !f.ok).length;
  const summary = vscode.l10n.t(
    'Only the configuration of this {0} storage was checked (this extension speaks S3 only): {1}. Access to the bucket was NOT tested.',
    location.type,
    bad === 0 ? vscode.l10n.t('no problem found') : bad === 1 ? vscode.l10n.t('1 problem found') : vscode.l10n.t('{0} problems found', bad),
  );
  void vscode.window.showInformationMessage(notificationText(`SGObjectStorage ${target.name}: ${summary}`));
  return { storage: target.name, namespace: target.namespace, bucket: location.bucket, keyPrefix: location.keyPrefix, summary, markdown, reportUri: uri.toString() };
}

// ---- Generate IAM Policy --------------------------------------------------------------------------------

export interface IamPolicyResult {
  readonly policy: IamPolicy;
  readonly text: string;
  readonly documentUri: string;
}

async function generateIamPolicy(ctx: ExtensionContextHolder, arg: unknown): Promise<IamPolicyResult> {
  const target = await storageTarget(ctx, arg, 'IAM policy for which object storage?');
  // Only the bucket and its sub-path matter for the policy: any backup path resolves them.
  const resolved = storageLocation(target.spec, 'sgbackups.stackgres.io');
  if (!resolved.ok) throw new UserError(vscode.l10n.t('SGObjectStorage {0}: {1}', target.name, resolved.error));
  const location = resolved.value;
  if (location.type !== 's3' && location.type !== 's3Compatible') {
    throw new UserError(location.type === 'gcs'
      ? vscode.l10n.t('SGObjectStorage {0} is {1}: an IAM policy is for S3 buckets. Give the service account the Storage Object Admin role on the bucket instead.', target.name, location.type)
      : vscode.l10n.t('SGObjectStorage {0} is {1}: an IAM policy is for S3 buckets. Use the storage account\'s access key, or a SAS with read, write, delete and list on the container.', target.name, location.type));
  }
  const script = awsCliCommands(location, { storage: { name: target.name, namespace: target.namespace } });
  if (!script.ok) throw new UserError(vscode.l10n.t('SGObjectStorage {0}: {1} No script was written: correct the SGObjectStorage, then run Generate IAM Policy again.', target.name, script.error));
  const text = script.value;
  const document = await vscode.workspace.openTextDocument({ language: 'shellscript', content: text });
  await vscode.window.showTextDocument(document, { preview: false });
  return { policy: iamPolicy(location.bucket, location.subPath), text, documentUri: document.uri.toString() };
}

// ---- Bucket rows ----------------------------------------------------------------------------------------

async function loadMoreBackups(ctx: ExtensionContextHolder, key: unknown): Promise<{ backups: number; hasMore: boolean }> {
  const listing = typeof key === 'string' ? ctx.buckets.get(key) : undefined;
  if (!listing) throw new UserError(vscode.l10n.t('This listing is gone (the tree was refreshed): expand the bucket again.'));
  await vscode.window.withProgress({ location: { viewId: 'stackgres.clusters' } }, () => listing.more());
  ctx.tree?.refresh();
  return { backups: listing.backups.length, hasMore: listing.hasMore };
}

function refreshBucket(ctx: ExtensionContextHolder, node: unknown): void {
  ctx.buckets.forget(node instanceof BucketPathNode ? node.key : undefined);
  ctx.tree?.refresh();
}

