/**
 * Apply Manifest: the active YAML file (or its selected lines, or files chosen in the Explorer) goes to the
 * cluster as kubectl's server-side apply would send it, but checked first. Every document is dry-run on
 * the server; any rejection lands on its YAML line and nothing is written. Then the live objects and the
 * dry-run results open side by side, and only after a modal confirmation is anything applied, as field
 * manager `stackgres-vscode`. Fields other managers own are taken over only when the user chooses Force.
 */
import * as vscode from 'vscode';
import type { ExtensionContextHolder } from '../context';
import { Cancelled, UserError } from '../errors';
import type { KubeApi, KubeObject, StackGresKind, WriteResult } from '../kube/api';
import { FIELD_MANAGER } from '../kube/api';
import { KubeError } from '../kube/errors';
import { REVIEW_SCHEME, type ApplyUi } from '../editor/applyReview';
import { baseName } from '../editor/fileName';
import * as prompts from '../ui/prompts';
import type { CommandSpec } from '../ui/command';
import { withCancellableProgress } from '../ui/progress';
import {
  applyOrder,
  applyRefusal,
  Change,
  changeOf,
  isEmptyDocument,
  objectLabel,
  rangeOfCause,
  rangeOfPath,
  reviewable,
  summaryLine,
  targetNamespace,
  unknownFieldOfWarning,
} from '@core/apply';
import { kindInfo } from '@core/kinds';
import { isRecord, Manifest, parseManifest, splitDocuments } from '@core/manifest';

/** One YAML text the user asked to apply: a file, an editor's content, or its selected lines. */
interface Source {
  readonly uri: vscode.Uri;
  readonly text: string;
  /** File line of the text's first line (the selection's start). */
  readonly lineOffset: number;
}

/** One document of a source, with where it goes. */
interface Item {
  readonly source: Source;
  readonly manifest: Manifest;
  readonly label: string;
  readonly namespace?: string;
  readonly namespaceFromContext: boolean;
  readonly object: KubeObject;
  force: boolean;
  live?: Record<string, unknown>;
  result?: WriteResult;
  /** Dry run skipped: its namespace is created by this apply. */
  unchecked?: boolean;
}

/** What the command returns (for the integration suite; the user sees messages). */
export interface ApplyOutcome {
  readonly context: string;
  readonly applied: readonly string[];
  readonly changes: Readonly<Record<string, Change>>;
  readonly warnings: readonly string[];
}

export const applyCommands: CommandSpec[] = [
  {
    id: 'stackgres.applyManifest',
    run: (ctx, ...args) => applyManifest(ctx, args),
  },
];

async function applyManifest(ctx: ExtensionContextHolder, args: unknown[]): Promise<ApplyOutcome | undefined> {
  const ui = ctx.applyUi;
  const sources = await sourcesOf(args);
  for (const s of sources) ui.diagnostics.delete(s.uri);

  const api = await ctx.connection.api();
  const context = api.context.name;
  const items = collect(sources, api.context.namespace, ui);
  await confirmDespiteProblems(sources, items);

  const warnings = await withCancellableProgress(vscode.l10n.t('checking {0} against context "{1}" (dry run)', count(items.length, 'object'), context), (_progress, signal) =>
    dryRun(api, items, ui, signal),
  );

  const changes: Record<string, Change> = {};
  for (const item of items) {
    const keepStatus = isRecord(item.manifest.value) && 'status' in item.manifest.value;
    const result = item.unchecked ? reviewable(item.object, { keepStatus }) : reviewable(item.result?.object, { keepStatus });
    changes[item.label] = changeOf(item.live, result);
  }
  await ui.showReview(context, items, changes);

  const all = items.map((i) => changes[i.label]);
  if (all.every((c) => c === 'unchanged')) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to apply: the {0} already match the manifest in context "{1}".', count(items.length, 'object'), context));
    return { context, applied: [], changes, warnings };
  }

  await prompts.confirm(vscode.l10n.t('Apply {0} to context "{1}"?', count(items.length, 'object'), context), confirmationDetail(items, changes, warnings, api.context.namespaceChosen === true), vscode.l10n.t('Apply'));

  const applied = await withCancellableProgress(vscode.l10n.t('applying {0} to context "{1}"', count(items.length, 'object'), context), (_progress, signal) =>
    applyAll(api, items, ui, signal),
  );
  for (const s of sources) ui.diagnostics.delete(s.uri);

  const finalWarnings = [...new Set([...warnings, ...applied.flatMap((r, i) => r.warnings.map((w) => `${items[i].label}: ${w}`))])];
  const reveal = vscode.l10n.t('Reveal in StackGres View');
  const buttons = items.some((i) => kindInfo(i.manifest.kind)) ? [reveal] : [];
  const applied1 = vscode.l10n.t('Applied {0} to {1} ({2}).', count(items.length, 'object'), context, summaryLine(all));
  const message = finalWarnings.length ? `${applied1} ${vscode.l10n.t('Warnings from the API server: {0}', finalWarnings.join('; '))}` : applied1;
  void vscode.window.showInformationMessage(message, ...buttons).then(async (choice) => {
    if (choice === reveal) await vscode.commands.executeCommand('stackgres.clusters.focus');
  });
  ctx.log.info(`applyManifest: ${message}`);
  return { context, applied: items.map((i) => i.label), changes, warnings: finalWarnings };
}

// ---- what to apply ------------------------------------------------------------------------------------

async function sourcesOf(args: unknown[]): Promise<Source[]> {
  const many = Array.isArray(args[1]) ? args[1].filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  const uris = many.length ? many : args[0] instanceof vscode.Uri ? [args[0]] : [];
  const editor = vscode.window.activeTextEditor;
  if (!uris.length) {
    if (!editor) throw new UserError(vscode.l10n.t('Open a YAML file with StackGres manifests to apply it.'));
    uris.push(editor.document.uri);
  }
  const sources: Source[] = [];
  for (const uri of uris) {
    if (uri.scheme === REVIEW_SCHEME || uri.scheme === 'stackgres') {
      throw new UserError(vscode.l10n.t('{0} is a read-only view of the cluster: apply the manifest file itself.', baseName(uri)));
    }
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open && open.languageId !== 'yaml' && !/\.ya?ml$/i.test(uri.path)) throw new UserError(vscode.l10n.t('{0} is not a YAML file: Apply Manifest applies YAML manifests.', baseName(uri)));
    if (!open && !/\.ya?ml$/i.test(uri.path)) throw new UserError(vscode.l10n.t('{0} is not a YAML file: Apply Manifest applies YAML manifests.', baseName(uri)));
    const selection = uris.length === 1 && editor?.document.uri.toString() === uri.toString() && !editor.selection.isEmpty ? editor.selection : undefined;
    if (open && selection) {
      // Whole lines, so every document's lines stay file lines plus an offset.
      const endLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
      const range = new vscode.Range(selection.start.line, 0, endLine, open.lineAt(endLine).text.length);
      sources.push({ uri, text: open.getText(range), lineOffset: selection.start.line });
    } else {
      const text = open ? open.getText() : new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
      sources.push({ uri, text, lineOffset: 0 });
    }
  }
  return sources;
}

function collect(sources: readonly Source[], contextNamespace: string, ui: ApplyUi): Item[] {
  const items: Item[] = [];
  const refused: { source: Source; manifest: Manifest; why: string }[] = [];
  for (const source of sources) {
    for (const chunk of splitDocuments(source.text)) {
      const manifest = parseManifest(chunk);
      if (isEmptyDocument(manifest)) continue;
      const why = applyRefusal(manifest);
      if (why) {
        refused.push({ source, manifest, why });
        continue;
      }
      const { namespace, fromContext } = targetNamespace(manifest, contextNamespace);
      const value = manifest.value as Record<string, unknown>;
      const metadata = { ...(value.metadata as Record<string, unknown>), name: manifest.name! } as KubeObject['metadata'];
      if (namespace) metadata.namespace = namespace;
      items.push({
        source,
        manifest,
        label: objectLabel(manifest.kind, namespace, manifest.name),
        namespace,
        namespaceFromContext: fromContext,
        object: { ...value, metadata } as KubeObject,
        force: false,
      });
    }
  }
  if (refused.length) {
    for (const r of refused) ui.add(r.source, rangeOfPath(r.manifest, ['kind']), `Not applied: this document ${r.why}`, vscode.DiagnosticSeverity.Error);
    const lines = refused.map((r) => `${where(r.source, r.manifest)} ${r.why}`);
    throw new UserError(vscode.l10n.t('Nothing was applied: {0}', lines.join(' ')), { title: vscode.l10n.t('Show Problems'), command: 'workbench.actions.view.problems' });
  }
  if (!items.length) throw new UserError(vscode.l10n.t('There is nothing to apply in {0}: no Kubernetes documents.', sources.map((s) => baseName(s.uri)).join(', ')));
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.label)) throw new UserError(vscode.l10n.t('Nothing was applied: {0} appears twice (again as {1}).', item.label, where(item.source, item.manifest)));
    seen.add(item.label);
  }
  return items.sort((a, b) => applyOrder(a.manifest.kind) - applyOrder(b.manifest.kind));
}

/** Documents our language server marks with errors are applied only if the user insists. */
async function confirmDespiteProblems(sources: readonly Source[], items: readonly Item[]): Promise<void> {
  const flagged: string[] = [];
  for (const item of items) {
    const first = item.source.lineOffset + item.manifest.chunk.startLine;
    const last = first + item.manifest.chunk.lineCount;
    const errors = vscode.languages
      .getDiagnostics(item.source.uri)
      .filter((d) => d.source === 'stackgres' && d.severity === vscode.DiagnosticSeverity.Error && d.range.start.line >= first && d.range.start.line < last);
    if (errors.length) flagged.push(`${item.label}: ${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
  }
  if (!flagged.length) return;
  await prompts.confirm(
    flagged.length === 1
      ? vscode.l10n.t('1 document of {0} has StackGres errors. Apply anyway?', sources.map((s) => baseName(s.uri)).join(', '))
      : vscode.l10n.t('{0} documents of {1} have StackGres errors. Apply anyway?', flagged.length, sources.map((s) => baseName(s.uri)).join(', ')),
    `${flagged.join('\n')}\n\n${vscode.l10n.t('The cluster checks the manifest again in a dry run before anything is written.')}`,
    vscode.l10n.t('Apply Anyway'),
  );
}

// ---- dry run ------------------------------------------------------------------------------------------

async function dryRun(api: KubeApi, items: Item[], ui: ApplyUi, signal: AbortSignal): Promise<string[]> {
  const context = api.context.name;
  const createdNamespaces = new Set(items.filter((i) => i.manifest.kind === 'Namespace').map((i) => i.manifest.name!));
  const rejected: Item[] = [];
  const conflicts: { item: Item; error: KubeError }[] = [];
  const warnings: string[] = [];
  for (const item of items) {
    item.live = await readLive(api, item, signal);
    try {
      item.result = await api.apply(item.object, { dryRun: true, signal });
    } catch (e) {
      const error = e instanceof KubeError ? e : undefined;
      if (!error) throw e;
      if (error.reason === 'notFound' && item.namespace && createdNamespaces.has(item.namespace) && !item.live) {
        item.unchecked = true;
        continue;
      }
      if (error.reason === 'conflict' && error.causes?.length) conflicts.push({ item, error });
      else if (error.reason === 'invalid' || error.reason === 'notFound' || error.reason === 'conflict') {
        rejected.push(item);
        ui.addError(item, error, context);
      } else throw error;
      continue;
    }
    // Only a Namespace's existence is known (no GET for it here): compare it with itself.
    if (item.manifest.kind === 'Namespace' && item.live) item.live = reviewable(item.result.object);
    warnings.push(...noteWarnings(item, item.result.warnings, ui));
  }
  if (rejected.length) {
    throw new UserError(
      vscode.l10n.t('The cluster of context "{0}" rejected {1} in a dry run; nothing was applied. The reasons are on the YAML lines (Problems).', context, rejected.map((i) => i.label).join(', ')),
      { title: vscode.l10n.t('Show Problems'), command: 'workbench.actions.view.problems' },
    );
  }
  if (conflicts.length) {
    for (const c of conflicts) ui.addConflict(c.item, c.error, context);
    await prompts.confirm(
      conflicts.length === 1
        ? vscode.l10n.t('{0} has fields another field manager owns. Take them over with Force?', conflicts[0].item.label)
        : vscode.l10n.t('{0} have fields another field manager owns. Take them over with Force?', count(conflicts.length, 'object')),
      `${conflicts.map((c) => `${c.item.label}: ${conflictFields(c.error)}`).join('\n')}\n\n${vscode.l10n.t('Force makes {0} their owner; the other manager (kubectl, a GitOps controller, the operator) may set them back. Cancel to leave these fields out of the manifest instead.', FIELD_MANAGER)}`,
      vscode.l10n.t('Force'),
    );
    for (const { item } of conflicts) {
      item.force = true;
      item.result = await api.apply(item.object, { dryRun: true, force: true, signal });
      warnings.push(...noteWarnings(item, item.result.warnings, ui));
    }
  }
  return [...new Set(warnings)];
}

/** The object as the cluster has it now, undefined when it does not exist. Secret values are never read. */
async function readLive(api: KubeApi, item: Item, signal: AbortSignal): Promise<Record<string, unknown> | undefined> {
  const { kind, name } = item.manifest;
  if (kind === 'Secret') {
    const keys = await api.secretKeys(item.namespace!, name!, { signal });
    return keys ? reviewable({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: item.namespace }, keys }) : undefined;
  }
  if (kind === 'Namespace') {
    const names = await api.namespaces({ signal }).catch((e: unknown) => {
      if (e instanceof KubeError && e.reason === 'forbidden') return undefined;
      throw e;
    });
    return names?.includes(name!) ? { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } : undefined;
  }
  const keepStatus = isRecord(item.manifest.value) && 'status' in item.manifest.value;
  return reviewable(await api.get(kind as StackGresKind, item.namespace!, name!, { signal }), { keepStatus });
}

function noteWarnings(item: Item, warnings: readonly string[], ui: ApplyUi): string[] {
  for (const w of warnings) {
    const field = unknownFieldOfWarning(w);
    const range = rangeOfCause(item.manifest, field, w);
    ui.add(item.source, range, field ? `The API server drops this field: ${w}.` : `API server warning: ${w}`, vscode.DiagnosticSeverity.Warning);
  }
  return warnings.map((w) => `${item.label}: ${w}`);
}

function conflictFields(e: KubeError): string {
  return (e.causes ?? []).map((c) => `${c.field.replace(/^\./, '')} (${c.message})`).join(', ');
}

// ---- apply --------------------------------------------------------------------------------------------

async function applyAll(api: KubeApi, items: Item[], ui: ApplyUi, signal: AbortSignal): Promise<WriteResult[]> {
  const done: WriteResult[] = [];
  const appliedLabels: string[] = [];
  const partial = (what: string): string =>
    `${what ? ` ${what}` : ''}${appliedLabels.length ? ` Applied before that: ${appliedLabels.join(', ')}; not applied: ${items.slice(appliedLabels.length).map((i) => i.label).join(', ')}.` : ' Nothing was applied.'}`;
  for (const item of items) {
    try {
      done.push(await applyOne(api, item, ui, signal));
      appliedLabels.push(item.label);
    } catch (e) {
      const error = e instanceof KubeError ? e : undefined;
      if (e instanceof Cancelled || error?.reason === 'cancelled') {
        if (appliedLabels.length) void vscode.window.showWarningMessage(`${vscode.l10n.t('Apply cancelled.')}${partial('')}`);
        throw new Cancelled();
      }
      if (error) {
        if (error.reason === 'invalid') ui.addError(item, error, api.context.name);
        throw new KubeError(error.reason, `${error.message}${partial('')}`, { action: error.action, causes: error.causes, status: error.status, kubeReason: error.kubeReason });
      }
      throw e;
    }
  }
  return done;
}

/** One object; a conflict that appeared since the dry run is offered Force again, explicitly. */
async function applyOne(api: KubeApi, item: Item, ui: ApplyUi, signal: AbortSignal): Promise<WriteResult> {
  try {
    return await api.apply(item.object, { force: item.force, signal });
  } catch (e) {
    const error = e instanceof KubeError ? e : undefined;
    if (!(error?.reason === 'conflict' && error.causes?.length && !item.force)) throw e;
    ui.addConflict(item, error, api.context.name);
    await prompts.confirm(
      vscode.l10n.t('{0}: fields changed owner since the dry run. Take them over with Force?', item.label),
      `${conflictFields(error)}\n\n${vscode.l10n.t('Force makes {0} their owner.', FIELD_MANAGER)}`,
      vscode.l10n.t('Force'),
    );
    item.force = true;
    return api.apply(item.object, { force: true, signal });
  }
}

function confirmationDetail(items: readonly Item[], changes: Readonly<Record<string, Change>>, warnings: readonly string[], namespaceChosen: boolean): string {
  const lines = items.map((i) => `${i.label}: ${changes[i.label]}${i.force ? ' (with Force)' : ''}${i.unchecked ? ' (its namespace is created first: not dry-run)' : ''}`);
  const fromContext = [...new Set(items.filter((i) => i.namespaceFromContext).map((i) => i.namespace))];
  if (fromContext.length) lines.push('', `Documents without metadata.namespace go to ${fromContext.join(', ')}, ${namespaceChosen ? 'the namespace chosen for this workspace' : "the context's namespace"}.`);
  if (warnings.length) lines.push('', `API server warnings: ${warnings.join('; ')}`);
  lines.push('', `Server-side apply as field manager ${FIELD_MANAGER}. The diff editor shows live and result side by side.`);
  return lines.join('\n');
}

// ---- small helpers ------------------------------------------------------------------------------------

function where(source: Source, manifest: Manifest): string {
  return `the document at ${baseName(source.uri)} line ${source.lineOffset + manifest.chunk.startLine + 1}`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
