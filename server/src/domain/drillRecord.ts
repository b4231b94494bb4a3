/**
 * The result of a restore drill as it is recorded on the SGBackup, so teammates see it with kubectl too:
 * one annotation, `stackgres-vscode/restore-drill`, whose value is one line of JSON:
 *
 *   {"time":"2026-12-03T14:07:12Z","result":"succeeded","durationSeconds":432,"target":"latest",
 *    "cluster":"demo/orders-drill-20261203-140000"}
 *
 * `result` is `succeeded` or `failed`; a failed drill adds `"reason"`. `target` is `latest` or the
 * point-in-time instant. Anyone who can edit the SGBackup can write this annotation: it is read
 * defensively (wrong types, unknown results and absurd values give no record) and its text is escaped
 * wherever it is shown. Pure: no I/O, no vscode; imports nothing from the backups module (which reads it).
 */
export const DRILL_RESULT_ANNOTATION = 'stackgres-vscode/restore-drill';

/** The failure reason kept on the backup: enough for a DBA to see what broke, never a whole log. */
export const MAX_DRILL_REASON = 400;

export interface DrillRecord {
  /** When the drill ended. */
  readonly time: Date;
  readonly result: 'succeeded' | 'failed';
  readonly durationSeconds: number;
  /** `latest`, or the point-in-time instant restored to. */
  readonly target: string;
  /** `<namespace>/<name>` of the drill cluster. */
  readonly cluster: string;
  readonly reason?: string;
}

/** The annotation's value for a record. */
export function formatDrillRecord(r: DrillRecord): string {
  const out: Record<string, unknown> = {
    time: r.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    result: r.result,
    durationSeconds: Math.max(0, Math.round(r.durationSeconds)),
    target: r.target,
    cluster: r.cluster,
  };
  if (r.result === 'failed' && r.reason) out.reason = clip(r.reason, MAX_DRILL_REASON);
  return JSON.stringify(out);
}

/** The record an annotation value holds, or undefined when it is not one this extension could have written. */
export function parseDrillRecord(value: unknown): DrillRecord | undefined {
  if (typeof value !== 'string' || value.length > 4096) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const r = o as Record<string, unknown>;
  const time = typeof r.time === 'string' ? new Date(r.time) : undefined;
  if (!time || Number.isNaN(time.getTime())) return undefined;
  if (r.result !== 'succeeded' && r.result !== 'failed') return undefined;
  const d = r.durationSeconds;
  if (typeof d !== 'number' || !Number.isFinite(d) || d < 0 || d > 366 * 24 * 3600) return undefined;
  if (typeof r.target !== 'string' || typeof r.cluster !== 'string') return undefined;
  const reason = typeof r.reason === 'string' && r.reason !== '' ? clip(r.reason, MAX_DRILL_REASON) : undefined;
  return { time, result: r.result, durationSeconds: Math.round(d), target: clip(r.target, 64), cluster: clip(r.cluster, 128), ...(reason ? { reason } : {}) };
}

/** The record on an SGBackup object's annotations, if any. */
export function drillRecordOf(annotations: unknown): DrillRecord | undefined {
  if (typeof annotations !== 'object' || annotations === null) return undefined;
  return parseDrillRecord((annotations as Record<string, unknown>)[DRILL_RESULT_ANNOTATION]);
}

/** `45s`, `7m12s`, `1h02m`: how long a drill took, as the backup row shows it. */
export function formatDrillDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
