import type { RuleCode, Severity } from '../codes';
import type { PathSegment, Target } from '../locate';

/** A quick fix described as data: it travels with the diagnostic and is turned into edits on request. */
export type FixSpec =
  | { readonly kind: 'set-value'; readonly title: string; readonly path: readonly PathSegment[]; readonly value: string }
  | { readonly kind: 'rename-key'; readonly title: string; readonly path: readonly PathSegment[]; readonly value: string }
  | { readonly kind: 'insert-key'; readonly title: string; readonly parent: readonly PathSegment[]; readonly key: string; readonly value: string }
  | { readonly kind: 'migrate-backup-config'; readonly title: string }
  | { readonly kind: 'replace-sgbackupconfig-field'; readonly title: string };

export interface Finding {
  readonly code: RuleCode;
  readonly message: string;
  readonly path: readonly PathSegment[];
  readonly target?: Target;
  /** Overrides the code's default severity when the same problem is worse in this context. */
  readonly severity?: Severity;
  readonly fixes?: readonly FixSpec[];
}

export function get(value: unknown, path: readonly PathSegment[]): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

export function has(value: unknown, path: readonly PathSegment[]): boolean {
  if (path.length === 0) return value !== undefined;
  const parent = get(value, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && Object.prototype.hasOwnProperty.call(parent, path[path.length - 1]);
}

export function code(s: string): string {
  return `\`${s}\``;
}
