/**
 * Faults injected into the clean corpus manifests, each with the line that must carry a diagnostic (read by
 * mutation.test.ts, and by cleanProof.test.ts, which compares the fast clean proof with yaml-language-server).
 */
import known from '../../fixtures/corpus-known-invalid.json';
import { kindInfo } from '@core/kinds';
import { corpusFiles } from '../../reference';

/** The corpus files expected to have no error. */
export function cleanCorpusFiles(): string[] {
  return corpusFiles().filter((f) => !(f in known));
}

export interface Mutant {
  readonly fault: string;
  readonly text: string;
  /** 0-based line that must carry a diagnostic. */
  readonly line: number;
}

const clean = corpusFiles().filter((f) => !(f in known));

const indentOf = (line: string) => /^ */.exec(line)![0].length;

/** Inserts `text` as a child of the block mapping key on line `at`, returning the mutant and the new line. */
function insertChild(lines: string[], at: number, text: string): { text: string; line: number } {
  const childIndent = lines[at + 1] && indentOf(lines[at + 1]) > indentOf(lines[at]) ? indentOf(lines[at + 1]) : indentOf(lines[at]) + 2;
  const out = [...lines];
  out.splice(at + 1, 0, ' '.repeat(childIndent) + text);
  return { text: out.join('\n'), line: at + 1 };
}

function find(lines: string[], re: RegExp): number {
  return lines.findIndex((l) => re.test(l));
}

export function mutants(text: string): Mutant[] {
  const lines = text.split('\n');
  const kind = /^kind: (\w+)/m.exec(text)?.[1];
  const out: Mutant[] = [];
  const add = (fault: string, m: { text: string; line: number } | undefined) => m && out.push({ fault, ...m });
  const replaceOn = (i: number, from: RegExp, to: string) => {
    if (i < 0) return undefined;
    const copy = [...lines];
    copy[i] = copy[i].replace(from, to);
    return copy[i] === lines[i] ? undefined : { text: copy.join('\n'), line: i };
  };
  const spec = find(lines, /^spec:\s*$/);
  const metadata = find(lines, /^metadata:\s*$/);

  if (!kindInfo(kind)) return out; // kinds we have no schema for are not checked, so not mutated
  if (spec >= 0) add('unknown field', insertChild(lines, spec, 'sgObjectStorageName: typo'));
  if (metadata >= 0) add('wrong type', insertChild(lines, metadata, 'generation: lots'));

  if (kind === 'SGObjectStorage') {
    add('bad enum', replaceOn(find(lines, /^ {2}type:/), /type:.*$/, 'type: s4'));
    const type = /^ {2}type: "?(\w+)"?/m.exec(text)?.[1];
    const other = type === 'gcs' ? 's3Compatible' : 'gcs';
    if (spec >= 0) add('two storage sections', insertChild(lines, spec, `${other}: {bucket: extra}`));
    const bucket = find(lines, /^\s+bucket:/);
    if (bucket >= 0) {
      const copy = [...lines];
      copy.splice(bucket, 1);
      // "Missing property" lands on the section that needs it: the line above the removed one's parent.
      const parent = copy.slice(0, bucket).map(indentOf).lastIndexOf(indentOf(lines[bucket]) - 2);
      add('missing required field', { text: copy.join('\n'), line: parent });
    }
  }
  if (kind === 'SGCluster') {
    add('bad cron', replaceOn(find(lines, /cronSchedule:/), /cronSchedule:.*$/, "cronSchedule: '0 5 0 0 0'"));
    const entry = find(lines, /- sgObjectStorage:/);
    if (entry >= 0) {
      const copy = [...lines];
      copy.splice(entry + 1, 0, ' '.repeat(indentOf(lines[entry]) + 2) + 'compression: gzip');
      add('bad enum', { text: copy.join('\n'), line: entry + 1 });
    }
    const from = find(lines, /fromBackup:/);
    if (from >= 0 && /^\s+name: \S/.test(lines[from + 1] ?? '')) {
      add('bad PITR timestamp', insertChild(lines, from, "pointInTimeRecovery: {restoreToTimestamp: '2024-01-15 10:30'}"));
    }
    const instances = find(lines, /^ {2}instances:/);
    if (instances >= 0) {
      const copy = [...lines];
      copy.splice(instances, 1);
      add('missing required field', { text: copy.join('\n'), line: spec });
    }
  }
  if (kind === 'SGBackup') {
    add('wrong type', replaceOn(find(lines, /managedLifecycle:/), /managedLifecycle:.*$/, 'managedLifecycle: sometimes'));
  }
  return out;
}
