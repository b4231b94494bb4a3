/**
 * The last WAL continuity verification of each backup path, for the tree's WAL row, the recoverable-window
 * picture and the point-in-time picker. Only finished verifications are kept (a failed or cancelled one
 * leaves nothing), at most MAX_ENTRIES paths; each entry holds the gaps (capped by the core) and a summary,
 * not the per-backup missing lists.
 */
import type { WalCheck } from '@core/recoveryTimeline';
import { gapSpans, type WalVerification } from '@core/walVerify';

export interface VerifiedPath {
  /** `listingKey` of the path (context, namespace, storage, its spec and the path). */
  readonly key: string;
  readonly context: string;
  readonly namespace: string;
  readonly backupPath: string;
  readonly check: WalCheck;
  /** Gaps in total, drawn or not. */
  readonly gapCount: number;
}

const MAX_ENTRIES = 50;
const entries = new Map<string, VerifiedPath>();
const listeners = new Set<() => void>();

export function rememberVerification(where: { key: string; context: string; namespace: string; backupPath: string }, result: WalVerification, at: Date): VerifiedPath {
  const gaps = gapSpans(result.gaps);
  const entry: VerifiedPath = {
    ...where,
    gapCount: result.gaps.length,
    check: {
      at: at.toISOString(),
      ok: result.ok,
      verdict: result.verdict,
      gaps,
      undrawnGaps: result.gaps.length - gaps.length,
      estimatedSwitches: result.timelines.filter((t) => t.switchFrom === 'listing').map((t) => ({ timeline: t.timeline, parent: t.parent!, segment: t.switchSegment! })),
    },
  };
  entries.delete(where.key);
  entries.set(where.key, entry);
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  for (const l of listeners) l();
  return entry;
}

export function verificationOf(key: string): VerifiedPath | undefined {
  return entries.get(key);
}

/** For a restore: the newest verification of this path in this context and namespace, whatever storage row it came from. */
export function verificationOfPath(context: string, namespace: string, backupPath: string): VerifiedPath | undefined {
  return [...entries.values()].reverse().find((e) => e.context === context && e.namespace === namespace && e.backupPath === backupPath);
}

/** Forgets everything (a context switch, Refresh). */
export function forgetVerifications(): void {
  entries.clear();
  for (const l of listeners) l();
}

export function onDidChangeVerifications(listener: () => void): { dispose(): void } {
  listeners.add(listener);
  return { dispose: () => listeners.delete(listener) };
}
