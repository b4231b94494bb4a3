/**
 * From a path in a manifest (`['spec', 'configurations', 'backups', 0, 'cronSchedule']`) to the text range
 * the editor should underline. When the path is only partly present, the deepest present key is used, so
 * "missing field" findings land on the parent that should hold it.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, Node, Pair } from 'yaml';
import type { Manifest, Position, Range } from './manifest';

export type PathSegment = string | number;
/** `key`: the field name; `value`: its value; `entry`: from the key to the end of the value. */
export type Target = 'key' | 'value' | 'entry';

export interface Located {
  readonly range: Range;
  /** How many segments of the path were found. */
  readonly depth: number;
}

export function locate(m: Manifest, path: readonly PathSegment[], target: Target = 'key'): Located {
  let node: unknown = m.doc.contents;
  let lastPair: Pair | undefined;
  let lastItem: Node | undefined;
  let depth = 0;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(m.doc);
    if (typeof seg === 'string' && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      lastPair = pair;
      lastItem = undefined;
      node = pair.value;
    } else if (typeof seg === 'number' && isSeq(node) && seg < node.items.length) {
      const item = node.items[seg];
      lastItem = item as Node;
      node = item;
    } else {
      break;
    }
    depth++;
  }
  const complete = depth === path.length;
  let range: [number, number] | undefined;
  if (lastItem && (!lastPair || depth === path.length)) {
    range = nodeRange(lastItem);
    if (complete && target === 'key' && isMap(lastItem) && lastItem.items[0]) range = nodeRange(lastItem.items[0].key as Node) ?? range;
  } else if (lastPair) {
    const key = nodeRange(lastPair.key as Node);
    const value = nodeRange(lastPair.value as Node);
    if (complete && target === 'value' && value && !isEmptyValue(lastPair)) range = value;
    else if (complete && target === 'entry' && key) range = [key[0], value?.[1] ?? key[1]];
    else range = key;
  }
  if (!range) {
    const first = m.doc.contents ? nodeRange(m.doc.contents as Node) : undefined;
    range = first ? [first[0], firstLineEnd(m, first[0])] : [0, 0];
  }
  return { range: { start: pos(m, range[0]), end: pos(m, range[1]) }, depth };
}

/** Range of the value at `path` if it is present, else undefined. */
export function locateValue(m: Manifest, path: readonly PathSegment[]): Range | undefined {
  const found = locate(m, path, 'value');
  return found.depth === path.length ? found.range : undefined;
}

export function offsetToPosition(m: Manifest, offset: number): Position {
  return pos(m, offset);
}

export function positionToOffset(m: Manifest, p: Position): number {
  const starts = m.lineCounter.lineStarts;
  if (p.line >= starts.length) return m.chunk.text.length;
  return Math.min(starts[p.line] + p.character, m.chunk.text.length);
}

function isEmptyValue(pair: Pair): boolean {
  return pair.value === null || (isScalar(pair.value) && pair.value.value === null && !pair.value.source);
}

function nodeRange(node: Node | null | undefined): [number, number] | undefined {
  if (!node || !node.range) return undefined;
  const [start, valueEnd] = node.range;
  return [start, Math.max(start, valueEnd)];
}

function firstLineEnd(m: Manifest, offset: number): number {
  const nl = m.chunk.text.indexOf('\n', offset);
  return nl === -1 ? m.chunk.text.length : nl;
}

function pos(m: Manifest, offset: number): Position {
  const lp = m.lineCounter.linePos(offset);
  return { line: lp.line - 1, character: lp.col - 1 };
}


export interface PathAtPosition {
  /** Path to the innermost field at the position. */
  readonly path: PathSegment[];
  /** The position is on the field name rather than its value. */
  readonly onKey: boolean;
  /** Text range of the value under the cursor (or an empty range at the cursor for a missing value). */
  readonly valueRange?: Range;
}

/** Which field the cursor is on: used by hover and completion. */
export function pathAt(m: Manifest, position: Position): PathAtPosition | undefined {
  const offset = positionToOffset(m, position);
  const path: PathSegment[] = [];
  let node: unknown = m.doc.contents;
  let onKey = false;
  let valueRange: [number, number] | undefined;
  let found = false;
  for (let guard = 0; guard < 1000; guard++) {
    if (isMap(node)) {
      const pair = findPair(m, node.items as Pair[], offset);
      if (!pair) break;
      const key = pair.key as Node;
      path.push(isScalar(key) ? String(key.value) : '?');
      found = true;
      const keyEnd = key.range?.[1] ?? 0;
      if (offset <= keyEnd) {
        onKey = true;
        valueRange = undefined;
        break;
      }
      const value = pair.value as Node | null;
      if (!value || (isScalar(value) && value.value === null && !value.source)) {
        onKey = false;
        valueRange = [offset, offset];
        break;
      }
      node = value;
      valueRange = value.range ? [value.range[0], value.range[1]] : undefined;
      onKey = false;
      continue;
    }
    if (isSeq(node)) {
      const idx = node.items.findIndex((it) => {
        const r = (it as Node | null)?.range;
        return r != null && offset >= r[0] && offset <= r[1];
      });
      if (idx < 0) break;
      path.push(idx);
      found = true;
      node = node.items[idx];
      valueRange = (node as Node).range ? [(node as Node).range![0], (node as Node).range![1]] : undefined;
      continue;
    }
    break;
  }
  if (!found) return undefined;
  return {
    path,
    onKey,
    valueRange: valueRange ? { start: pos(m, valueRange[0]), end: pos(m, valueRange[1]) } : undefined,
  };
}

/** The pair whose key starts before the offset and whose value (or, when empty, key line) covers it. */
function findPair(m: Manifest, pairs: Pair[], offset: number): Pair | undefined {
  let best: Pair | undefined;
  for (const p of pairs) {
    const key = p.key as Node | null;
    if (!key?.range) continue;
    const start = key.range[0];
    if (start > offset) break;
    const value = p.value as Node | null;
    const end = value?.range && !(isScalar(value) && value.value === null && !value.source) ? value.range[1] : lineEndOf(m, key.range[1]);
    if (offset >= start && offset <= end) best = p;
  }
  return best;
}

function lineEndOf(m: Manifest, offset: number): number {
  const nl = m.chunk.text.indexOf('\n', offset);
  return nl === -1 ? m.chunk.text.length : nl;
}

/** `spec.configurations.backups[0].cronSchedule` */
export function displayPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
