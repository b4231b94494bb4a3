/**
 * Applying manifests to a cluster, the parts that need no cluster: which documents may be applied, in
 * which order, where an API error about a field belongs in the YAML, and how the live object and the
 * dry-run result are shown side by side (without the bookkeeping fields the server adds). Pure: no I/O.
 */
import { stringify } from 'yaml';
import { kindInfo, KINDS } from './kinds';
import { locate, PathSegment } from './locate';
import { isRecord, Manifest, Range } from './manifest';
import { get } from './rules/types';
import { commentText } from './scriptText';

/** What the apply command writes: the StackGres kinds and the core objects their manifests come with. */
export const APPLIED_KINDS: readonly string[] = [...KINDS.map((k) => k.kind), 'Secret', 'Namespace'];

/** Namespaces first, then what others refer to (Secrets, storages), then clusters, then backups and operations. */
const ORDER: Readonly<Record<string, number>> = {
  Namespace: 0,
  Secret: 1,
  SGObjectStorage: 2,
  SGCluster: 3,
  SGShardedCluster: 3,
  SGBackup: 4,
  SGShardedBackup: 4,
  SGDbOps: 5,
};

export function applyOrder(kind: string | undefined): number {
  return kind !== undefined && Object.prototype.hasOwnProperty.call(ORDER, kind) ? ORDER[kind] : 9;
}

/** A document holds nothing to apply (only comments or blank lines). */
export function isEmptyDocument(m: Manifest): boolean {
  return (m.value === null || m.value === undefined) && m.doc.errors.length === 0 && !m.helmTemplate;
}

/** Why a document cannot be applied as it is, in one sentence; undefined when it can. */
export function applyRefusal(m: Manifest): string | undefined {
  if (m.helmTemplate) return 'is a Helm template: render it first (`helm template`) and apply the output.';
  if (m.doc.errors.length) return `is not valid YAML (${m.doc.errors[0].message.split('\n')[0]}).`;
  if (!isRecord(m.value)) return 'is not a Kubernetes object (a mapping with apiVersion, kind and metadata).';
  const missing = [!m.apiVersion && 'apiVersion', !m.kind && 'kind', !m.name && 'metadata.name'].filter(Boolean);
  if (missing.length) return `has no ${missing.join(', ')}.`;
  if (!APPLIED_KINDS.includes(m.kind!)) {
    return `is a ${m.kind}: this command applies StackGres kinds, Secrets and Namespaces only (use kubectl for the rest).`;
  }
  const info = kindInfo(m.kind);
  if (info && m.apiVersion !== info.apiVersion) return `has apiVersion ${m.apiVersion}; the StackGres operator serves ${m.kind} as ${info.apiVersion}.`;
  if (!info && m.apiVersion !== 'v1') return `has apiVersion ${m.apiVersion}; ${m.kind} is served as v1.`;
  return undefined;
}

/** Which namespace a document goes to: its own, else the context's. Namespaces themselves have none. */
export function targetNamespace(m: Manifest, contextNamespace: string): { namespace?: string; fromContext: boolean } {
  if (m.kind === 'Namespace') return { fromContext: false };
  return m.namespace ? { namespace: m.namespace, fromContext: false } : { namespace: contextNamespace, fromContext: true };
}

/** `SGCluster demo/main`, `Namespace demo`. */
export function objectLabel(kind: string | undefined, namespace: string | undefined, name: string | undefined): string {
  return `${kind ?? 'Object'} ${namespace ? `${namespace}/` : ''}${name ?? '(no name)'}`;
}

// ---- field paths of API errors ----------------------------------------------------------------------

/**
 * A field path as the API server names it, resolved against the document's value:
 * `spec.configurations.backups[0].retention`, `.spec.instances` (apply conflicts), `data[accessKeyId]`,
 * `.spec.containers[name="pg"].image` (lists keyed by field), `.metadata.labels.app.kubernetes.io/name`
 * (map keys holding dots: the longest key the document has wins).
 */
export function parseFieldPath(field: string, value?: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  let text = field.trim().replace(/^\./, '');
  let current: unknown = value;
  while (text.length) {
    if (text.startsWith('.')) {
      text = text.slice(1);
      continue;
    }
    if (text.startsWith('[')) {
      const end = closingBracket(text);
      const inner = text.slice(1, end);
      text = text.slice(end + 1);
      const seg = bracketSegment(inner, current);
      if (seg === undefined) break;
      path.push(seg);
      current = get(current, [seg]);
      continue;
    }
    const stop = text.search(/\[/);
    const run = stop === -1 ? text : text.slice(0, stop);
    const parts = run.split('.');
    let take = 1;
    if (isRecord(current)) {
      for (let j = parts.length; j > 1; j--) {
        if (Object.prototype.hasOwnProperty.call(current, parts.slice(0, j).join('.'))) {
          take = j;
          break;
        }
      }
    }
    const key = parts.slice(0, take).join('.');
    if (key !== '') path.push(key);
    current = get(current, [key]);
    text = text.slice(key.length);
  }
  return path;
}

function closingBracket(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ']' && !quoted) return i;
  }
  return text.length;
}

/** `0` → 0; `name="pg"` → the index of the item whose name is pg; `accessKeyId` → the map key. */
function bracketSegment(inner: string, current: unknown): PathSegment | undefined {
  if (/^\d+$/.test(inner)) return Number(inner);
  const pairs = [...inner.matchAll(/([\w.-]+)=("((?:[^"\\]|\\.)*)"|[^,]*)/g)].map((m) => [m[1], m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]] as const);
  if (pairs.length) {
    if (!Array.isArray(current)) return undefined;
    const index = current.findIndex((item) => pairs.every(([k, v]) => String(get(item, [k])) === v));
    return index >= 0 ? index : undefined;
  }
  // A set item (`[value]`) in a list of scalars, or a map key in brackets.
  if (Array.isArray(current)) {
    const index = current.findIndex((item) => String(item) === inner);
    return index >= 0 ? index : undefined;
  }
  return inner.replace(/^"(.*)"$/, '$1');
}

/**
 * Where a rejection without a field belongs: the StackGres webhooks' hand-written validators answer with a
 * plain message (the operator's validation package). Also reads the field from a `spec.x: message` summary.
 */
export function fieldOfMessage(kind: string | undefined, message: string, value?: unknown): PathSegment[] | undefined {
  const text = message.replace(/^.*denied the request: /, '');
  const storage = /If storage type is (\w+), (?:the \w+ property must be set|neither ([\w, ]+?) must be set|you must set)/.exec(text);
  if (storage) {
    if (/you must set/.test(text)) return ['spec', storage[1], 'awsCredentials'];
    if (storage[2]) {
      const extra = storage[2].split(/,\s*|\s+or\s+/).map((s) => s.trim()).find((s) => s && get(value, ['spec', s]) !== undefined);
      if (extra) return ['spec', extra];
    }
    return ['spec', 'type'];
  }
  if (/^Invalid storage type/.test(text)) return ['spec', 'type'];
  const fixed: [RegExp, PathSegment[]][] = [
    [/sgCluster can not be updated/, ['spec', 'sgCluster']],
    [/sgShardedCluster can not be updated/, ['spec', 'sgShardedCluster']],
    [/Update of backups name is forbidden/, ['status', 'internalName']],
    [/Update of backups config is forbidden/, ['status', 'sgBackupConfig']],
    [/Update of backups information is forbidden/, ['status', kind === 'SGShardedBackup' ? 'sgBackups' : 'backupInformation']],
    [/Update of referenced backups is forbidden/, ['status', 'sgBackups']],
    [/Cannot update (SGCluster's )?restore configuration/, ['spec', 'initialData', 'restore']],
  ];
  for (const [re, path] of fixed) if (re.test(text)) return path;
  const summary = /^((?:metadata|spec|status|data|stringData)(?:[.[][^\s:]*)?): /.exec(text);
  if (summary) return parseFieldPath(summary[1], value);
  return undefined;
}

/** `unknown field "spec.foo"` (a Warning header) → `spec.foo`. */
export function unknownFieldOfWarning(warning: string): string | undefined {
  return /unknown field "([^"]+)"/.exec(warning)?.[1];
}

/**
 * The range, in file lines, an API error about `path` should underline: the field when the document has
 * it, its deepest present parent when not, else the document's `kind:` line.
 */
export function rangeOfPath(m: Manifest, path: readonly PathSegment[] | undefined): Range {
  const found = path?.length ? locate(m, path) : undefined;
  const range = found && found.depth > 0 ? found.range : locate(m, ['kind']).range;
  return shift(range, m.chunk.startLine);
}

/** The range for an API error cause (`field` as the server names it; empty when it named none). */
export function rangeOfCause(m: Manifest, field: string | undefined, message = ''): Range {
  const path = field ? parseFieldPath(field, m.value) : fieldOfMessage(m.kind, message, m.value);
  return rangeOfPath(m, path);
}

function shift(r: Range, lines: number): Range {
  return { start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } };
}

/**
 * A rejection as a diagnostic on the line says: the reason alone (the line names the object) and who gave
 * it: `… must be set (rejected by the cluster's StackGres admission webhook, context "prod")`.
 */
export function rejectionText(message: string, context: string): string {
  const reason = /^The cluster rejected [^:]*: ([\s\S]*)$/.exec(message)?.[1] ?? message;
  const webhook = /admission webhook "[^"]+" denied the request: /;
  const who = webhook.test(reason) ? "the cluster's StackGres admission webhook" : 'the cluster';
  return `${reason.replace(webhook, '')} (rejected by ${who}, context "${context}")`;
}

// ---- live vs result ---------------------------------------------------------------------------------

const NOISY_METADATA = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'];
const NOISY_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

/**
 * The object as a reviewer wants to compare it: no server bookkeeping, no status (unless the manifest
 * sets status itself, as SGBackup copies do), Secret values hidden.
 */
export function reviewable(object: unknown, options: { keepStatus?: boolean } = {}): Record<string, unknown> | undefined {
  if (!isRecord(object)) return undefined;
  const out: Record<string, unknown> = { ...object };
  if (isRecord(out.metadata)) {
    const metadata: Record<string, unknown> = { ...out.metadata };
    for (const k of NOISY_METADATA) delete metadata[k];
    if (isRecord(metadata.annotations)) {
      const annotations = { ...metadata.annotations };
      for (const k of NOISY_ANNOTATIONS) delete annotations[k];
      if (Object.keys(annotations).length) metadata.annotations = annotations;
      else delete metadata.annotations;
    }
    out.metadata = metadata;
  }
  if (!options.keepStatus) delete out.status;
  if (out.kind === 'Secret') {
    const keys = new Set<string>([...(Array.isArray(out.keys) ? out.keys.map(String) : []), ...keysOf(out.data), ...keysOf(out.stringData)]);
    delete out.keys;
    delete out.stringData;
    if (keys.size) out.data = Object.fromEntries([...keys].sort().map((k) => [k, HIDDEN]));
    else delete out.data;
  }
  return out;
}

export const HIDDEN = '(value hidden)';

function keysOf(v: unknown): string[] {
  return isRecord(v) ? Object.keys(v) : [];
}

export type Change = 'created' | 'changed' | 'unchanged';

/** What applying does to one object, from its reviewable live state (undefined = absent) and the dry-run result. */
export function changeOf(live: Record<string, unknown> | undefined, result: Record<string, unknown> | undefined): Change {
  if (!live) return 'created';
  return stableJson(live) === stableJson(result) ? 'unchanged' : 'changed';
}

function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (isRecord(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
}

export interface ReviewedObject {
  readonly label: string;
  readonly live?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  /** Said in both panes, e.g. that Secret values are not shown. */
  readonly note?: string;
}

/** The two sides of the diff, one YAML document per object in the same order, each under the same header. */
export function diffSides(objects: readonly ReviewedObject[]): { live: string; result: string } {
  const side = (pick: (o: ReviewedObject) => Record<string, unknown> | undefined, absent: string): string =>
    objects
      .map((o) => {
        const header = `# ${commentText(`${o.label}${o.note ? ` (${o.note})` : ''}`)}\n`;
        const v = pick(o);
        return header + (v ? stringify(v, { lineWidth: 0 }) : `# ${absent}\n`);
      })
      .join('---\n');
  return { live: side((o) => o.live, 'does not exist yet'), result: side((o) => o.result, 'not applied') };
}

/** `2 created, 1 changed, 3 unchanged`. */
export function summaryLine(changes: readonly Change[]): string {
  const count = (c: Change): number => changes.filter((x) => x === c).length;
  return (['created', 'changed', 'unchanged'] as const)
    .filter((c) => count(c) > 0)
    .map((c) => `${count(c)} ${c}`)
    .join(', ');
}
