/**
 * Diagnostics for a YAML file: for each StackGres document, the CRD schema check (yaml-language-server,
 * reworded) plus our rules, cached per document text, plus the cross-document checks against the
 * workspace and the connected cluster, which are cheap and recomputed every time. Documents checked against
 * a schema from the connected cluster go to a worker thread that can be stopped (schemaChecker.ts).
 */
import type { Diagnostic } from 'vscode-languageserver';
import { checkLiveReferences, type LiveView } from '@core/live';
import { kindHint, type Manifest, type ManifestInfo } from '@core/manifest';
import { checkWorkspaceReferences, ReferenceLookup } from '@core/references';
import type { Finding } from '@core/rules';
import { ownText, type ParsedFile } from '../documents';
import type { SchemaChecker } from '../schema/schemaChecker';
import type { SchemaStore } from '../schema/schemaStore';
import { diagnostic, documentDiagnostics, firstLineLength, sameRange, shift, toDiagnostic } from './documentDiagnostics';

export { SOURCE, type DiagnosticData } from './documentDiagnostics';

/** Above this size a file is not checked as a whole (a 20 MB file would take minutes); hover and completion still work. */
export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

const STACKGRES_TEXT = /^apiVersion:[ \t]*["']?stackgres\.io\//m;
const HELM_TEXT = /\{\{/;

/** What is remembered of a document by its text: its own diagnostics and what the index and references read. */
interface Checked {
  readonly info: ManifestInfo;
  /** For StackGres documents that are not Helm templates; ranges relative to the document. */
  readonly diagnostics?: Diagnostic[];
}

/** What was found in an open file's current version, by document text, and with which schemas. */
interface FileResults {
  readonly generation: number;
  readonly byText: ReadonlyMap<string, Checked>;
}

export class ValidationService {
  /** Only each open file's current version: an edit reuses its unchanged documents, and memory does not grow with typing. */
  private readonly results = new Map<string, FileResults>();
  maxFileSize = DEFAULT_MAX_FILE_SIZE;

  constructor(
    private readonly checker: SchemaChecker,
    private readonly schemas: SchemaStore,
    private readonly lookup: () => ReferenceLookup | undefined,
    private readonly live: () => LiveView | undefined = () => undefined,
  ) {}

  /** Forget cached results, e.g. after the schemas changed. */
  reset(): void {
    this.results.clear();
  }

  /** The file was closed. */
  forget(uri: string): void {
    this.results.delete(uri);
  }

  /** Documents whose results are kept, over all files (for tests). */
  get keptDocuments(): number {
    let n = 0;
    for (const r of this.results.values()) n += r.byText.size;
    return n;
  }

  /**
   * `indexed` receives every document's manifest as read, before the references are checked (the workspace
   * index learns what this file defines, so that references within the file resolve).
   */
  async validate(file: ParsedFile, indexed?: (manifests: readonly ManifestInfo[]) => void): Promise<Diagnostic[]> {
    if (file.size > this.maxFileSize) {
      // Only the first documents are looked at: parsing all of them is what the limit avoids.
      const first = file.chunks.slice(0, 50).map((c) => file.manifest(c.index)).find((m) => m.isStackGres);
      if (!first) return [];
      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
      return [shift(diagnostic('file-too-large', { start: { line: 0, character: 0 }, end: { line: 0, character: firstLineLength(first) } },
        `This file is ${mb(file.size)}: StackGres checks are off for files over ${mb(this.maxFileSize)} (setting stackgres.validation.maxFileSizeMB). Hover and completion still work. Split the file to check it.`), first.chunk.startLine)];
    }
    const generation = this.schemas.generation;
    const last = this.results.get(file.uri);
    // Results found with other schemas are not reused: a document's text and the schemas decide its findings.
    const previous = last?.generation === generation ? last.byText : undefined;
    const checked: (Checked | undefined)[] = file.chunks.map((c) => previous?.get(c.text));

    // StackGres documents not checked before, judged by their text. Those whose schema came from the connected
    // cluster go to the worker, where a check can be stopped; the rest are checked here (with the clean proof a
    // worker sharing them cost more CPU, start-up and memory than it saved on two cores: README, Performance).
    const isolated: number[] = [];
    for (const c of file.chunks) {
      if (checked[c.index] || !STACKGRES_TEXT.test(c.text) || HELM_TEXT.test(c.text)) continue;
      if (this.checker.canIsolate && this.schemas.fromCluster(kindHint(c.text))) isolated.push(c.index);
    }
    const fromIsolation = this.checker.isolate(isolated.map((i) => ({ kind: kindHint(file.chunks[i].text) ?? 'unknown', text: file.chunks[i].text })));

    // This thread: every other document (Secrets for the index, anything the text test missed too).
    const elsewhere = new Set(isolated);
    for (const c of file.chunks) {
      if (checked[c.index] || elsewhere.has(c.index)) continue;
      checked[c.index] = STACKGRES_TEXT.test(c.text) && !HELM_TEXT.test(c.text) ? await this.checkText(file, c.index) : await this.checkHere(file.manifest(c.index));
    }
    if (fromIsolation) {
      const { results, timedOut } = await fromIsolation;
      for (const [slot, index] of isolated.entries()) {
        const m = () => file.manifest(index);
        // Stopped for taking too long: our other checks only. Kept until the text or the schema changes, so the
        // next edit elsewhere does not stop the worker again.
        checked[index] = results.get(slot) ?? (timedOut ? this.notChecked(m()) : await this.checkHere(m()));
      }
    }
    const byText = new Map<string, Checked>();
    file.chunks.forEach((c, i) => byText.set(c.text, checked[i]!));
    this.results.set(file.uri, { generation, byText });

    const all = checked as Checked[];
    indexed?.(all.map((c) => c.info));

    const out: Diagnostic[] = [];
    let helmSkipped = 0;
    let firstHelm: number | undefined;
    const lookup = this.lookup();
    const live = this.live();
    all.forEach(({ info, diagnostics }, index) => {
      if (!info.isStackGres) return;
      const startLine = file.chunks[index].startLine;
      if (info.helmTemplate) {
        helmSkipped++;
        firstHelm ??= index;
        return;
      }
      const fromCluster = live ? checkLiveReferences(info.kind, info.value, info.namespace, live) : [];
      const fromWorkspace = lookup ? checkWorkspaceReferences(info.kind, info.value, info.namespace, lookup) : [];
      // Only a document with a reference finding needs its parse here (the worker's documents have none).
      const located = (f: Finding) => toDiagnostic(file.manifest(index), f);
      const clusterDiagnostics = fromCluster.map(located);
      // What the cluster says about a reference replaces what the workspace says about it.
      const workspaceDiagnostics = fromWorkspace.map(located).filter((d) => !clusterDiagnostics.some((c) => sameRange(c.range, d.range)));
      for (const d of [...(diagnostics ?? []), ...workspaceDiagnostics, ...clusterDiagnostics]) out.push(shift(d, startLine));
    });
    if (firstHelm !== undefined) {
      const m = file.manifest(firstHelm);
      out.push(shift(diagnostic('helm-template-skipped', { start: { line: 0, character: 0 }, end: { line: 0, character: firstLineLength(m) } },
        `Helm template syntax ({{ }}): ${helmSkipped === 1 ? 'this StackGres document is' : `${helmSkipped} StackGres documents in this file are`} not checked. Render the chart (helm template) and open the output to check it.`), m.chunk.startLine));
    }
    return out;
  }

  /** A document whose check against the cluster's schema was stopped: our rules, and why the schema is not checked. */
  private notChecked(m: Manifest): Checked {
    const seconds = Math.max(1, Math.round(this.checker.timeoutMs / 1000));
    const note = diagnostic('schema-check-timeout', { start: { line: 0, character: 0 }, end: { line: 0, character: firstLineLength(m) } },
      `Not checked against the connected cluster's ${m.kind ?? ''} CRD schema: the check took over ${seconds} s and was stopped (a \`pattern\` in that CRD is probably too slow for a value here). The other StackGres checks ran. Edit the document to check it again; if it keeps happening, the CRD's patterns need fixing.`);
    return { info: m, diagnostics: [...documentDiagnostics(m, [], (kind) => this.schemas.schema(kind)), note] };
  }

  /** One parsed document on this thread: the schema check and our rules. */
  private async checkHere(m: Manifest): Promise<Checked> {
    if (!m.isStackGres || m.helmTemplate) return { info: m };
    const { diagnostics, info } = await this.checker.check(m.kind ?? 'unknown', m.chunk.text, this.schemaOf);
    return { diagnostics, info };
  }

  /**
   * A StackGres document by its text, on this thread, as the worker checks it: parsed once for the schema
   * check and our rules (a second parse was megabytes of garbage per edit of a large document). The file
   * keeps that parse for hover and completion.
   */
  private async checkText(file: ParsedFile, index: number): Promise<Checked> {
    const { text } = ownText(file.chunks[index]);
    const { diagnostics, info, manifest } = await this.checker.check(kindHint(text) ?? 'unknown', text, this.schemaOf);
    file.adopt(index, manifest);
    return { diagnostics, info };
  }

  private readonly schemaOf = (kind: string | undefined) => this.schemas.schema(kind);
}
