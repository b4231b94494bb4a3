/**
 * The recoverable-window picture as one HTML page: the cluster's backups on a time axis (SGBackups and the
 * wal-g backups only the bucket knows), the span the archived WAL covers, the span a point-in-time restore
 * can reach, and what retention will delete. Strict CSP (a nonce for the one style and script block, no
 * inline style attributes, nothing loaded from outside), colours from the editor's theme. Clicking a
 * backup or an instant offers the restore. No vscode import: the panel module hands in the CSP source and
 * nonce, and the tests render it directly.
 */
import type { BackupFate, RecoveryTimeline, TimelineBackup } from '@core/recoveryTimeline';
import { isRestorable } from '@core/recoveryTimeline';
import type { GapSpan } from '@core/walVerify';

export interface HtmlOptions {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** Fresh per render. */
  readonly nonce: string;
}

/** Geometry of the picture, in SVG user units (the SVG scales to the panel's width). */
export const LAYOUT = { width: 1000, left: 150, right: 30, top: 24, rowHeight: 34, rows: ['Restorable', 'WAL in bucket', 'SGBackups', 'Bucket only'] } as const;

const FATE_WORDS: Readonly<Record<BackupFate, string>> = {
  kept: 'kept by retention',
  'replaced-next': 'deleted by the next backup',
  'over-retention': 'beyond retention: deleted by the next backup',
  unmanaged: 'not managed: kept until deleted',
  orphan: 'no SGBackup (orphan)',
  failed: 'Failed',
  'in-progress': 'in progress',
};

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** `2026-01-01 03:00` (UTC); `?` for anything else, which is never written into the page as it came. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '?';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString().slice(0, 16).replace('T', ' ');
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STEPS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];

/** Monday 1970-01-05: weekly ticks fall on Mondays. */
const MONDAY = 4 * DAY;

/** Tick instants for a span, at most about 8: on the hour, on days, on Mondays, or on month starts (UTC). */
export function ticks(t0: number, t1: number): { at: number; label: string }[] {
  const span = Math.max(t1 - t0, HOUR);
  const step = STEPS.find((s) => span / s <= 8) ?? STEPS[STEPS.length - 1];
  const out: { at: number; label: string }[] = [];
  const label = (t: number): string => {
    const iso = new Date(t).toISOString();
    return step >= DAY ? iso.slice(0, 10) : iso.slice(5, 16).replace('T', ' ');
  };
  if (step >= 30 * DAY) {
    const months = Math.round(step / (30 * DAY));
    const d = new Date(t0);
    let y = d.getUTCFullYear();
    let m = Math.ceil((d.getUTCMonth() + (d.getUTCDate() > 1 || d.getUTCHours() > 0 ? 1 : 0)) / months) * months;
    for (let t = Date.UTC(y, m, 1); t <= t1; t = Date.UTC(y, m, 1)) {
      out.push({ at: t, label: label(t) });
      m += months;
      if (m >= 12) {
        y += Math.floor(m / 12);
        m %= 12;
      }
    }
    return out;
  }
  const offset = step >= 7 * DAY ? MONDAY : 0;
  for (let t = Math.ceil((t0 - offset) / step) * step + offset; t <= t1; t += step) out.push({ at: t, label: label(t) });
  return out;
}

/** The instants the axis spans: everything drawn, plus a margin, ending a little after now. */
export function axisRange(t: RecoveryTimeline): { t0: number; t1: number } {
  const times = [
    ...t.backups.map((b) => b.at),
    t.walBand?.from,
    t.walBand?.to,
    t.recoverable?.from,
    t.now,
  ].filter((x): x is string => typeof x === 'string').map((x) => new Date(x).getTime()).filter((x) => Number.isFinite(x));
  const now = new Date(t.now).getTime();
  const min = Math.min(...times, now - HOUR);
  const max = Math.max(...times, now);
  const pad = Math.max((max - min) * 0.04, 10 * 60_000);
  return { t0: min - pad, t1: max + pad };
}

/** [from, to] without the verified gaps: the instants a point-in-time restore can reach. */
export function restorablePieces(from: string, to: string, gaps: readonly GapSpan[]): { from: string; to: string }[] {
  let pieces = [{ from: Date.parse(from), to: Date.parse(to) }];
  for (const g of gaps) {
    const a = Date.parse(g.from);
    const b = g.to ? Date.parse(g.to) : Infinity;
    pieces = pieces.flatMap((p) => (b <= p.from || a >= p.to ? [p] : [{ from: p.from, to: a }, { from: b, to: p.to }].filter((q) => q.to > q.from)));
  }
  return pieces.map((p) => ({ from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString() }));
}

function markerShape(b: TimelineBackup, x: number, y: number): string {
  const r = 7;
  switch (b.fate) {
    case 'failed':
      return `<path class="shape" d="M${x - r} ${y - r}L${x + r} ${y + r}M${x + r} ${y - r}L${x - r} ${y + r}"/>`;
    case 'orphan':
      return `<path class="shape" d="M${x} ${y - r - 1}L${x + r + 1} ${y + r}L${x - r - 1} ${y + r}Z"/>`;
    case 'unmanaged':
      return `<path class="shape" d="M${x} ${y - r - 1}L${x + r + 1} ${y}L${x} ${y + r + 1}L${x - r - 1} ${y}Z"/>`;
    default:
      return `<circle class="shape" cx="${x}" cy="${y}" r="${r}"/>`;
  }
}

export function recoverableWindowHtml(t: RecoveryTimeline, o: HtmlOptions): string {
  const { t0, t1 } = axisRange(t);
  const plot = LAYOUT.width - LAYOUT.left - LAYOUT.right;
  const x = (iso: string): number => Math.round((LAYOUT.left + ((new Date(iso).getTime() - t0) / (t1 - t0)) * plot) * 10) / 10;
  const rowY = (i: number): number => LAYOUT.top + i * LAYOUT.rowHeight + LAYOUT.rowHeight / 2;
  const height = LAYOUT.top + LAYOUT.rows.length * LAYOUT.rowHeight + 40;
  const svg: string[] = [];

  for (const [i, row] of LAYOUT.rows.entries()) {
    svg.push(`<text class="row-label" x="${LAYOUT.left - 10}" y="${rowY(i) + 4}" text-anchor="end">${row}</text>`);
    svg.push(`<line class="row-line" x1="${LAYOUT.left}" x2="${LAYOUT.width - LAYOUT.right}" y1="${rowY(i)}" y2="${rowY(i)}"/>`);
  }
  const axisY = LAYOUT.top + LAYOUT.rows.length * LAYOUT.rowHeight + 6;
  svg.push(`<line class="axis" x1="${LAYOUT.left}" x2="${LAYOUT.width - LAYOUT.right}" y1="${axisY}" y2="${axisY}"/>`);
  for (const tick of ticks(t0, t1)) {
    const tx = x(new Date(tick.at).toISOString());
    svg.push(`<line class="tick" x1="${tx}" x2="${tx}" y1="${LAYOUT.top}" y2="${axisY + 4}"/>`);
    svg.push(`<text class="tick-label" x="${tx}" y="${axisY + 18}" text-anchor="middle">${tick.label}</text>`);
  }
  const gaps = t.verification?.gaps ?? [];
  if (t.recoverable) {
    // The restorable band, split where a verified WAL gap makes instants unreachable.
    const pieces = restorablePieces(t.recoverable.from, t.recoverable.to, gaps);
    for (const [i, piece] of pieces.entries()) {
      const a = x(piece.from);
      const b = x(piece.to);
      svg.push(`<rect ${i === 0 ? 'id="restorable" ' : ''}class="band restorable" x="${a}" y="${rowY(0) - 8}" width="${Math.max(2, b - a)}" height="16" rx="3"><title>A point-in-time restore can reach ${shortTime(piece.from)} to ${shortTime(piece.to)} UTC</title></rect>`);
    }
  }
  if (t.walBand) {
    const a = x(t.walBand.from);
    const b = x(t.walBand.to);
    svg.push(`<rect class="band wal" x="${a}" y="${rowY(1) - 8}" width="${Math.max(2, b - a)}" height="16" rx="3"><title>WAL in the bucket: ${escapeHtml(t.wal?.oldest?.segment ?? '?')} to ${escapeHtml(t.wal?.newest?.segment ?? '?')}</title></rect>`);
  }
  const axisEnd = new Date(t1).toISOString();
  for (const [i, g] of gaps.entries()) {
    const a = x(g.from);
    const b = x(g.to ?? axisEnd);
    const segments = g.fromSegment === g.toSegment ? `segment ${g.fromSegment}` : `segments ${g.fromSegment} to ${g.toSegment}`;
    const until = g.to ? `${shortTime(g.to)} UTC (the next restorable backup)` : 'a new backup';
    svg.push(`<rect id="gap-${i}" class="band gap" x="${a}" y="${rowY(0) - 10}" width="${Math.max(3, b - a)}" height="${rowY(1) - rowY(0) + 20}"><title>${escapeHtml(`WAL gap on timeline ${g.timeline}: ${segments} missing. Instants from ${shortTime(g.from)} UTC${g.fromEstimated ? ' (about)' : ''} until ${until} cannot be reached.`)}</title></rect>`);
  }
  const nowX = x(t.now);
  svg.push(`<line class="now" x1="${nowX}" x2="${nowX}" y1="${LAYOUT.top - 6}" y2="${axisY}"/><text class="now-label" x="${nowX}" y="${LAYOUT.top - 10}" text-anchor="middle">now</text>`);

  t.backups.forEach((b, i) => {
    if (!b.at) return;
    const bx = x(b.at);
    const by = rowY(b.fate === 'orphan' ? 3 : 2);
    const flags = [b.walGone ? 'wal-gone' : '', b.inBucket === false ? 'not-in-bucket' : ''].filter(Boolean).join(' ');
    svg.push(
      `<g class="marker fate-${b.fate} ${flags}" data-index="${i}" tabindex="0" role="button" aria-label="${escapeHtml(`${b.label}, ${shortTime(b.at)} UTC, ${FATE_WORDS[b.fate]}`)}">` +
        `<title>${escapeHtml(`${b.label}\n${shortTime(b.at)} UTC\n${b.note}`)}</title>${markerShape(b, bx, by)}</g>`,
    );
  });

  const restorable = t.backups.filter(isRestorable).length;
  const summary = t.recoverable
    ? `A point-in-time restore can reach <strong>${shortTime(t.recoverable.from)}</strong> to <strong>${shortTime(t.recoverable.to)}</strong> UTC${t.recoverable.toIsNow ? ' (now)' : ' (end of the archived WAL)'}, from ${restorable} restorable backup${restorable === 1 ? '' : 's'}.`
    : 'No Completed backup to restore from yet.';
  const retention = t.retention !== undefined
    ? `Retention keeps the newest <strong>${t.retention}</strong> managed backups${t.schedule ? `; schedule <code>${escapeHtml(t.schedule)}</code> (UTC)` : '; no schedule'}. The oldest managed backup is deleted by the next backup, and the window then starts later.`
    : 'No backups are configured for this cluster.';
  const v = t.verification;
  const verified = v
    ? `<p id="verification" class="${v.gaps.length + v.undrawnGaps > 0 || !v.ok ? 'error' : 'muted'}">WAL verified ${shortTime(v.at)} UTC: ${v.gaps.length + v.undrawnGaps === 0 ? 'continuous' : `${v.gaps.length + v.undrawnGaps} gap${v.gaps.length + v.undrawnGaps === 1 ? '' : 's'} (red)`}. ${escapeHtml(v.verdict)}${(v.estimatedSwitches ?? []).map((x) => ` Timeline ${x.timeline} began from timeline ${x.parent} at <code>${escapeHtml(x.segment)}</code> (estimated from the listing: its history file could not be read).`).join('')}</p>`
    : '<p id="verification" class="muted">WAL continuity is not verified: the WAL band shows the oldest and newest segment only.</p>';
  const notes = t.storageNotes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  const wal = t.wal
    ? t.wal.oldest
      ? `<p>WAL in the bucket: <code>${escapeHtml(t.wal.oldest.segment)}</code> (archived ${shortTime(t.wal.oldest.at)}) to <code>${escapeHtml(t.wal.newest?.segment ?? t.wal.oldest.segment)}</code> (archived ${shortTime(t.wal.newest?.at ?? t.wal.oldest.at)}).</p>`
      : '<p class="note">The bucket holds no WAL segment for this path: only the backups themselves can be restored.</p>'
    : '';

  const rows = t.backups.map((b, i) => `<tr class="fate-${b.fate}" data-index="${i}">` +
    `<td>${shortTime(b.at)}</td><td><code>${escapeHtml(b.label)}</code>${b.sgBackup ? '' : ' <span class="tag">bucket only</span>'}</td>` +
    `<td>${escapeHtml(b.phase ?? '')}</td><td>${escapeHtml(b.note)}</td>` +
    `<td>${isRestorable(b) ? `<button class="restore" data-index="${i}">Restore…</button>` : ''}</td></tr>`).join('');

  const data = JSON.stringify({ t0, t1, left: LAYOUT.left, plot, width: LAYOUT.width, backups: t.backups, recoverable: t.recoverable ?? null, gaps }).replace(/</g, '\\u003c');
  const nonce = escapeHtml(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${escapeHtml(o.cspSource)} data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Recoverable window: ${escapeHtml(t.cluster.name)}</title>
<style nonce="${nonce}">
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 16px; }
h1 { font-size: 1.3em; font-weight: 600; margin: 12px 0 4px; }
p { margin: 4px 0; }
code { font-family: var(--vscode-editor-font-family); }
.note { color: var(--vscode-editorWarning-foreground); }
.muted { color: var(--vscode-descriptionForeground); }
svg { width: 100%; height: auto; max-width: 1400px; user-select: none; }
svg text { fill: var(--vscode-foreground); font-size: 12px; font-family: var(--vscode-font-family); }
.row-label { fill: var(--vscode-descriptionForeground); }
.row-line { stroke: var(--vscode-editorWidget-border, var(--vscode-panel-border)); stroke-dasharray: 2 4; }
.axis { stroke: var(--vscode-foreground); }
.tick { stroke: var(--vscode-editorWidget-border, var(--vscode-panel-border)); stroke-opacity: .5; }
.tick-label { fill: var(--vscode-descriptionForeground); font-size: 11px; }
.now { stroke: var(--vscode-editorWarning-foreground); stroke-dasharray: 4 3; }
.now-label { fill: var(--vscode-editorWarning-foreground); font-size: 11px; }
.band.restorable { fill: var(--vscode-charts-green); fill-opacity: .55; }
.band.wal { fill: var(--vscode-charts-blue); fill-opacity: .35; }
.band.gap { fill: var(--vscode-charts-red); fill-opacity: .75; }
#plot { cursor: crosshair; }
.marker { cursor: pointer; }
.marker .shape { stroke-width: 2; }
.marker:focus { outline: none; }
.marker:focus .shape, .marker.selected .shape { stroke: var(--vscode-focusBorder); stroke-width: 3; }
.fate-kept .shape { fill: var(--vscode-charts-blue); stroke: var(--vscode-charts-blue); }
.fate-replaced-next .shape { fill: var(--vscode-charts-orange); stroke: var(--vscode-charts-orange); }
.fate-over-retention .shape { fill: none; stroke: var(--vscode-descriptionForeground); stroke-dasharray: 2 2; }
.fate-unmanaged .shape { fill: var(--vscode-charts-purple); stroke: var(--vscode-charts-purple); }
.fate-orphan .shape { fill: var(--vscode-charts-yellow); stroke: var(--vscode-charts-yellow); }
.fate-failed .shape { fill: none; stroke: var(--vscode-charts-red); stroke-width: 3; }
.fate-in-progress .shape { fill: none; stroke: var(--vscode-charts-blue); }
.wal-gone .shape, .not-in-bucket .shape { stroke: var(--vscode-charts-red); stroke-width: 3; }
#cursor { stroke: var(--vscode-focusBorder); }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 6px 0; color: var(--vscode-descriptionForeground); }
.legend svg { width: 16px; height: 16px; vertical-align: middle; }
#details { border: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); background: var(--vscode-editorWidget-background); padding: 8px 12px; margin: 10px 0; min-height: 2.5em; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 10px; cursor: pointer; font-family: inherit; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
input { background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); padding: 3px 6px; font-family: var(--vscode-editor-font-family); width: 24ch; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); vertical-align: top; }
th { color: var(--vscode-descriptionForeground); font-weight: 600; }
tr.selected { background: var(--vscode-list-inactiveSelectionBackground); }
.tag { color: var(--vscode-charts-yellow); }
.error { color: var(--vscode-errorForeground); }
</style>
</head>
<body>
<h1>Recoverable window: ${escapeHtml(t.cluster.namespace)}/${escapeHtml(t.cluster.name)}</h1>
<p id="summary">${summary}</p>
<p class="muted">${retention}${t.backupPath ? ` Path <code>${escapeHtml(t.backupPath)}</code>.` : ''}</p>
${wal}${verified}${notes}
<div class="legend">
<span><svg viewBox="0 0 16 16"><g class="fate-kept"><circle class="shape" cx="8" cy="8" r="5"/></g></svg> kept</span>
<span><svg viewBox="0 0 16 16"><g class="fate-replaced-next"><circle class="shape" cx="8" cy="8" r="5"/></g></svg> deleted by the next backup</span>
<span><svg viewBox="0 0 16 16"><g class="fate-over-retention"><circle class="shape" cx="8" cy="8" r="5"/></g></svg> beyond retention</span>
<span><svg viewBox="0 0 16 16"><g class="fate-unmanaged"><path class="shape" d="M8 2L14 8L8 14L2 8Z"/></g></svg> not managed</span>
<span><svg viewBox="0 0 16 16"><g class="fate-orphan"><path class="shape" d="M8 2L14 14L2 14Z"/></g></svg> no SGBackup (orphan)</span>
<span><svg viewBox="0 0 16 16"><g class="fate-failed"><path class="shape" d="M3 3L13 13M13 3L3 13"/></g></svg> failed</span>
</div>
<svg id="plot" viewBox="0 0 ${LAYOUT.width} ${height}" role="img" aria-label="Backups and WAL on a time axis (UTC)">
${svg.join('\n')}
<line id="cursor" x1="0" x2="0" y1="${LAYOUT.top}" y2="${axisY}" visibility="hidden"/>
</svg>
<div id="details" aria-live="polite"><span class="muted">Click a backup, or an instant on the axis, to restore from it.</span></div>
<p><button id="refresh" class="secondary">Read the bucket again</button> <button id="verify" class="secondary">Verify Recoverability</button></p>
<table>
<thead><tr><th>Time (UTC)</th><th>Backup</th><th>Phase</th><th>What retention does</th><th></th></tr></thead>
<tbody>${rows}</tbody>
</table>
<script type="application/json" id="timeline-data">${data}</script>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}

/** The page's behaviour: selection, the instant under a click, and messages to the extension. */
const SCRIPT = `
(function () {
  const vscode = acquireVsCodeApi();
  const data = JSON.parse(document.getElementById('timeline-data').textContent);
  const details = document.getElementById('details');
  const svg = document.getElementById('plot');
  const cursor = document.getElementById('cursor');
  const fmt = (iso) => iso.slice(0, 19).replace('T', ' ');
  const restorable = (b) => b.window && b.sgBackup && b.inBucket !== false && !b.walGone;
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function text(el, s) { el.appendChild(document.createTextNode(s)); }
  function button(label, onClick, secondary) {
    const b = document.createElement('button');
    b.textContent = label;
    if (secondary) b.className = 'secondary';
    b.addEventListener('click', onClick);
    return b;
  }
  function select(index) {
    document.querySelectorAll('.selected').forEach((e) => e.classList.remove('selected'));
    document.querySelectorAll('[data-index="' + index + '"]').forEach((e) => { if (!e.classList.contains('restore')) e.classList.add('selected'); });
  }
  function restore(b, pointInTime) {
    vscode.postMessage({ type: 'restore', backup: b.sgBackup, pointInTime: pointInTime });
  }
  function testRestore(b, pointInTime) {
    vscode.postMessage({ type: 'testRestore', backup: b.sgBackup, pointInTime: pointInTime });
  }
  function showBackup(index) {
    const b = data.backups[index];
    select(index);
    cursor.setAttribute('visibility', 'hidden');
    clear(details);
    const title = document.createElement('p');
    const strong = document.createElement('strong');
    strong.textContent = b.label;
    title.appendChild(strong);
    text(title, ' — ' + (b.at ? fmt(b.at) + ' UTC' : 'time unknown'));
    details.appendChild(title);
    const note = document.createElement('p');
    note.textContent = b.note;
    details.appendChild(note);
    if (!restorable(b)) return;
    const p = document.createElement('p');
    p.appendChild(button('Restore this backup…', () => restore(b)));
    text(p, ' ');
    p.appendChild(button('Test restore (drill)…', () => testRestore(b), true));
    text(p, ' or to an instant between ' + fmt(b.window.from) + ' and ' + fmt(b.window.to) + ' UTC: ');
    const input = document.createElement('input');
    input.value = b.window.to.slice(0, 19) + 'Z';
    input.setAttribute('aria-label', 'Point in time (UTC)');
    p.appendChild(input);
    text(p, ' ');
    const problem = document.createElement('span');
    problem.className = 'error';
    p.appendChild(button('Restore to this instant…', () => {
      const t = Date.parse(input.value);
      if (Number.isNaN(t) || !/Z$|[+-]\\d\\d:\\d\\d$/.test(input.value.trim())) { problem.textContent = ' Write an instant such as 2024-01-15T10:30:00Z.'; return; }
      if (t < Date.parse(b.window.from) || t > Date.parse(b.window.to)) { problem.textContent = ' Outside this backup\\'s window.'; return; }
      const gap = gapAt(t);
      if (gap) { problem.textContent = ' Cannot be recovered: ' + gapText(gap); return; }
      problem.textContent = '';
      restore(b, new Date(t).toISOString().replace('.000Z', 'Z'));
    }, true));
    p.appendChild(problem);
    details.appendChild(p);
  }
  function gapAt(t) {
    return data.gaps.find((g) => t > Date.parse(g.from) && (!g.to || t < Date.parse(g.to)));
  }
  function gapText(g) {
    return 'it falls in a WAL gap: ' + (g.fromSegment === g.toSegment ? 'segment ' + g.fromSegment + ' is' : 'segments ' + g.fromSegment + ' to ' + g.toSegment + ' are') + ' missing (timeline ' + g.timeline + '), so no backup before it can replay WAL to it.';
  }
  function showInstant(t) {
    const iso = new Date(t).toISOString().replace(/\\.\\d{3}Z$/, 'Z');
    const b = data.backups.find((x) => restorable(x) && x.window.from <= iso);
    const x = data.left + ((t - data.t0) / (data.t1 - data.t0)) * data.plot;
    cursor.setAttribute('x1', x); cursor.setAttribute('x2', x); cursor.setAttribute('visibility', 'visible');
    clear(details);
    const p = document.createElement('p');
    const gap = gapAt(t);
    if (gap) {
      p.className = 'error';
      p.textContent = fmt(iso) + ' UTC cannot be recovered: ' + gapText(gap);
      details.appendChild(p);
      return;
    }
    if (!b || !data.recoverable || iso > data.recoverable.to) {
      p.textContent = fmt(iso) + ' UTC cannot be recovered: ' + (!b ? 'no restorable backup was stored before it.' : 'it is after the end of the archived WAL (' + fmt(data.recoverable.to) + ' UTC).');
      details.appendChild(p);
      return;
    }
    select(data.backups.indexOf(b));
    text(p, 'Restore to ' + fmt(iso) + ' UTC from ' + b.label + ' (stored ' + fmt(b.window.from) + ' UTC, replaying WAL up to that instant). ');
    p.appendChild(button('Restore to this instant…', () => restore(b, iso)));
    text(p, ' ');
    p.appendChild(button('Test restore to this instant…', () => testRestore(b, iso), true));
    details.appendChild(p);
  }
  svg.addEventListener('click', (e) => {
    const marker = e.target.closest && e.target.closest('.marker');
    if (marker) { showBackup(Number(marker.getAttribute('data-index'))); return; }
    const pt = svg.createSVGPoint(); pt.x = e.clientX; pt.y = e.clientY;
    const local = pt.matrixTransform(svg.getScreenCTM().inverse());
    if (local.x < data.left || local.x > data.left + data.plot) return;
    showInstant(data.t0 + ((local.x - data.left) / data.plot) * (data.t1 - data.t0));
  });
  svg.addEventListener('keydown', (e) => {
    const marker = e.target.closest && e.target.closest('.marker');
    if (marker && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); showBackup(Number(marker.getAttribute('data-index'))); }
  });
  document.querySelectorAll('button.restore').forEach((b) => b.addEventListener('click', () => showBackup(Number(b.getAttribute('data-index')))));
  document.getElementById('refresh').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  document.getElementById('verify').addEventListener('click', () => vscode.postMessage({ type: 'verify' }));
})();
`;
