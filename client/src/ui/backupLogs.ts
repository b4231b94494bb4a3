/**
 * The read-only logs page of a backup Job: a TextDocumentContentProvider of its own scheme, one page per
 * backup. A page reads the SGBackup, its Job pod (`status.process.jobPod`), the pod's log, and the Events of
 * the Job, the pod and the SGBackup; while the backup runs it follows the log and updates the page as lines
 * arrive, until the backup ends or the page is closed. The log is untrusted text: cleaned and bounded by
 * the LogBuffer.
 */
import * as vscode from 'vscode';
import { backupLogPage, jobOfPod, type BackupLogPage, type EventLine, type PodState } from '@core/backupJob';
import { readBackup, type BackupView } from '@core/backups';
import { cleanLogText, LogBuffer } from '../backupLogText';
import type { ClusterModel } from '../clusterModel';
import type { EventSummary, InvolvedObject, KubeApi, KubeObject } from '../kube/api';
import { KubeError } from '../kube/errors';
import { followBackup, sgClusterOf } from './backupSteps';
import { isCancellation } from './progress';

export const BACKUP_LOG_SCHEME = 'stackgres-backup-log';

/** What a page keeps of a log: its newest MiB (kubectl logs has the rest). */
const MAX_LOG_BYTES = 1024 * 1024;
/** Lines asked for from the end of a log. */
const TAIL_LINES = 20_000;
/** Pages followed at once; opening one more stops the oldest (each holds up to MAX_LOG_BYTES). */
const MAX_PAGES = 8;
/** After the backup ends, how long the log stream has to deliver its last lines before it is read once more. */
const END_GRACE_MS = 3_000;
/** The page is redrawn at most this often while lines arrive. */
const RENDER_MS = 200;

export interface BackupLogsResult {
  readonly uri: string;
  readonly pod?: string;
  /** `following` while the backup runs; `gone` when the pod no longer exists; `noPod` before the Job starts. */
  readonly state: 'following' | 'ended' | 'gone' | 'noPod';
}

type Log = Pick<vscode.LogOutputChannel, 'info' | 'warn'>;

class Page {
  private readonly controller = new AbortController();
  private readonly buffer = new LogBuffer(MAX_LOG_BYTES);
  private state: BackupLogPage;
  private timer: NodeJS.Timeout | undefined;
  /** Settles when the page has stopped following (or never followed). */
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly uri: vscode.Uri,
    private readonly api: KubeApi,
    private readonly model: ClusterModel,
    private backup: BackupView,
    private readonly log: Log,
    private readonly changed: (uri: vscode.Uri) => void,
  ) {
    this.state = { backup, context: api.context.name, pod: undefined, following: 'no', events: [] };
  }

  text(): string {
    // The failure is the backup Job's own words, from the cluster: as untrusted as its log.
    const failure = this.backup.failure === undefined ? undefined : cleanLogText(this.backup.failure);
    return backupLogPage({ ...this.state, backup: { ...this.backup, failure } });
  }

  stop(): void {
    this.controller.abort();
  }

  private update(patch: Partial<BackupLogPage>, now = false): void {
    this.state = { ...this.state, ...patch };
    if (now) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.changed(this.uri);
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.changed(this.uri);
      }, RENDER_MS);
    }
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Reads what there is; returns once the page shows it, following in the background while the backup runs. */
  async start(obj: KubeObject | undefined): Promise<BackupLogsResult> {
    const b = this.backup;
    const podName = str((obj?.status as { process?: { jobPod?: unknown } } | undefined)?.process?.jobPod);
    if (!podName) {
      this.update({ events: await this.events(undefined, undefined) }, true);
      return { uri: this.uri.toString(), state: 'noPod' };
    }
    const pod = await this.api.pod(b.namespace, podName, { signal: this.signal }).catch((e: unknown) => {
      if (e instanceof KubeError && !isCancellation(e)) return e;
      throw e;
    });
    if (pod instanceof KubeError) {
      this.update({ pod: podName, job: jobOfPod(podName), podState: undefined, logProblem: problemText(pod), events: await this.events(podName, jobOfPod(podName)) }, true);
      return { uri: this.uri.toString(), pod: podName, state: 'ended' };
    }
    if (!pod) {
      this.update({ pod: podName, job: jobOfPod(podName), podState: 'gone', events: await this.events(undefined, jobOfPod(podName)) }, true);
      return { uri: this.uri.toString(), pod: podName, state: 'gone' };
    }
    const container = pod.containers.length === 1 ? pod.containers[0] : (pod.containers.find((c) => /backup/.test(c)) ?? pod.containers[0]);
    const cs = pod.containerStates.find((c) => c.name === container);
    const podState: PodState = { phase: pod.phase, container, waiting: cs?.waiting, terminated: cs?.terminated };
    const job = jobOfPod(podName, pod.job);
    const running = (pod.phase === 'Running' || pod.phase === 'Pending') && b.phase !== 'Completed' && b.phase !== 'Failed';
    this.update({ pod: podName, job, podState, events: await this.events(podName, job, pod.uid) }, true);
    if (!running || cs?.waiting) {
      await this.readOnce(podName, container);
      this.update({ following: running ? 'no' : 'ended' }, true);
      return { uri: this.uri.toString(), pod: podName, state: 'ended' };
    }
    this.update({ following: 'yes', log: '' }, true);
    this.done = this.follow(podName, container, job, pod.uid).catch((e: unknown) => {
      if (!isCancellation(e)) this.log.warn(`Show Backup Logs: ${e instanceof Error ? e.message : String(e)}`);
    });
    return { uri: this.uri.toString(), pod: podName, state: 'following' };
  }

  private async readOnce(pod: string, container: string): Promise<void> {
    try {
      const text = await this.api.podLog(this.backup.namespace, pod, { container, tailLines: TAIL_LINES, limitBytes: 8 * MAX_LOG_BYTES, signal: this.signal });
      this.buffer.append(text);
      this.buffer.flush();
      this.update({ log: this.buffer.text(), droppedBytes: this.buffer.dropped, logProblem: undefined });
    } catch (e) {
      if (isCancellation(e)) throw e;
      if (e instanceof KubeError && e.reason === 'notFound') this.update({ podState: 'gone' });
      else this.update({ logProblem: problemText(e) });
    }
  }

  private async follow(pod: string, container: string, job: string, podUid: string | undefined): Promise<void> {
    const b = this.backup;
    // Stops the stream and the watch once the backup is over; the page's own signal stops everything.
    const streamEnd = new AbortController();
    const streamSignal = AbortSignal.any([this.signal, streamEnd.signal]);
    const stream = this.api
      .followPodLog(b.namespace, pod, (text) => {
        this.buffer.append(text);
        this.update({ log: this.buffer.text(), droppedBytes: this.buffer.dropped });
      }, { container, tailLines: TAIL_LINES, signal: streamSignal })
      .then(
        () => 'ended' as const,
        (e: unknown) => {
          if (!isCancellation(e)) this.log.warn(`Show Backup Logs: following the log of pod ${b.namespace}/${pod} stopped: ${e instanceof Error ? e.message : String(e)}`);
          return 'stopped' as const;
        },
      );
    // The SGBackup's phase (through the watch) says when the backup is over, even if the stream hangs.
    const ended = followBackup(this.model, this.api, b.namespace, b.name, sgClusterOf(b), streamSignal, (o) => {
      const v = o ? readBackup(o) : undefined;
      if (v) this.backup = v;
      return !o || v?.phase === 'Completed' || v?.phase === 'Failed';
    }).then(
      () => 'backupEnded' as const,
      () => 'stopped' as const,
    );
    const grace = (): Promise<'grace'> => new Promise((r) => setTimeout(() => r('grace'), END_GRACE_MS));
    let how = await Promise.race([stream, ended]);
    if (how === 'backupEnded') {
      // The stream has a moment to deliver the Job's last lines.
      how = await Promise.race([stream, grace()]).then((x) => (x === 'grace' ? 'backupEnded' : x));
    } else if (how === 'ended') {
      // The Job ends just before the operator writes the SGBackup's outcome: give the watch a moment to bring it.
      await Promise.race([ended, grace()]);
    }
    streamEnd.abort();
    if (this.signal.aborted) {
      this.update({ following: 'stopped' }, true);
      return;
    }
    if (how === 'backupEnded' || how === 'stopped') {
      // The stream did not end by itself: read the log once more (it has every line the stream may have missed).
      const fresh = new LogBuffer(MAX_LOG_BYTES);
      try {
        const text = await this.api.podLog(b.namespace, pod, { container, tailLines: TAIL_LINES, limitBytes: 8 * MAX_LOG_BYTES, signal: this.signal });
        fresh.append(text);
        fresh.flush();
        this.update({ log: fresh.text(), droppedBytes: fresh.dropped });
      } catch (e) {
        if (isCancellation(e)) return;
        if (e instanceof KubeError && e.reason === 'notFound') this.update({ podState: 'gone' });
      }
    } else {
      this.buffer.flush();
      this.update({ log: this.buffer.text(), droppedBytes: this.buffer.dropped });
    }
    const after = await this.api.pod(b.namespace, pod, { signal: this.signal }).catch(() => undefined);
    const cs = after?.containerStates.find((c) => c.name === container);
    this.update(
      {
        following: how === 'stopped' ? 'stopped' : 'ended',
        podState: after ? { phase: after.phase, container, waiting: cs?.waiting, terminated: cs?.terminated } : this.state.podState,
        events: await this.events(pod, job, podUid).catch(() => this.state.events),
      },
      true,
    );
  }

  /** The Events of the Job, the pod and the SGBackup, each group on its own (one refused read does not hide the others). */
  private async events(pod: string | undefined, job: string | undefined, podUid?: string): Promise<BackupLogPage['events']> {
    const signal = this.signal;
    const b = this.backup;
    const groups: { title: string; involved: InvolvedObject }[] = [
      ...(job ? [{ title: `Events of Job ${job}`, involved: { kind: 'Job', name: job } }] : []),
      ...(pod ? [{ title: `Events of pod ${pod}`, involved: { kind: 'Pod', name: pod, uid: podUid } }] : []),
      { title: `Events of SGBackup ${b.name}`, involved: { kind: 'SGBackup', name: b.name, uid: b.uid } },
    ];
    return Promise.all(
      groups.map(async (g) => {
        try {
          return { title: g.title, events: (await this.api.events(b.namespace, g.involved, { signal })).map(eventLine) };
        } catch (e) {
          if (isCancellation(e)) throw e;
          return { title: g.title, problem: problemText(e) };
        }
      }),
    );
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function eventLine(e: EventSummary): EventLine {
  const clean = (s: string | undefined): string | undefined => (s === undefined ? undefined : cleanLogText(s).replace(/\n/g, ' '));
  const last = e.last ? new Date(e.last) : undefined;
  return { type: clean(e.type), reason: clean(e.reason), message: clean(e.message), count: e.count, last: last && !Number.isNaN(last.getTime()) ? last : undefined, source: clean(e.source) };
}

function problemText(e: unknown): string {
  if (e instanceof KubeError) return cleanLogText(e.action ? `${e.message} ${e.action}` : e.message);
  return cleanLogText(e instanceof Error ? e.message : String(e));
}

/** The provider of the pages, registered once; pages stop when their document closes. */
export class BackupLogPages implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly pages = new Map<string, Page>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly log: Log) {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(BACKUP_LOG_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme !== BACKUP_LOG_SCHEME) return;
        const page = this.pages.get(d.uri.toString());
        page?.stop();
        this.pages.delete(d.uri.toString());
      }),
      this.changed,
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.pages.get(uri.toString())?.text() ?? vscode.l10n.t('This backup logs page is no longer read: run Show Backup Logs again.');
  }

  /** Opens (or reads again) the page of one backup and shows it. */
  async show(api: KubeApi, model: ClusterModel, backup: BackupView, obj: KubeObject | undefined): Promise<BackupLogsResult> {
    const uri = vscode.Uri.from({ scheme: BACKUP_LOG_SCHEME, path: `/${backup.namespace}/${backup.name}.log`, query: new URLSearchParams({ context: api.context.name }).toString() });
    const key = uri.toString();
    this.pages.get(key)?.stop();
    while (this.pages.size >= MAX_PAGES) {
      const [oldest, page] = this.pages.entries().next().value as [string, Page];
      page.stop();
      this.pages.delete(oldest);
    }
    const page = new Page(uri, api, model, backup, this.log, (u) => this.changed.fire(u));
    this.pages.delete(key);
    this.pages.set(key, page);
    const result = await page.start(obj);
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== 'log') await vscode.languages.setTextDocumentLanguage(document, 'log');
    await vscode.window.showTextDocument(document, { preview: false });
    return result;
  }

  dispose(): void {
    for (const p of this.pages.values()) p.stop();
    this.pages.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}
