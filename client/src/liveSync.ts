/**
 * Keeps the language server's live values current: what the connected cluster holds (storages, backups
 * with status and Postgres major, clusters, Secret names and key names — never values) and its StackGres
 * CRDs. Sent as notifications declared once in server/src/protocol.ts.
 */
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { readBackup } from '../../server/src/domain/backups';
import { backupSummary, clusterMajor, storageSummary } from '../../server/src/domain/describe';
import { ClusterSnapshotNotification, CrdSchemasNotification, type ClusterSnapshot, type LiveObject } from '../../server/src/protocol';
import type { ClusterModel } from './clusterModel';

const MAX_SECRET_NAMESPACES = 50;

export class LiveSync {
  private model: ClusterModel | undefined;
  private listener: { dispose(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private secretsTimer: NodeJS.Timeout | undefined;
  private readingSecrets: Promise<void> | undefined;
  private readAgain: Promise<void> | undefined;
  private secrets: LiveObject[] = [];
  private crds: { kind: string; crd: unknown }[] = [];
  private last: ClusterSnapshot = { connected: false, namespaces: [], objects: [] };

  /** `secretsRefreshMs`: how often Secret names and keys are read again while connected (0: never on a timer). */
  constructor(private readonly client: LanguageClient, private readonly log: vscode.LogOutputChannel, private readonly secretsRefreshMs = 0) {}

  attach(model: ClusterModel): void {
    this.detach(false);
    this.model = model;
    this.listener = model.onDidChange(() => this.schedule());
    void this.refreshSecrets();
    void this.loadCrds();
    this.schedule();
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
    this.secretsTimer = undefined;
    const had = this.model !== undefined;
    this.model = undefined;
    this.secrets = [];
    if (notify && had) {
      this.send({ connected: false, namespaces: [], objects: [] });
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

  private async readSecrets(): Promise<void> {
    const model = this.model;
    if (!model || model.state.kind !== 'ready') return;
    const namespaces = model.namespaces().slice(0, MAX_SECRET_NAMESPACES);
    const found: LiveObject[] = [];
    for (const ns of namespaces) {
      try {
        for (const s of await model.api.secrets(ns, { timeoutMs: 10_000 })) found.push({ kind: 'Secret', name: s.name, namespace: ns, keys: s.keys });
      } catch (err) {
        this.log.info(`Secret names of ${ns} not read (${(err as Error).message}); Secret checks skip it`);
      }
    }
    if (this.model === model) {
      this.secrets = found;
      this.schedule();
    }
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
    this.timer = setTimeout(() => this.send(this.snapshot()), 300);
  }

  private snapshot(): ClusterSnapshot {
    const model = this.model;
    if (!model || model.state.kind !== 'ready') return { connected: false, namespaces: [], objects: [] };
    const objects: LiveObject[] = [...this.secrets];
    for (const o of model.objects('SGObjectStorage')) objects.push({ kind: 'SGObjectStorage', name: o.metadata.name, namespace: o.metadata.namespace, detail: storageSummary(o.spec) });
    for (const o of model.objects('SGCluster')) objects.push({ kind: 'SGCluster', name: o.metadata.name, namespace: o.metadata.namespace, pgMajor: clusterMajor((o.spec as { postgres?: { version?: unknown } } | undefined)?.postgres?.version) });
    for (const o of model.objects('SGBackup')) {
      const b = readBackup(o);
      if (b) objects.push({ kind: 'SGBackup', name: b.name, namespace: b.namespace, phase: b.phase, pgMajor: b.pgMajor, stored: b.stored?.toISOString(), detail: backupSummary(o) });
    }
    const namespaces = model.state.scope === 'all namespaces' ? model.namespaces() : [model.state.scope];
    return { connected: true, context: model.api.context.name, defaultNamespace: model.api.context.namespace, namespaces, objects };
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
