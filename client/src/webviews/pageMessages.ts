/**
 * What the recoverable-window page may ask the extension, checked before anything is done. The page is a
 * webview: treat what it posts like any other untrusted input. A request is done only when it has exactly
 * the shape the page sends, the panel's context is still the one connected, and a restore names a backup
 * the panel drew for its own cluster, at an instant inside that backup's window. No vscode import.
 */
import { isRestorable, type RecoveryTimeline } from '@core/recoveryTimeline';
import { gapProblem } from '@core/walVerify';
import type { KubeContext } from '../kube/api';

/** What the page asks the extension. */
export type PageMessage =
  | { readonly type: 'restore' | 'testRestore'; readonly backup: { readonly namespace: string; readonly name: string }; readonly pointInTime?: string }
  | { readonly type: 'refresh' }
  | { readonly type: 'verify' };

/** What a panel knows about itself. */
export interface PanelView {
  /** `contextIdentity` of the context the panel was opened in. */
  readonly context: string;
  readonly namespace: string;
  readonly name: string;
  /** What the panel shows now. */
  readonly timeline?: RecoveryTimeline;
}

export type CheckedMessage =
  | { readonly ok: true; readonly message: PageMessage }
  /** `closePanel`: the panel belongs to another context than the connected one. */
  | { readonly ok: false; readonly reason: string; readonly closePanel?: boolean };

/**
 * Two contexts are the same cluster and user only if all of these agree: kubeconfigs merged from
 * several files, or another kubeconfig, can reuse a context name for another cluster.
 */
export function contextIdentity(c: Pick<KubeContext, 'name' | 'cluster' | 'server' | 'user'>): string {
  return JSON.stringify([c.name, c.cluster, c.server ?? '', c.user]);
}

/** The context name inside a `contextIdentity`, or undefined when `identity` is not one. */
function identityName(identity: unknown): string | undefined {
  if (typeof identity !== 'string') return undefined;
  try {
    const parts: unknown = JSON.parse(identity);
    return Array.isArray(parts) && parts.length === 4 && parts.every((p) => typeof p === 'string') ? (parts[0] as string) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Restore Backup runs a restore the page asked for only while the context the window was drawn for is
 * connected: the panel checked the backup in that context, and a switch since then (before or during the
 * restore's questions) must not write a restore of another cluster's backup of the same name.
 * @param drawnFor `contextIdentity` the panel was drawn for, as the restore request carries it.
 * @returns why the restore is refused, or undefined.
 */
export function restoreContextProblem(drawnFor: unknown, connected: Pick<KubeContext, 'name' | 'cluster' | 'server' | 'user'> | undefined): string | undefined {
  const name = identityName(drawnFor);
  const again = 'Open the recoverable window again and choose the backup there.';
  if (name === undefined) return `The restore request does not say which context it was drawn for: no restore was written. ${again}`;
  if (connected === undefined) return `The recoverable window was drawn for context "${name}", but no context is connected now: no restore was written. Connect again, then open the recoverable window and choose the backup there.`;
  if (contextIdentity(connected) === drawnFor) return undefined;
  const now = connected.name === name ? `the connected context "${name}" is another cluster, server or user now` : `context "${connected.name}" is connected now`;
  return `The recoverable window was drawn for context "${name}", but ${now}: no restore was written. ${again}`;
}

/** Kubernetes object names (DNS subdomains, at most 253 characters): nothing else reaches the log or a command. */
const MAX_NAME = 253;
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * @param current `contextIdentity` of the connected context, undefined when not connected.
 */
export function checkPageMessage(raw: unknown, panel: PanelView, current: string | undefined): CheckedMessage {
  const message = shapeOf(raw);
  if (!message) return { ok: false, reason: 'it is not a request the page sends' };
  if (current === undefined) return { ok: false, reason: 'the extension is not connected to the window\'s context' };
  if (current !== panel.context) return { ok: false, reason: 'the connected context is no longer the window\'s', closePanel: true };
  if (message.type === 'refresh' || message.type === 'verify') return { ok: true, message };

  const { namespace, name } = message.backup;
  const t = panel.timeline;
  const drawn = t && t.cluster.namespace === panel.namespace && t.cluster.name === panel.name
    ? t.backups.find((b) => b.sgBackup?.namespace === namespace && b.sgBackup.name === name)
    : undefined;
  if (!drawn) return { ok: false, reason: `SGBackup ${namespace}/${name} is not a backup of ${panel.namespace}/${panel.name} shown in this window` };
  if (!isRestorable(drawn) || !drawn.window) return { ok: false, reason: `SGBackup ${namespace}/${name} cannot be restored from` };
  if (message.pointInTime !== undefined) {
    const at = Date.parse(message.pointInTime);
    if (at < Date.parse(drawn.window.from) || at > Date.parse(drawn.window.to)) {
      return { ok: false, reason: `${message.pointInTime} is outside the recoverable window of SGBackup ${namespace}/${name}` };
    }
    const gap = gapProblem(t?.verification?.gaps ?? [], message.pointInTime);
    if (gap) return { ok: false, reason: gap };
  }
  return { ok: true, message };
}

/** The message if it has exactly a shape the page sends (no other keys), else undefined. */
function shapeOf(raw: unknown): PageMessage | undefined {
  if (!isPlainObject(raw)) return undefined;
  if (raw.type === 'refresh') return onlyKeys(raw, ['type']) ? { type: 'refresh' } : undefined;
  if (raw.type === 'verify') return onlyKeys(raw, ['type']) ? { type: 'verify' } : undefined;
  if ((raw.type !== 'restore' && raw.type !== 'testRestore') || !onlyKeys(raw, ['type', 'backup', 'pointInTime'])) return undefined;
  const backup = raw.backup;
  if (!isPlainObject(backup) || !onlyKeys(backup, ['namespace', 'name'])) return undefined;
  if (!isName(backup.namespace) || !isName(backup.name)) return undefined;
  const pointInTime = raw.pointInTime;
  if (pointInTime !== undefined && !(typeof pointInTime === 'string' && INSTANT.test(pointInTime) && !Number.isNaN(Date.parse(pointInTime)))) return undefined;
  return { type: raw.type, backup: { namespace: backup.namespace, name: backup.name }, ...(pointInTime === undefined ? {} : { pointInTime }) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(o).every((k) => allowed.includes(k));
}

function isName(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_NAME && NAME.test(v);
}
