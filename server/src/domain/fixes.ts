/**
 * Quick fixes as text edits. A fix is described by data (`FixSpec`) attached to a finding; this module turns
 * it into edits against the file, keeping the user's quoting and indentation.
 */
import { Document, isMap, isScalar, isSeq, Node, Scalar, YAMLMap } from 'yaml';
import { kindInfo } from './kinds';
import { locate, locateValue, type PathSegment } from './locate';
import { isRecord, Manifest, Range } from './manifest';
import type { FixSpec } from './rules/types';
import { get } from './rules/types';
import { commentText } from './scriptText';

export interface ChunkEdit {
  /** Index of the document in the file the range refers to. */
  readonly chunkIndex: number;
  readonly range: Range;
  readonly newText: string;
}

export function fixEdits(fix: FixSpec, m: Manifest, file: readonly Manifest[]): ChunkEdit[] {
  switch (fix.kind) {
    case 'set-value':
      return setValue(m, fix.path, fix.value);
    case 'rename-key': {
      const found = locate(m, fix.path, 'key');
      return found.depth === fix.path.length ? [{ chunkIndex: m.chunk.index, range: found.range, newText: fix.value }] : [];
    }
    case 'insert-key':
      return insertKey(m, fix.parent, fix.key, fix.value);
    case 'migrate-backup-config':
      return migrateBackupConfig(m, file);
    case 'replace-sgbackupconfig-field':
      return replaceBackupConfigField(m, file);
    default:
      // Data from the client may be stale or foreign: an unknown fix has no edits.
      return [];
  }
}

function setValue(m: Manifest, path: readonly PathSegment[], value: string): ChunkEdit[] {
  const range = locateValue(m, path);
  if (!range) return [];
  const node = m.doc.getIn(path as PathSegment[], true) as Node | undefined;
  let quote: string | undefined;
  if (isScalar(node)) {
    if (node.type === Scalar.QUOTE_SINGLE) quote = "'";
    else if (node.type === Scalar.QUOTE_DOUBLE) quote = '"';
  }
  return [{ chunkIndex: m.chunk.index, range, newText: scalarText(value, quote) }];
}

/** A scalar as YAML text: in the given quotes, or plain when YAML reads it back as the same string. */
export function scalarText(value: string, quote?: string): string {
  if (quote === "'") return `'${value.replace(/'/g, "''")}'`;
  if (quote === '"') return JSON.stringify(value);
  const plain = new Document(value).toString().trimEnd();
  // Timestamps are strings to Kubernetes but some YAML 1.1 readers take them as dates: quote them.
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !plain.startsWith("'") && !plain.startsWith('"')) return `'${value}'`;
  return plain;
}

function insertKey(m: Manifest, parent: readonly PathSegment[], key: string, value: string): ChunkEdit[] {
  const node = parent.length === 0 ? m.doc.contents : m.doc.getIn(parent as PathSegment[], true);
  const entry = `${key}: ${scalarText(value)}`;
  if (isMap(node) && node.items.length > 0 && !node.flow) {
    const firstKey = node.items[0].key as Node;
    const start = firstKey.range?.[0] ?? 0;
    const lineStart = m.chunk.text.lastIndexOf('\n', start - 1) + 1;
    const indent = ' '.repeat(start - lineStart);
    const at = locate(m, [...parent, String((firstKey as Scalar).value)], 'key').range.start;
    return [{ chunkIndex: m.chunk.index, range: { start: at, end: at }, newText: `${entry}\n${indent}` }];
  }
  if (isMap(node) && node.flow) {
    const range = locateValue(m, parent);
    if (!range) return [];
    const inner = node.items.length ? `{ ${entry}, ${m.chunk.text.slice(node.range![0] + 1, node.range![1] - 1).trim()} }` : `{ ${entry} }`;
    return [{ chunkIndex: m.chunk.index, range, newText: inner }];
  }
  return [];
}

/** The SGObjectStorage and `backups[0]` entry that replace an SGBackupConfig (removed in StackGres 1.7). */
export function backupConfigReplacement(value: unknown): { storage: Record<string, unknown>; backupsEntry: Record<string, unknown> } {
  const name = String(get(value, ['metadata', 'name']) ?? 'backup-storage');
  const namespace = get(value, ['metadata', 'namespace']);
  const storageSpec = get(value, ['spec', 'storage']);
  const base = get(value, ['spec', 'baseBackups']);
  const storage: Record<string, unknown> = {
    apiVersion: kindInfo('SGObjectStorage')!.apiVersion,
    kind: 'SGObjectStorage',
    metadata: typeof namespace === 'string' ? { name, namespace } : { name },
    spec: isRecord(storageSpec) ? storageSpec : {},
  };
  const backupsEntry: Record<string, unknown> = { sgObjectStorage: name };
  if (isRecord(base)) {
    for (const k of ['cronSchedule', 'retention', 'compression']) if (base[k] !== undefined) backupsEntry[k] = base[k];
    if (isRecord(base.performance)) {
      // Older docs spelled these "Bandwitdh"; the fields are "Bandwidth".
      const perf: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(base.performance)) perf[k.replace('Bandwitdh', 'Bandwidth')] = v;
      backupsEntry.performance = perf;
    }
  }
  return { storage, backupsEntry };
}

function migrateBackupConfig(m: Manifest, file: readonly Manifest[]): ChunkEdit[] {
  const { storage, backupsEntry } = backupConfigReplacement(m.value);
  const name = storage.metadata && (storage.metadata as { name: string }).name;
  const users = file.filter((o) => o.kind === 'SGCluster' && get(o.value, ['spec', 'configurations', 'sgBackupConfig']) === name);
  let text = new Document(storage).toString();
  if (users.length === 0) {
    const snippet = new Document({ spec: { configurations: { backups: [backupsEntry] } } }).toString();
    text += '# The schedule moves into each SGCluster that used this SGBackupConfig:\n' +
      snippet.split('\n').filter((l) => l !== '').map((l) => `# ${commentText(l)}`).join('\n') + '\n';
  }
  const edits: ChunkEdit[] = [{ chunkIndex: m.chunk.index, range: wholeChunk(m), newText: ensureTrailingNewline(text, m) }];
  for (const cluster of users) edits.push(...clusterFieldEdits(cluster, backupsEntry));
  return edits;
}

function replaceBackupConfigField(cluster: Manifest, file: readonly Manifest[]): ChunkEdit[] {
  const ref = get(cluster.value, ['spec', 'configurations', 'sgBackupConfig']);
  const source = file.find((o) => o.kind === 'SGBackupConfig' && o.name === ref);
  const entry = source ? backupConfigReplacement(source.value).backupsEntry : { sgObjectStorage: typeof ref === 'string' ? ref : 'CHANGE-ME' };
  return clusterFieldEdits(cluster, entry);
}

/** Replaces `sgBackupConfig` (and `backupPath`) in an SGCluster's configurations with `backups: [entry]`. */
function clusterFieldEdits(cluster: Manifest, entry: Record<string, unknown>): ChunkEdit[] {
  const confPath = ['spec', 'configurations'];
  const conf = cluster.doc.getIn(confPath, true);
  if (!isMap(conf) || conf.flow) return [];
  const backupPath = get(cluster.value, [...confPath, 'backupPath']);
  const full = typeof backupPath === 'string' ? { ...entry, path: backupPath } : entry;
  const pairs = (conf as YAMLMap).items.filter((p) => isScalar(p.key) && ['sgBackupConfig', 'backupPath'].includes(String(p.key.value)));
  if (pairs.length === 0) return [];
  const edits: ChunkEdit[] = [];
  const existing = (conf as YAMLMap).get('backups', true);
  pairs.forEach((pair, i) => {
    const keyNode = pair.key as Node;
    const start = keyNode.range![0];
    const lineStart = cluster.chunk.text.lastIndexOf('\n', start - 1) + 1;
    const indent = ' '.repeat(start - lineStart);
    const valueEnd = (pair.value as Node | null)?.range?.[1] ?? keyNode.range![1];
    const lineEnd = cluster.chunk.text.indexOf('\n', valueEnd);
    const end = lineEnd === -1 ? cluster.chunk.text.length : lineEnd + 1;
    let newText = '';
    if (i === 0 && !isSeq(existing)) {
      const block = new Document({ backups: [full] }).toString();
      newText = block.split('\n').filter((l) => l !== '').map((l) => indent + l).join('\n') + '\n';
    }
    edits.push({
      chunkIndex: cluster.chunk.index,
      range: { start: toPos(cluster, lineStart), end: toPos(cluster, end) },
      newText,
    });
  });
  return edits;
}

function wholeChunk(m: Manifest): Range {
  return { start: { line: 0, character: 0 }, end: toPos(m, m.chunk.text.length) };
}

function ensureTrailingNewline(text: string, m: Manifest): string {
  return m.chunk.text.endsWith('\n') ? text : text.replace(/\n$/, '');
}

function toPos(m: Manifest, offset: number): Range['start'] {
  const lp = m.lineCounter.linePos(offset);
  return { line: lp.line - 1, character: lp.col - 1 };
}
