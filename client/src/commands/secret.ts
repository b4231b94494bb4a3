/**
 * Create Credentials Secret: writes the Secret an SGObjectStorage reads its credentials from, with the
 * Secret name and key names the storage's `secretKeySelectors` give. Values come from a file (the JSON of
 * `aws iam create-access-key`, the AWS console's CSV, a GCP service account key, a PEM CA certificate) or
 * are typed into password boxes. They stay in memory: never logged, written to disk or shown, and the
 * buffers are zeroed once the Secret is written. A new Secret is created, and an existing one changed, only
 * after the user confirms the context, namespace, name and keys; then only the storage's keys get new
 * values: its other keys, labels and annotations stay.
 */
import * as vscode from 'vscode';
import type { ExtensionContextHolder } from '../context';
import { UserError } from '../errors';
import type { KubeApi, KubeObject } from '../kube/api';
import { StorageNode } from '../tree/nodes';
import { storageManifests } from '../storage/editorFeatures';
import { baseName } from '../editor/fileName';
import * as prompts from '../ui/prompts';
import { KubeError } from '../kube/errors';
import type { CommandSpec } from '../ui/command';
import { withCancellableProgress } from '../ui/progress';
import {
  checkAccessKeyId,
  checkAzureAccessKey,
  checkCaCertificate,
  checkSecretAccessKey,
  checkServiceAccountKey,
  checkStorageAccount,
  CredentialRole,
  credentialsPlan,
  CredentialsSecret,
  parseAwsAccessKeyFile,
  ROLE_LABEL,
  ValueCheck,
} from '@core/credentials';
import type { StorageType } from '@core/enums';
import type { Manifest } from '@core/manifest';

export const CREATE_SECRET_COMMAND = 'stackgres.createCredentialsSecret';

/** The SGObjectStorage whose credentials are being written. */
interface StorageTarget {
  readonly name: string;
  /** Its namespace when the manifest or the cluster says; else the context's is used. */
  readonly namespace?: string;
  readonly object: unknown;
  readonly from: string;
}

/** What the command returns (for the integration suite; the user sees a message). */
export interface SecretOutcome {
  readonly context: string;
  readonly namespace: string;
  readonly name: string;
  readonly keys: readonly string[];
  readonly replaced: boolean;
}

export const secretCommands: CommandSpec[] = [
  {
    id: CREATE_SECRET_COMMAND,
    run: (ctx, ...args) => createCredentialsSecret(ctx, args),
  },
];

async function createCredentialsSecret(ctx: ExtensionContextHolder, args: unknown[]): Promise<SecretOutcome> {
  const storage = await storageOf(ctx, args);
  const plan = credentialsPlan(storage.object);
  if (!plan.ok) throw new UserError(vscode.l10n.t('SGObjectStorage {0}: {1}', storage.name, plan.error));
  const { type } = plan.value;
  const secret = plan.value.secrets.length === 1 ? plan.value.secrets[0] : await chooseSecret(storage, plan.value.secrets);

  const api = await ctx.connection.api();
  const namespace = storage.namespace ?? api.context.namespace;
  const context = api.context.name;
  const values = new Map<CredentialRole, Uint8Array>();
  const notes: string[] = [];
  try {
    await readValues(type, secret, values, notes);
    const data: Record<string, Uint8Array> = {};
    for (const e of secret.entries) data[e.key] = values.get(e.role)!;
    const keys = Object.keys(data);
    const replaced = await write(api, namespace, secret.name, data, storage);
    ctx.secretsChanged();
    const message = !replaced
      ? vscode.l10n.t('Created Secret {0} in namespace {1} (context "{2}") with keys {3}.', secret.name, namespace, context, keys.join(', '))
      : replaced.kept.length
        ? vscode.l10n.t('Replaced keys {0} of Secret {1} in namespace {2} (context "{3}"); its other keys ({4}) were kept.', keys.join(', '), secret.name, namespace, context, replaced.kept.join(', '))
        : vscode.l10n.t('Replaced keys {0} of Secret {1} in namespace {2} (context "{3}"); it has no other keys.', keys.join(', '), secret.name, namespace, context);
    void vscode.window.showInformationMessage(`${message}${notes.length ? ` ${notes.join(' ')}` : ''}`);
    ctx.log.info(`createCredentialsSecret: ${replaced ? 'replaced keys' : 'created'} ${keys.join(', ')} of Secret ${namespace}/${secret.name} for SGObjectStorage ${storage.name} (${storage.from})`);
    return { context, namespace, name: secret.name, keys, replaced: replaced !== undefined };
  } finally {
    for (const v of values.values()) v.fill(0);
  }
}

// ---- which storage ------------------------------------------------------------------------------------

async function storageOf(ctx: ExtensionContextHolder, args: unknown[]): Promise<StorageTarget> {
  const [first, second] = args;
  if (first instanceof StorageNode) return { name: first.name, namespace: first.namespace, object: first.object, from: 'the cluster' };
  if (first instanceof vscode.Uri) {
    const document = await vscode.workspace.openTextDocument(first);
    const storages = storageManifests(document);
    const chosen = typeof second === 'number' ? storages.find((s) => s.manifest.chunk.index === second) : storages[0];
    if (!chosen) throw new UserError(typeof second === 'number' ? vscode.l10n.t('{0} has no SGObjectStorage at document {1} any more.', baseName(first), second + 1) : vscode.l10n.t('{0} has no SGObjectStorage any more.', baseName(first)));
    return fromManifest(chosen.manifest, document);
  }
  const editor = vscode.window.activeTextEditor;
  if (editor) {
    const storages = storageManifests(editor.document);
    const cursor = editor.selection.active.line;
    const atCursor = storages.find((s) => cursor >= s.manifest.chunk.startLine && cursor < s.manifest.chunk.startLine + Math.max(1, s.manifest.chunk.lineCount));
    if (atCursor || storages.length === 1) return fromManifest((atCursor ?? storages[0]).manifest, editor.document);
    if (storages.length > 1) {
      const picked = await prompts.pick(
        storages.map((s) => ({ label: s.manifest.name ?? vscode.l10n.t('(no name)'), description: s.manifest.namespace, manifest: s.manifest })),
        { title: vscode.l10n.t('StackGres: which SGObjectStorage needs its credentials Secret?') },
      );
      return fromManifest(picked.manifest, editor.document);
    }
  }
  const model = await ctx.model();
  const objects = model.objects('SGObjectStorage');
  if (!objects.length) throw new UserError(vscode.l10n.t('Open an SGObjectStorage manifest (or select one in the StackGres view): its secretKeySelectors name the Secret and keys to create.'));
  const picked = await prompts.pick(
    objects.map((o: KubeObject) => ({ label: o.metadata.name, description: o.metadata.namespace, object: o })),
    { title: vscode.l10n.t('StackGres: which SGObjectStorage needs its credentials Secret?') },
  );
  return { name: picked.object.metadata.name, namespace: picked.object.metadata.namespace, object: picked.object, from: 'the cluster' };
}

function fromManifest(m: Manifest, document: vscode.TextDocument): StorageTarget {
  return { name: m.name ?? '(no name)', namespace: m.namespace, object: m.value, from: baseName(document.uri) };
}

async function chooseSecret(storage: StorageTarget, secrets: readonly CredentialsSecret[]): Promise<CredentialsSecret> {
  const picked = await prompts.pick(
    secrets.map((s) => ({ label: s.name, description: vscode.l10n.t('keys {0}', s.entries.map((e) => e.key).join(', ')), secret: s })),
    { title: vscode.l10n.t('StackGres: SGObjectStorage {0} reads {1} Secrets. Which one to create?', storage.name, secrets.length) },
  );
  return picked.secret;
}

// ---- values -------------------------------------------------------------------------------------------

const FROM_FILE = (): string => vscode.l10n.t('From a file…');
const TYPE_THEM = (): string => vscode.l10n.t('Type the values…');
const ALL_FILES = (): string => vscode.l10n.t('All files');

async function readValues(type: StorageType, secret: CredentialsSecret, values: Map<CredentialRole, Uint8Array>, notes: string[]): Promise<void> {
  const roles = new Set(secret.entries.map((e) => e.role));
  const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
  if (roles.has('accessKeyId') || roles.has('secretAccessKey')) {
    const how = await prompts.pick(
      [
        { label: FROM_FILE(), description: vscode.l10n.t('credentials.json from `aws iam create-access-key`, or the CSV the AWS console downloads') },
        { label: TYPE_THEM(), description: vscode.l10n.t('access key ID and secret access key') },
      ],
      { title: vscode.l10n.t('StackGres: the access key for Secret {0}', secret.name) },
    );
    if (how.label === FROM_FILE()) {
      const uri = await prompts.openFile({ title: vscode.l10n.t('StackGres: access key file (credentials.json or the AWS console CSV)'), canSelectMany: false, filters: { [vscode.l10n.t('Access keys')]: ['json', 'csv'], [ALL_FILES()]: ['*'] } });
      const bytes = await vscode.workspace.fs.readFile(uri);
      const parsed = parseAwsAccessKeyFile(bytes);
      bytes.fill(0);
      if (!parsed.ok) throw new UserError(`${baseName(uri)}: ${parsed.error}`);
      const warning = checkAccessKeyId(parsed.value.accessKeyId, type).warning ?? checkSecretAccessKey(parsed.value.secretAccessKey, type).warning;
      notes.push(...parsed.value.notes, ...(warning ? [warning] : []));
      values.set('accessKeyId', encode(parsed.value.accessKeyId));
      values.set('secretAccessKey', encode(parsed.value.secretAccessKey));
    } else {
      values.set('accessKeyId', encode((await ask('accessKeyId', (v) => checkAccessKeyId(v, type), false)).trim()));
      values.set('secretAccessKey', encode((await ask('secretAccessKey', (v) => checkSecretAccessKey(v, type), true)).trim()));
    }
  }
  if (roles.has('caCertificate')) {
    values.set('caCertificate', await readFileChecked(vscode.l10n.t('StackGres: CA certificate of the S3-compatible endpoint (PEM)'), { [vscode.l10n.t('Certificates')]: ['pem', 'crt', 'cer'], [ALL_FILES()]: ['*'] }, checkCaCertificate));
  }
  if (roles.has('serviceAccountJSON')) {
    values.set('serviceAccountJSON', await readFileChecked(vscode.l10n.t('StackGres: GCP service account key (JSON)'), { [vscode.l10n.t('Service account keys')]: ['json'], [ALL_FILES()]: ['*'] }, checkServiceAccountKey));
  }
  if (roles.has('storageAccount')) values.set('storageAccount', encode((await ask('storageAccount', checkStorageAccount, false)).trim()));
  if (roles.has('accessKey')) values.set('accessKey', encode((await ask('accessKey', checkAzureAccessKey, true)).trim()));
}

async function ask(role: CredentialRole, check: (value: string) => ValueCheck, password: boolean): Promise<string> {
  return prompts.input({
    title: vscode.l10n.t('StackGres: {0}', ROLE_LABEL[role]),
    prompt: password ? vscode.l10n.t('Stays in memory: written to the Secret only, never logged or saved.') : undefined,
    password,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = check(v);
      if (r.error) return r.error;
      return r.warning ? { message: r.warning, severity: vscode.InputBoxValidationSeverity.Warning } : undefined;
    },
  });
}

/** A file stored byte for byte, after a check; the copy read from disk is zeroed on a refusal. */
async function readFileChecked(title: string, filters: Record<string, string[]>, check: (bytes: Uint8Array) => { ok: true } | { ok: false; error: string }): Promise<Uint8Array> {
  const uri = await prompts.openFile({ title, canSelectMany: false, filters });
  const bytes = await vscode.workspace.fs.readFile(uri);
  const r = check(bytes);
  if (!r.ok) {
    bytes.fill(0);
    throw new UserError(`${baseName(uri)}: ${r.error}`);
  }
  return bytes;
}

// ---- writing ------------------------------------------------------------------------------------------

/**
 * Creates the Secret, or after confirmation replaces the storage's keys in an existing one. Its other keys
 * are read into memory and written back with it (zeroed afterwards), so they stay as they were.
 */
async function write(api: KubeApi, namespace: string, name: string, data: Record<string, Uint8Array>, storage: StorageTarget): Promise<{ kept: string[] } | undefined> {
  const keys = Object.keys(data);
  const existing = await withCancellableProgress(vscode.l10n.t('reading Secret {0} in namespace {1}', name, namespace), (_progress, signal) => api.secretKeys(namespace, name, { signal }));
  if (!existing) {
    // Credentials land where the user can see, before anything is written: the context may not be the one they think.
    await prompts.confirm(
      vscode.l10n.t('Create Secret {0} in namespace {1} (context "{2}")?', name, namespace, api.context.name),
      `${keys.length > 1
        ? vscode.l10n.t('A new Secret {0} in namespace {1} of context "{2}" (cluster {3}), with the keys {4} for SGObjectStorage {5}.', name, namespace, api.context.name, api.context.cluster, keys.join(', '), storage.name)
        : vscode.l10n.t('A new Secret {0} in namespace {1} of context "{2}" (cluster {3}), with the key {4} for SGObjectStorage {5}.', name, namespace, api.context.name, api.context.cluster, keys.join(', '), storage.name)}\n\n` +
        vscode.l10n.t('Whoever can read Secrets in that namespace can use these credentials. The values are never shown, logged or saved.'),
      vscode.l10n.t('Create Secret'),
    );
    try {
      await withCancellableProgress(vscode.l10n.t('creating Secret {0} in namespace {1}', name, namespace), (_progress, signal) => api.createSecret(namespace, name, data, { signal }));
      return undefined;
    } catch (e) {
      if (!(e instanceof KubeError && e.kubeReason === 'AlreadyExists')) throw e;
    }
  }
  const before = existing ?? (await withCancellableProgress(vscode.l10n.t('reading Secret {0}', name), (_progress, signal) => api.secretKeys(namespace, name, { signal }))) ?? [];
  const others = before.filter((k) => !keys.includes(k));
  await prompts.confirm(
    vscode.l10n.t('Replace the keys of Secret {0}?', name),
    `${vscode.l10n.t('Secret {0} already exists in namespace {1} (context "{2}") with keys {3}.', name, namespace, api.context.name, before.join(', ') || vscode.l10n.t('(none)'))}\n\n` +
      vscode.l10n.t('The keys {0} get the new values for SGObjectStorage {1}.', keys.join(', '), storage.name) +
      (others.length ? ` ${vscode.l10n.t('Its other keys ({0}) stay as they are.', others.join(', '))}` : ''),
    vscode.l10n.t('Replace Keys'),
  );
  await withCancellableProgress(vscode.l10n.t('replacing keys of Secret {0}', name), async (_progress, signal) => {
    const kept = others.length ? await api.secretValues(namespace, name, others, { signal }) : {};
    try {
      await api.replaceSecret(namespace, name, { ...kept, ...data }, { signal });
    } finally {
      for (const v of Object.values(kept)) v.fill(0);
    }
  });
  return { kept: others };
}
