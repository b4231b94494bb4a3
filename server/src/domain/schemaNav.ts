/** Reading our JSON schemas by manifest path: which fields exist where, for "did you mean" suggestions. */
import type { PathSegment } from './locate';
import { isRecord } from './manifest';

type Schema = Record<string, unknown>;

export function schemaAt(schema: Schema, path: readonly PathSegment[]): Schema | undefined {
  let s: Schema | undefined = schema;
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === 'number') {
      s = isRecord(s.items) ? (s.items as Schema) : undefined;
    } else {
      const props = isRecord(s.properties) ? (s.properties as Record<string, Schema>) : undefined;
      s = props?.[seg] ?? (isRecord(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined);
    }
  }
  return s;
}

export function fieldsAt(schema: Schema, path: readonly PathSegment[]): string[] {
  const s = schemaAt(schema, path);
  return s && isRecord(s.properties) ? Object.keys(s.properties) : [];
}

/** The known field closest to a misspelt one: same letters ignoring case, or at most two edits away. */
export function closestField(candidates: readonly string[], name: string): string | undefined {
  const lower = name.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.ceil(name.length / 3) + 1);
  for (const c of candidates) {
    const d = editDistance(c.toLowerCase(), lower, bestDistance);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin >= limit) return limit;
    prev = cur;
  }
  return prev[b.length];
}
