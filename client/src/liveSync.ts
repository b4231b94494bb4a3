/**
 * Keeps the language server's live values current: what the connected cluster holds (storages, backups
 * with status and Postgres major, clusters, Secret names and key names — never values) and its StackGres
 * CRDs. Sent as notifications declared once in server/src/domain/protocol.ts.
 *
 * Secrets: names come from a metadata-only list; key names are read (GET by name) only for the Secrets
 * that the cluster's SGObjectStorages and the open manifests name. Values stay inside the kube adapter.
 */
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { readBackup } from '@core/backups';
import { backupSummary, clusterMajor, storageSummary } from '@core/describe';
import { parseManifest, splitDocuments } from '@core/manifest';
import { referencesOf } from '@core/references';
import { ClusterSnapshotNotification, CrdSchemasNotification, type ClusterSnapshot, type LiveObject } from '@core/protocol';
import type { ClusterModel } from './clusterModel';

const MAX_SECRET_NAMESPACES = 50;
/** Key-name reads per refresh: the named Secrets are a handful; a bound keeps a huge workspace cheap. */
const MAX_SECRET_READS = 200;
/** Only documents mentioning these can name a Secret (see isSecretSelectorPath in domain/references). */
const MAY_NAME_SECRET = /secretKeySelectors|sodium|openpgp|replicateFrom/;
const DISCONNECTED: ClusterSnapshot = { connected: false, namespaces: [], secretNamespaces: [], objects: [] };

/** A Secret a manifest names; no namespace: the manifest has none (the context's namespace applies). */
export interface SecretName {
  readonly name: string;
  readonly namespace?: string;
}

/** An open YAML file: `key` changes whenever its text does (URI and version). */
export interface OpenManifest {
  readonly key: string;
  text(): string;
}

/** The Secrets the documents of one YAML file name in Secret selectors (`{name, key}`). */
export function secretsNamedIn(text: string): SecretName[] {
  if (!MAY_NAME_SECRET.test(text)) return [];
  const out: SecretName[] = [];
  for (const chunk of splitDocuments(text)) {
    if (!MAY_NAME_SECRET.test(chunk.text)) continue;
    const m = parseManifest(chunk);
    for (const ref of referencesOf(m.kind, m.value)) if (ref.kind === 'Secret' && ref.name) out.push({ name: ref.name, namespace: m.namespace });
  }
  return out;
}

export class LiveSync {
  private model: ClusterModel | undefined;
  private listener: { dispose(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private secretsTimer: NodeJS.Timeout | undefined;
  private readingSecrets: Promise<void> | undefined;
  private readAgain: Promise<void> | undefined;
  private secrets: LiveObject[] = [];
  /** Namespaces whose Secret names the last read of this connection listed in full: only there may one be called missing. */
  private secretsListed = new Set<string>();
  /** Namespaces a read of this connection has started on: a namespace that appears later is read at once. */
  private secretsTried = new Set<string>();
  /** `namespace/name` of the Secrets whose key names the last read looked for. */
  private keysRead = new Set<string>();
  private namedByManifest = new Map<string, SecretName[]>();
  private manifestsTimer: NodeJS.Timeout | undefined;
  private crds: { kind: string; crd: unknown }[] = [];
  private last: ClusterSnapshot = DISCONNECTED;

  /**
   * `secretsRefreshMs`: how often Secret names and keys are read again while connected (0: never on a
   * timer). `openManifests`: the open YAML files, whose Secret selectors say which Secrets' keys to read.
   */
  constructor(
    private readonly client: LanguageClient,
    private readonly log: Pick<vscode.LogOutputChannel, 'info' | 'warn'>,
    private secretsRefreshMs = 0,
    private readonly openManifests: () => readonly OpenManifest[] = () => [],
  ) {}

  attach(model: ClusterModel): void {
    this.detach(false);
    this.model = model;
    this.listener = model.onDidChange(() => this.schedule());
    void this.refreshSecrets();
    void this.loadCrds();
    this.schedule();
    this.startSecretsTimer();
  }

  /** The setting changed: the timer starts again with the new period, without a restart. */
  setSecretsRefreshMs(ms: number): void {
    this.secretsRefreshMs = ms;
    if (this.model) this.startSecretsTimer();
  }

  private startSecretsTimer(): void {
    clearInterval(this.secretsTimer);
    this.secretsTimer = undefined;
    // There is no watch on Secrets (it would stream their values to us): Secrets made outside VS Code are
    // found by reading their names and key names again now and then.
    if (this.secretsRefreshMs > 0) {
      this.secretsTimer = setInterval(() => void this.refreshSecrets(), this.secretsRefreshMs);
      this.secretsTimer.unref();
    }
  }

  detach(notify = true): void {
    this.listener?.dispose();
    this.listener = undefined;
    clearTimeout(this.timer);
    clearInterval(this.secretsTimer);
    clearTimeout(this.manifestsTimer);
    this.secretsTimer = undefined;
    const had = this.model !== undefined;
    this.model = undefined;
    this.secrets = [];
    this.secretsListed = new Set();
    this.secretsTried = new Set();
    this.keysRead = new Set();
    if (notify && had) {
      this.send(DISCONNECTED);
      if (this.crds.length) this.sendCrds(this.crds.map((c) => ({ kind: c.kind, crd: null })));
      this.crds = [];
    }
  }

  /** After the language server restarts: send the last state again. */
  resend(): void {
    this.send(this.last);
    if (this.crds.length) this.sendCrds(this.crds);
  }

  /**
   * Secret names and keys: read on connect, on a timer, and after our own Secret commands. One read at a
   * time; asked during a read, one more read follows it (the running one may have missed the change).
   */
  refreshSecrets(): Promise<void> {
    if (this.readingSecrets) {
      this.readAgain ??= this.readingSecrets.then(() => {
        this.readAgain = undefined;
        return this.refreshSecrets();
      });
      return this.readAgain;
    }
    this.readingSecrets = this.readSecrets().finally(() => (this.readingSecrets = undefined));
    return this.readingSecrets;
  }

  /**
   * An open YAML file changed or opened: when it names a Secret whose keys the last read did not look
   * for, read again (debounced), so key completion and the key check do not wait for the timer.
   */
  manifestsChanged(): void {
    if (!this.model) return;
    clearTimeout(this.manifestsTimer);
    this.manifestsTimer = setTimeout(() => {
      const model = this.model;
      if (!model || model.state.kind !== 'ready') return;
      const wanted = this.namedSecrets(model);
      if ([...wanted].some((k) => !this.keysRead.has(k))) void this.refreshSecrets();
    }, 1000);
    this.manifestsTimer.unref();
  }

  private async readSecrets(): Promise<void> {
    const model = this.model;
    if (!model || model.state.kind !== 'ready') return;
    // The namespaces the snapshot covers: with a namespace chosen, that one even before it holds StackGres objects.
    const namespaces = coveredNamespaces(model).slice(0, MAX_SECRET_NAMESPACES);
    for (const ns of namespaces) this.secretsTried.add(ns);
    const named = this.namedSecrets(model);
    const found: LiveObject[] = [];
    const listed = new Set<string>();
    let reads = 0;
    for (const ns of namespaces) {
      let names: string[];
      try {
        names = await model.api.secretNames(ns, { timeoutMs: 10_000 });
      } catch (err) {
        this.log.info(`Secret names of ${ns} not read (${(err as Error).message}); Secret checks skip it`);
        continue;
      }
      listed.add(ns);
      for (const name of names) {
        let keys: string[] | undefined;
        if (named.has(`${ns}/${name}`) && reads++ < MAX_SECRET_READS) {
          keys = await model.api.secretKeys(ns, name, { timeoutMs: 10_000 }).catch((err: unknown) => {
            this.log.info(`Key names of Secret ${name} in ${ns} not read (${(err as Error).message}); its keys are not checked`);
            return undefined;
          });
        }
        found.push({ kind: 'Secret', name, namespace: ns, ...(keys ? { keys } : {}) });
      }
    }
    if (this.model === model) {
      this.secrets = found;
      this.secretsListed = listed;
      this.keysRead = named;
      this.schedule();
    }
  }

  /** `namespace/name` of the Secrets the cluster's SGObjectStorages and the open manifests name. */
  private namedSecrets(model: ClusterModel): Set<string> {
    const out = new Set<string>();
    for (const o of model.objects('SGObjectStorage')) {
      for (const ref of referencesOf('SGObjectStorage', o)) if (ref.kind === 'Secret') out.add(`${o.metadata.namespace}/${ref.name}`);
    }
    const fallback = model.api.context.namespace;
    const seen = new Map<string, SecretName[]>();
    for (const doc of this.openManifests()) {
      const refs = this.namedByManifest.get(doc.key) ?? secretsNamedIn(doc.text());
      seen.set(doc.key, refs);
      for (const r of refs) out.add(`${r.namespace ?? fallback}/${r.name}`);
    }
    // Closed files and old versions are forgotten.
    this.namedByManifest = seen;
    return out;
  }

  private async loadCrds(): Promise<void> {
    const model = this.model;
    if (!model) return;
    try {
      const crds = await model.api.stackgresCrds({ timeoutMs: 15_000 });
      this.crds = crds.map((c) => ({
        kind: c.kind,
        crd: { spec: { names: { kind: c.kind }, versions: c.versions.map((v) => ({ name: v.name, served: v.served, storage: v.storage, schema: { openAPIV3Schema: v.schema } })) } },
      }));
      if (this.model === model) this.sendCrds(this.crds);
    } catch (err) {
      this.log.info(`StackGres CRDs of the cluster not read (${(err as Error).message}); the bundled schemas stay in use`);
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.send(this.snapshot());
      // A namespace that came into view after the last read (a new one with StackGres objects): read its Secrets
      // now, not at the next timer tick; until then the snapshot does not cover its Secrets.
      const model = this.model;
      if (model?.state.kind === 'ready' && coveredNamespaces(model).slice(0, MAX_SECRET_NAMESPACES).some((ns) => !this.secretsTried.has(ns))) void this.refreshSecrets();
    }, 300);
  }

  private snapshot(): ClusterSnapshot {
    const model = this.model;
    if (!model || model.state.kind !== 'ready') return DISCONNECTED;
    const objects: LiveObject[] = [...this.secrets];
    for (const o of model.objects('SGObjectStorage')) objects.push({ kind: 'SGObjectStorage', name: o.metadata.name, namespace: o.metadata.namespace, detail: storageSummary(o.spec) });
    for (const o of model.objects('SGCluster')) objects.push({ kind: 'SGCluster', name: o.metadata.name, namespace: o.metadata.namespace, pgMajor: clusterMajor((o.spec as { postgres?: { version?: unknown } } | undefined)?.postgres?.version) });
    for (const o of model.objects('SGBackup')) {
      const b = readBackup(o);
      if (b) objects.push({ kind: 'SGBackup', name: b.name, namespace: b.namespace, phase: b.phase, pgMajor: b.pgMajor, stored: b.stored?.toISOString(), detail: backupSummary(o) });
    }
    const namespaces = coveredNamespaces(model);
    const secretNamespaces = namespaces.filter((ns) => this.secretsListed.has(ns));
    return { connected: true, context: model.api.context.name, defaultNamespace: model.api.context.namespace, namespaces, secretNamespaces, objects };
  }

  private send(s: ClusterSnapshot): void {
    this.last = s;
    if (!this.client.isRunning()) return;
    this.client.sendNotification(ClusterSnapshotNotification, s).catch((err: unknown) => this.log.warn(`Live values not sent: ${String(err)}`));
  }

  private sendCrds(crds: { kind: string; crd: unknown }[]): void {
    if (!this.client.isRunning()) return;
    this.client.sendNotification(CrdSchemasNotification, { crds }).catch((err: unknown) => this.log.warn(`CRD schemas not sent: ${String(err)}`));
  }
}

/** The namespaces whose StackGres objects the model holds in full: the chosen one, else every one holding some. */
function coveredNamespaces(model: ClusterModel): string[] {
  if (model.state.kind !== 'ready') return [];
  return model.state.scope === 'all namespaces' ? model.namespaces() : [model.state.scope];
}
