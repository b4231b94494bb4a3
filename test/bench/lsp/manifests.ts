/**
 * A large, realistic, deterministic StackGres file for the language-server benchmark: per Postgres
 * cluster, its credentials Secret, its SGObjectStorage, the SGCluster with scheduled backups (some restored
 * from a backup, some to a point in time) and its SGBackups with the full status the operator writes.
 * A few deliberate mistakes make sure both servers have something to report.
 */
import { stringify } from 'yaml';
import { mulberry32 } from '../../random';

export interface Mistake {
  /** 0-based line in the file. */
  readonly line: number;
  readonly kind: string;
  readonly what: string;
  /** True when a JSON-schema validator alone can see it (plain yaml-language-server must report it too). */
  readonly schemaVisible: boolean;
}

/** A place to ask for completion or hover: on a field name, or on the value of a field. */
export interface Site {
  readonly line: number;
  readonly character: number;
  readonly on: 'key' | 'value';
  readonly key: string;
  /** The field's value is one of a fixed list (type, compression, storageClass, ...). */
  readonly enumField: boolean;
}

export interface GeneratedFile {
  readonly text: string;
  readonly documents: number;
  readonly lines: number;
  readonly byKind: Readonly<Record<string, number>>;
  readonly mistakes: readonly Mistake[];
  /** Fields of StackGres documents, in file order. */
  readonly sites: readonly Site[];
  /** A line holding `retention: N` in an SGCluster near the middle of the file (the one-line edit). */
  readonly editLine: number;
}

const NAMESPACES = ['payments', 'orders', 'analytics', 'inventory', 'identity', 'reporting', 'billing', 'search'];
const APPS = ['ledger', 'checkout', 'events', 'stock', 'accounts', 'metrics', 'invoices', 'catalog', 'sessions', 'audit', 'shipping', 'pricing'];
const ENUM_FIELDS = new Set(['type', 'compression', 'storageClass', 'method', 'keyTransform', 'mode', 'role', 'flavor', 'fsGroupChangePolicy']);
const PG_VERSIONS = ['15.10', '16.6', '16.8', '17.2', '17.4'];


type Json = Record<string, unknown>;

export function generateStackGresFile(documentCount = 1000, seed = 42): GeneratedFile {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789ABCDEF'[int(0, 15)]).join('');

  const docs: { kind: string; value: Json }[] = [];
  const backupsByNamespace = new Map<string, string[]>();
  let group = 0;
  const baseTime = Date.UTC(2025, 0, 6, 1, 0, 0);

  while (docs.length < documentCount) {
    const ns = NAMESPACES[group % NAMESPACES.length];
    const cluster = `${pick(APPS)}-pg-${String(group).padStart(3, '0')}`;
    const secretName = `${cluster}-backup-creds`;
    const storageName = `${cluster}-storage`;
    const type = pick(['s3', 's3', 's3Compatible', 's3Compatible', 'gcs', 'azureBlob'] as const);
    const encryption = rand() < 0.25 ? pick(['sodium', 'openpgp'] as const) : undefined;

    const secretData: Json = {};
    const sel = (key: string) => ({ name: secretName, key });
    const spec: Json = { type };
    if (type === 's3') {
      const iam = rand() < 0.3;
      spec.s3 = {
        bucket: `acme-${ns}-backups`,
        region: pick(['eu-west-1', 'us-east-1', 'us-west-2', 'ap-southeast-2']),
        storageClass: pick(['STANDARD', 'STANDARD_IA', 'REDUCED_REDUNDANCY']),
        awsCredentials: iam ? { useIAMRole: true } : { secretKeySelectors: { accessKeyId: sel('accessKeyId'), secretAccessKey: sel('secretAccessKey') } },
      };
      if (!iam) Object.assign(secretData, { accessKeyId: 'REPLACE_ME', secretAccessKey: 'REPLACE_ME' });
    } else if (type === 's3Compatible') {
      const ca = rand() < 0.3;
      spec.s3Compatible = {
        bucket: `${ns}-backups`,
        endpoint: pick(['https://minio.storage.svc:9000', 'https://rgw.ceph.internal', 'https://s3.eu-central-1.wasabisys.com']),
        region: pick(['k8s', 'us-east-1', 'eu-central-1']),
        enablePathStyleAddressing: true,
        awsCredentials: {
          secretKeySelectors: { accessKeyId: sel('accessKeyId'), secretAccessKey: sel('secretAccessKey'), ...(ca ? { caCertificate: sel('ca.crt') } : {}) },
        },
      };
      Object.assign(secretData, { accessKeyId: 'REPLACE_ME', secretAccessKey: 'REPLACE_ME', ...(ca ? { 'ca.crt': 'REPLACE_ME' } : {}) });
    } else if (type === 'gcs') {
      const metadata = rand() < 0.4;
      spec.gcs = {
        bucket: `acme-${ns}-pg-backups`,
        gcpCredentials: metadata ? { fetchCredentialsFromMetadataService: true } : { secretKeySelectors: { serviceAccountJSON: sel('gcloudkey') } },
      };
      if (!metadata) secretData.gcloudkey = 'REPLACE_ME';
    } else {
      spec.azureBlob = {
        bucket: `${ns}-pgbackups/${cluster}`,
        azureCredentials: { secretKeySelectors: { storageAccount: sel('storageAccount'), accessKey: sel('accessKey') } },
      };
      Object.assign(secretData, { storageAccount: 'REPLACE_ME', accessKey: 'REPLACE_ME' });
    }
    if (encryption === 'sodium') {
      spec.encryption = { method: 'sodium', sodium: { key: sel('encryptionKey'), keyTransform: pick(['base64', 'hex', 'none']) } };
      secretData.encryptionKey = 'REPLACE_ME';
    } else if (encryption === 'openpgp') {
      spec.encryption = { method: 'openpgp', openpgp: { key: sel('pgpKey'), keyPassphrase: sel('pgpPassphrase') } };
      Object.assign(secretData, { pgpKey: 'REPLACE_ME', pgpPassphrase: 'REPLACE_ME' });
    }

    if (Object.keys(secretData).length > 0) {
      docs.push({
        kind: 'Secret',
        value: { apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: ns, labels: { 'app.kubernetes.io/part-of': cluster } }, type: 'Opaque', stringData: secretData },
      });
    }
    docs.push({
      kind: 'SGObjectStorage',
      value: { apiVersion: 'stackgres.io/v1beta1', kind: 'SGObjectStorage', metadata: { name: storageName, namespace: ns, labels: { 'app.kubernetes.io/part-of': cluster } }, spec },
    });

    const clusterSpec: Json = {
      instances: int(1, 3),
      postgres: { version: pick(PG_VERSIONS), flavor: 'vanilla' },
      sgInstanceProfile: pick(['size-s', 'size-m', 'size-l']),
      pods: { persistentVolume: { size: `${pick([20, 50, 100, 200])}Gi`, storageClass: pick(['standard', 'gp3', 'premium-rwo']) } },
      replication: { mode: pick(['async', 'sync']), role: 'ha-read' },
      configurations: {
        sgPostgresConfig: `${cluster}-pgconfig`,
        backups: [{
          sgObjectStorage: storageName,
          cronSchedule: pick(['0 2 * * *', '30 1 * * *', '0 */6 * * *', '15 3 * * 0', '0 0 * * 1-5']),
          retention: int(3, 14),
          compression: pick(['lz4', 'lzma', 'zstd', 'brotli']),
          ...(rand() < 0.2 ? { path: `sgbackups.stackgres.io/${ns}/${cluster}/${pick(['15', '16', '17'])}` } : {}),
          performance: {
            maxNetworkBandwidth: pick([26214400, 52428800, 104857600]),
            maxDiskBandwidth: pick([26214400, 52428800]),
            uploadDiskConcurrency: int(1, 4),
            uploadConcurrency: int(4, 16),
            downloadConcurrency: int(4, 16),
          },
        }],
      },
    };
    const previous = backupsByNamespace.get(ns);
    if (previous && previous.length > 0 && rand() < 0.2) {
      const fromBackup: Json = { name: pick(previous) };
      if (rand() < 0.5) fromBackup.pointInTimeRecovery = { restoreToTimestamp: new Date(baseTime + int(1, 20) * 86_400_000 + int(0, 86_399) * 1000).toISOString().replace('.000', '') };
      clusterSpec.initialData = { restore: { fromBackup, downloadDiskConcurrency: int(1, 4) } };
    }
    docs.push({
      kind: 'SGCluster',
      value: {
        apiVersion: 'stackgres.io/v1',
        kind: 'SGCluster',
        metadata: { name: cluster, namespace: ns, labels: { 'app.kubernetes.io/name': cluster, team: ns } },
        spec: clusterSpec,
      },
    });

    const systemIdentifier = String(7_300_000_000_000_000_000n + BigInt(int(0, 999_999_999)) * 1000n);
    const pgVersion = (clusterSpec.postgres as Json).version as string;
    const versionNum = `${pgVersion.split('.')[0]}${String(Number(pgVersion.split('.')[1])).padStart(4, '0')}`;
    const compression = ((clusterSpec.configurations as Json).backups as Json[])[0].compression;
    const backups = int(1, 4);
    for (let b = 0; b < backups && docs.length < documentCount; b++) {
      const start = new Date(baseTime + (group * 7 + b) * 86_400_000 + int(0, 3_600) * 1000);
      const stamp = start.toISOString().slice(0, 19).replace(/[T:]/g, '-');
      const name = `${cluster}-${stamp}`;
      const timeline = int(1, 3);
      const wal = `${String(timeline).padStart(8, '0')}${hex(8)}${hex(8)}`;
      const lsnStart = int(100_000_000, 900_000_000);
      const uncompressed = int(50, 5_000) * 1_048_576;
      const outcome = rand();
      const status = outcome < 0.85 ? 'Completed' : outcome < 0.95 ? 'Failed' : 'Running';
      const pod = `${cluster}-backup-${Math.floor(start.getTime() / 1000)}-${hex(5).toLowerCase()}`;
      const iso = (t: number) => new Date(t).toISOString().replace('Z', '000Z');
      const timing = status === 'Running'
        ? { start: iso(start.getTime()) }
        : { start: iso(start.getTime()), end: iso(start.getTime() + int(60, 3_600) * 1000), stored: iso(start.getTime() + int(3_601, 3_700) * 1000) };
      const process: Json = { status, jobPod: pod, managedLifecycle: true, timing };
      if (status === 'Failed') process.failure = 'Backup failed: wal-g backup-push exited with code 1 (could not connect to the object storage)';
      const backupStatus: Json = {
        backupPath: `sgbackups.stackgres.io/${ns}/${cluster}/${pgVersion.split('.')[0]}`,
        process,
        sgBackupConfig: { baseBackups: { compression }, storage: structuredClone(spec) },
      };
      if (status === 'Completed') {
        backupStatus.internalName = `base_${wal}`;
        backupStatus.backupInformation = {
          hostname: `${cluster}-${int(0, 2)}`,
          sourcePod: `${cluster}-${int(0, 2)}`,
          systemIdentifier,
          postgresVersion: versionNum,
          pgData: '/var/lib/postgresql/data',
          size: { uncompressed, compressed: Math.floor(uncompressed / (2 + rand() * 3)) },
          lsn: { start: String(lsnStart), end: String(lsnStart + int(1_000, 900_000)) },
          startWalFile: wal,
          timeline: String(timeline),
          controlData: {
            'pg_control version number': '1300',
            'Database system identifier': systemIdentifier,
            'Database cluster state': 'in production',
            "Latest checkpoint's TimeLineID": String(timeline),
            "Latest checkpoint's REDO WAL file": wal,
            'wal_level setting': 'logical',
            'Data page checksum version': '1',
          },
        };
      }
      docs.push({
        kind: 'SGBackup',
        value: {
          apiVersion: 'stackgres.io/v1',
          kind: 'SGBackup',
          metadata: {
            name,
            namespace: ns,
            annotations: { 'stackgres.io/operatorVersion': '1.18.0', 'stackgres.io/scheduled-backup': 'true' },
            labels: { 'stackgres.io/scheduled-backup': 'true', 'stackgres.io/scheduled-backup-job-name': `${cluster}-backup-${Math.floor(start.getTime() / 1000)}` },
          },
          spec: { sgCluster: cluster, managedLifecycle: true },
          status: backupStatus,
        },
      });
      if (status === 'Completed') {
        const list = backupsByNamespace.get(ns) ?? [];
        list.push(name);
        backupsByNamespace.set(ns, list);
      }
    }
    group++;
  }

  docs.length = documentCount;
  const planted = plantMistakes(docs);
  const texts = docs.map((d) => stringify(d.value, { lineWidth: 0 }));
  const lines: string[] = [];
  const starts: number[] = [];
  for (const t of texts) {
    if (lines.length > 0) lines.push('---');
    starts.push(lines.length);
    lines.push(...t.replace(/\n$/, '').split('\n'));
  }

  const mistakes = planted.map((p) => {
    const at = findLine(lines, starts[p.doc], p.match);
    return { line: at, kind: docs[p.doc].kind, what: p.what, schemaVisible: p.schemaVisible };
  });

  const sites: Site[] = [];
  docs.forEach((d, i) => {
    if (!d.value.apiVersion?.toString().startsWith('stackgres.io/')) return;
    const end = i + 1 < starts.length ? starts[i + 1] - 1 : lines.length;
    for (let l = starts[i]; l < end; l++) {
      const m = /^(\s*(?:- )?)([A-Za-z][\w.-]*):(?: (.+))?$/.exec(lines[l]);
      if (!m) continue;
      const [, indent, key, value] = m;
      if (indent.length === 0) continue;
      sites.push({ line: l, character: indent.length + Math.floor(key.length / 2), on: 'key', key, enumField: ENUM_FIELDS.has(key) });
      if (value !== undefined) sites.push({ line: l, character: lines[l].length, on: 'value', key, enumField: ENUM_FIELDS.has(key) });
    }
  });

  const middle = starts[Math.floor(docs.length / 2)];
  const firstClusterAfterMiddle = docs.findIndex((d, i) => starts[i] >= middle && d.kind === 'SGCluster');
  const editLine = findLine(lines, starts[firstClusterAfterMiddle], /^\s+retention: \d+$/);

  const byKind: Record<string, number> = {};
  for (const d of docs) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  return { text: `${lines.join('\n')}\n`, documents: docs.length, lines: lines.length, byKind, mistakes, sites, editLine };
}

interface Planted {
  readonly doc: number;
  readonly match: RegExp;
  readonly what: string;
  readonly schemaVisible: boolean;
}

/** Edits a few documents spread over the file and says where each mistake is. */
function plantMistakes(docs: { kind: string; value: Json }[]): Planted[] {
  const nth = (kind: string, n: number): number => {
    const all = docs.map((d, i) => (d.kind === kind ? i : -1)).filter((i) => i >= 0);
    return all[Math.floor((n * all.length) / 7) % all.length];
  };
  const get = (v: unknown, ...p: string[]): Json => p.reduce<Json>((o, k) => ((Array.isArray(o) ? o[Number(k)] : o[k]) as Json), v as Json);
  const out: Planted[] = [];
  const storageWith = (type: string, n: number): number => {
    const all = docs.map((d, i) => (d.kind === 'SGObjectStorage' && get(d.value, 'spec').type === type ? i : -1)).filter((i) => i >= 0);
    return all[n % all.length];
  };

  let i = nth('SGCluster', 1);
  get(docs[i].value, 'spec', 'configurations', 'backups', '0').compression = 'gzip';
  out.push({ doc: i, match: /^\s+compression: gzip$/, what: 'compression: gzip (not lz4, lzma, zstd or brotli)', schemaVisible: true });

  i = nth('SGCluster', 2);
  get(docs[i].value, 'spec', 'configurations', 'backups', '0').retention = 'seven';
  out.push({ doc: i, match: /^\s+retention: seven$/, what: 'retention: seven (not an integer)', schemaVisible: true });

  i = nth('SGCluster', 3);
  const entry = get(docs[i].value, 'spec', 'configurations', 'backups', '0');
  entry.retension = entry.retention;
  delete entry.retention;
  out.push({ doc: i, match: /^\s+retension: \d+$/, what: 'retension: misspelt field', schemaVisible: true });

  i = nth('SGCluster', 4);
  get(docs[i].value, 'spec', 'configurations', 'backups', '0').cronSchedule = '0 25 * * *';
  out.push({ doc: i, match: /^\s+cronSchedule: 0 25 \* \* \*$/, what: "cronSchedule: '0 25 * * *' (hour 25)", schemaVisible: false });

  i = nth('SGCluster', 5);
  get(docs[i].value, 'spec', 'configurations', 'backups', '0').cronSchedule = '0 0 31 2 *';
  out.push({ doc: i, match: /^\s+cronSchedule: 0 0 31 2 \*$/, what: "cronSchedule: '0 0 31 2 *' (never fires)", schemaVisible: false });

  i = storageWith('s3Compatible', 3);
  get(docs[i].value, 'spec').type = 's3compatible';
  out.push({ doc: i, match: /^\s+type: s3compatible$/, what: 'type: s3compatible (wrong case)', schemaVisible: true });

  i = storageWith('s3', 5);
  get(docs[i].value, 'spec', 's3').storageClass = 'standard';
  out.push({ doc: i, match: /^\s+storageClass: standard$/, what: 'storageClass: standard (case-sensitive)', schemaVisible: true });

  i = storageWith('s3Compatible', 7);
  get(docs[i].value, 'spec', 's3Compatible').endpoint = 'minio.storage.svc:9000';
  out.push({ doc: i, match: /^\s+endpoint: minio\.storage\.svc:9000$/, what: 'endpoint without http(s)://', schemaVisible: false });

  i = nth('SGBackup', 6);
  get(docs[i].value, 'spec').managedLifecycle = 'yes';
  out.push({ doc: i, match: /^\s+managedLifecycle: yes$/, what: 'managedLifecycle: yes (a string, not a boolean)', schemaVisible: true });

  return out;
}

function findLine(lines: readonly string[], from: number, match: RegExp): number {
  for (let l = from; l < lines.length; l++) {
    if (l > from && lines[l] === '---') break;
    if (match.test(lines[l])) return l;
  }
  throw new Error(`generator: no line matching ${match} in the document at line ${from}`);
}
