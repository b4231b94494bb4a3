/**
 * The sandbox the real-editor drivers and the demo connect the extension to: the test Kubernetes API server
 * (test/kube-server, TLS, in this process) with the simulated StackGres operator, and Ceph RGW (test/s3, its
 * daemons stopped by PID) holding wal-g-shaped backups of the sandbox's cluster.
 *
 * The world (namespace `demo`): the kube server's `demo` seed (clusters orders/inventory/analytics, storages,
 * placeholder Secrets, a Completed/Failed history, a copy in `staging`) plus the tutorial's cluster `demo-db`
 * backing up to SGObjectStorage `backups-rgw`, an s3Compatible storage on the RGW bucket whose Secret
 * `backups-rgw-credentials` holds the RGW owner's keys (and `backups-rgw-limited` with the delete-denied user's).
 * The fixture workspace's storage.yaml and secret.yaml (test/fixtures/workspace: `backups-s3` on AWS and
 * `backups-s3-credentials` with placeholder values) are applied too, as a user who followed the tutorial has.
 * Its SGBackups (Completed, scheduled and manual, and one Failed) match base backups in the bucket under the
 * cluster's backup path (`status.internalName`, `status.backupPath`), with WAL and one orphan base backup.
 * While the sandbox runs, a backup of a storage on this RGW that turns Completed gets its wal-g objects written,
 * and a deleted one has them removed, as the real operator's backup job and retention do.
 *
 * The kubeconfig (admin token, CA inline) is written with mode 0600 into the caller's run folder; S3 keys
 * and tokens are only in memory, the sandbox's Secrets and the run configuration. Nothing here prints them.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parse } from 'yaml';
import { storageLocation } from '@core/objectStore';
import { BASEBACKUPS_FOLDER, SENTINEL_SUFFIX, WAL_FOLDER } from '@core/walg';
import type { KubeRunConfig, S3RunConfig, SandboxWorld } from '../integration/runConfig';
import { startKubeServer, type KubeObject, type KubeServer } from '../kube-server';
import type { FaultRule } from '../kube-server/faults';
import { contextName } from '../kube-server/kubeconfig';
import { SECRETS } from '../kube-server/resources';
import { ensureCeph, startRgw, type Rgw } from '../s3/rgw';
import { SEGMENTS_PER_LOG, seedWalg, walSegmentName, type BackupSeed } from '../s3/seed';
import type { ObjectStore } from '../../client/src/storage/objectStore';
import { s3ObjectStore } from '../../client/src/storage/s3';
import { REPO_ROOT } from './bundleSuite';
import { seedWalStories } from './sandboxWal';
import { StepError } from './processes';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface SandboxOptions {
  /** Folder for the kubeconfig and the sandbox's logs (the caller removes it). */
  dir: string;
  /** `required`: fail without Ceph; `optional`: start without S3 and say so; `off`: no S3. */
  s3: 'required' | 'optional' | 'off';
  /** Real milliseconds per simulated operator phase (default 100: fast enough for tests). */
  operatorStepMs?: number;
  /** Simulated seconds per real second for scheduled backups (default 1). */
  timeScale?: number;
  /** Prefix of the namespaces tests create (the driver deletes them); default `sgvscode-it-<random>`. */
  scratchPrefix?: string;
}

export interface Sandbox {
  kube: KubeRunConfig;
  s3?: S3RunConfig;
  server: KubeServer;
  /** One line per part: where it listens, what it holds. */
  summary: string[];
  /** Why S3 is missing, when it is (`optional`). */
  s3Skipped?: string;
  /** The sandbox's log: API requests that failed, operator and mirror activity. */
  logFile: string;
  stop(): Promise<void>;
}

/** Names of the tutorial's objects in the sandbox (the demo's workspace files use them too). */
export const WORLD_NAMES = {
  namespace: 'demo',
  cluster: 'demo-db',
  storage: 'backups-rgw',
  secret: 'backups-rgw-credentials',
  limitedStorage: 'backups-rgw-limited',
  limitedSecret: 'backups-rgw-limited-credentials',
  postgresVersion: '16.4',
  cronSchedule: '0 5 * * *',
} as const;

const SEGMENT_BYTES = 16 * 1024 * 1024;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
type Rec = Record<string, unknown>;

/** Starts both services in parallel, seeds the world and returns what the suite needs to reach them. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const logFile = join(options.dir, 'sandbox.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const line = (text: string): void => void log.write(`${new Date().toISOString()} ${text}\n`);
  const started = Date.now();

  const kubeStep = 'start the sandbox Kubernetes API server';
  const s3Step = 'start Ceph RGW (S3) for the sandbox';
  const kubePromise = startKubeServer({
    tls: true,
    seed: 'demo',
    timeScale: options.timeScale ?? 1,
    // Restore drills take a few seconds: long enough to watch (and photograph) one in progress.
    operator: { stepMs: options.operatorStepMs ?? 100, restore: { baseSeconds: 6, bytesPerSecond: 32 * 1024 * 1024 } },
    bookmarkIntervalMs: 5_000,
    // Requests that failed are worth keeping; the rest would only bury them.
    log: (l) => {
      if (!/ [23]\d\d \S+$/.test(l)) line(`kube: ${l}`);
    },
  }).catch((err: unknown) => {
    throw new StepError(kubeStep, err instanceof Error ? err.message : String(err));
  });
  const s3Promise: Promise<Rgw | string | undefined> =
    options.s3 === 'off'
      ? Promise.resolve(undefined)
      : (options.s3 === 'optional' ? ensureCeph().then(() => startRgw()) : startRgw()).catch((err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          if (options.s3 === 'optional') return message.split('\n')[0];
          throw new StepError(s3Step, message.split('\n')[0], message.split('\n').slice(1).join('\n') || undefined);
        });
  const [kubeResult, s3Result] = await Promise.allSettled([kubePromise, s3Promise]);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((err: unknown) => line(`stop: ${String(err)}`));
    await new Promise<void>((resolve) => log.end(resolve));
  };
  if (kubeResult.status === 'fulfilled') stops.push(() => kubeResult.value.stop());
  if (s3Result.status === 'fulfilled' && s3Result.value && typeof s3Result.value !== 'string') {
    const rgw = s3Result.value;
    stops.push(() => rgw.stop());
  }
  if (kubeResult.status === 'rejected' || s3Result.status === 'rejected') {
    await stopAll();
    throw kubeResult.status === 'rejected' ? kubeResult.reason : (s3Result as PromiseRejectedResult).reason;
  }
  const server = kubeResult.value;
  const rgw = s3Result.status === 'fulfilled' && typeof s3Result.value === 'object' ? s3Result.value : undefined;
  const s3Skipped = s3Result.status === 'fulfilled' && typeof s3Result.value === 'string' ? s3Result.value : undefined;
  line(`kube server ${server.url}; RGW ${rgw ? `${rgw.endpoint} in ${rgw.startMs} ms` : `not started${s3Skipped ? `: ${s3Skipped}` : ''}`}`);

  try {
    const store = rgw ? rgwStore(rgw) : undefined;
    const world = await seedWorld(server, rgw, store);
    if (rgw && store) stops.unshift(mirrorBackups(server, rgw, store, line));
    const control = await startControl(server, line);
    stops.push(control.stop);

    const kubeconfig = join(options.dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, server.kubeconfig({ namespace: WORLD_NAMES.namespace }), { mode: 0o600 });
    const kube: KubeRunConfig = {
      target: 'sandbox',
      kubeconfig,
      context: contextName('stackgres-test', 'admin'),
      url: server.url,
      contexts: Object.fromEntries(Object.keys(server.tokens).map((u) => [u, contextName('stackgres-test', u)])),
      tokens: { ...server.tokens },
      caCert: server.caCert,
      namespaces: ['demo', 'staging'],
      scratchPrefix: options.scratchPrefix ?? `sgvscode-it-${randomBytes(3).toString('hex')}`,
      operatorStepMs: server.operator.stepMs,
      world,
      control: { url: control.url, token: control.token },
    };
    const s3: S3RunConfig | undefined = rgw
      ? { endpoint: rgw.endpoint, region: rgw.region, bucket: rgw.bucket, owner: { ...rgw.owner }, limited: { ...rgw.limited } }
      : undefined;
    const backups = server.store.list('stackgres.io/sgbackups').length;
    const summary = [
      `Kubernetes API ${server.url} (test server, TLS, simulated operator ${server.operator.stepMs} ms/phase${server.clock.timeScale !== 1 ? `, clock ${server.clock.timeScale}× real time` : ''}): namespaces demo, staging; ${backups} SGBackups`,
      rgw
        ? `S3 ${rgw.endpoint} (Ceph RGW, up in ${(rgw.startMs / 1000).toFixed(1)} s): bucket ${rgw.bucket}, ${world.objects?.baseBackups.length ?? 0} wal-g base backups of ${world.namespace}/${world.cluster.name} behind SGObjectStorage ${world.storage.name}`
        : `S3: none${s3Skipped ? ` (${s3Skipped})` : ''}; SGObjectStorage ${world.namespace}/${world.storage.name} points at a placeholder bucket`,
    ];
    line(`sandbox ready in ${Date.now() - started} ms`);
    return { kube, s3, server, summary, s3Skipped, logFile, stop: stopAll };
  } catch (err) {
    await stopAll();
    if (err instanceof StepError) throw err;
    throw new StepError('seed the sandbox (Kubernetes objects and wal-g backups in S3)', err instanceof Error ? err.message : String(err), `see ${logFile} (test runs keep it as test-results/sandbox.log)`);
  }
}

function rgwStore(rgw: Rgw): ObjectStore {
  return s3ObjectStore(rgw.bucket, { endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, credentials: rgw.owner, type: 's3Compatible' });
}

function secretData(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
}

function storageSpec(rgw: Rgw | undefined, secret: string): Rec {
  const keys = {
    secretKeySelectors: {
      accessKeyId: { name: secret, key: 'accessKeyId' },
      secretAccessKey: { name: secret, key: 'secretAccessKey' },
    },
  };
  if (!rgw) return { type: 's3', s3: { bucket: 'my-stackgres-backups', region: 'eu-west-1', awsCredentials: keys } };
  return { type: 's3Compatible', s3Compatible: { bucket: rgw.bucket, endpoint: rgw.endpoint, region: rgw.region, enablePathStyleAddressing: true, awsCredentials: keys } };
}

/** `base_000000010000000000000012` → timeline 1, absolute segment 0x12. */
function parseBaseName(name: string): { timeline: number; segment: number } | undefined {
  const m = /^base_([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})/.exec(name);
  if (!m) return undefined;
  return { timeline: parseInt(m[1], 16), segment: parseInt(m[2], 16) * SEGMENTS_PER_LOG + parseInt(m[3], 16) };
}

function get(o: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Rec | undefined)?.[k], o);
}

/** The tutorial's cluster, its storages, Secrets and backup history; with S3, the matching wal-g objects. */
async function seedWorld(server: KubeServer, rgw: Rgw | undefined, store: ObjectStore | undefined): Promise<SandboxWorld> {
  const n = WORLD_NAMES;
  const ns = n.namespace;
  const seed = server.seed;
  const now = server.clock.now();
  const secret = (name: string, keys: { accessKeyId: string; secretAccessKey: string } | undefined): void => {
    server.api.putInternal(
      SECRETS,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: ns },
        type: 'Opaque',
        data: secretData(keys ? { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey } : { accessKeyId: 'placeholder-accessKeyId', secretAccessKey: 'placeholder-secretAccessKey' }),
      },
      'kubectl-client-side-apply',
    );
  };
  secret(n.secret, rgw?.owner);
  secret(n.limitedSecret, rgw?.limited);
  applyFixtureWorkspace(server);
  const storage = seed.objectStorage(ns, n.storage, storageSpec(rgw, n.secret));
  seed.objectStorage(ns, n.limitedStorage, storageSpec(rgw, n.limitedSecret));
  const retention = 7;
  const cluster = seed.cluster(ns, n.cluster, {
    version: n.postgresVersion,
    instances: 2,
    createdAt: now - 12 * DAY,
    backups: { sgObjectStorage: n.storage, cronSchedule: n.cronSchedule, retention },
  });
  const backupPath = (get(cluster, 'status', 'backupPaths') as string[])[0];

  // Daily scheduled backups at 05:00 UTC for the last five days, a manual one kept outside retention, one Failed.
  const backupsType = server.registry.byStoreKey('stackgres.io/sgbackups');
  if (!backupsType) throw new Error('the kube server serves no sgbackups');
  const today05 = Math.floor(now / DAY) * DAY + 5 * HOUR;
  const last05 = today05 <= now - HOUR ? today05 : today05 - DAY;
  let lsn = 0x9000000;
  const objects: KubeObject[] = [];
  for (let i = 4; i >= 0; i--) {
    lsn += (3 + (i % 3)) * SEGMENT_BYTES;
    objects.push(seed.backupObject(cluster, last05 - i * DAY, { scheduled: true, lsn }));
  }
  lsn += 4 * SEGMENT_BYTES;
  objects.push(seed.backupObject(cluster, now - 40 * 60_000, { name: `${n.cluster}-before-upgrade`, lsn }));
  const failure =
    'Backup failed while perfroming backup-push:\nERROR: 2025/01/01 00:00:00.000000 failed to upload: AccessDenied: Access Denied\n\tstatus code: 403';
  objects.push(seed.backupObject(cluster, now - 20 * 60_000, { name: `${n.cluster}-nightly-check`, failure, lsn }));
  for (const o of objects) server.api.putInternal(backupsType, o);
  // The simulated operator numbers new backups of a cluster from a fixed WAL position; continue after ours
  // so a new backup's wal-g name sorts after the seeded ones (cosmetic: skipped if the operator changes).
  const wal = (server.operator as unknown as { wal?: unknown }).wal;
  if (wal instanceof Map) wal.set(`${ns}/${n.cluster}`, lsn + 2 * SEGMENT_BYTES);

  const completed = objects
    .filter((o) => get(o, 'status', 'process', 'status') === 'Completed')
    .map((o) => ({
      name: String(o.metadata.name),
      internalName: String(get(o, 'status', 'internalName')),
      managedLifecycle: get(o, 'spec', 'managedLifecycle') === true,
      end: Date.parse(String(get(o, 'status', 'process', 'timing', 'end'))),
    }));
  const world: SandboxWorld = {
    namespace: ns,
    cluster: { name: n.cluster, postgresVersion: n.postgresVersion, instances: 2, cronSchedule: n.cronSchedule, retention, storage: n.storage, backupPath },
    storage: { name: n.storage, secret: n.secret },
    limitedStorage: { name: n.limitedStorage, secret: n.limitedSecret },
    completed: completed.sort((a, b) => b.end - a.end).map(({ name, internalName, managedLifecycle }) => ({ name, internalName, managedLifecycle })),
    failed: { name: `${n.cluster}-nightly-check`, failure },
  };
  if (!rgw || !store) return world;

  const location = storageLocation(storage.spec, backupPath);
  if (!location.ok) throw new Error(`the sandbox storage has no location: ${location.error}`);
  const keyPrefix = location.value.keyPrefix;
  const seeds: BackupSeed[] = completed.map((b) => {
    const parsed = parseBaseName(b.internalName);
    if (!parsed) throw new Error(`unexpected wal-g name ${b.internalName}`);
    return { name: b.internalName, timeline: parsed.timeline, startSegment: parsed.segment, finishedAt: new Date(b.end), pgVersion: 160004 };
  });
  seeds.sort((a, b) => a.startSegment - b.startSegment);
  const first = seeds[0];
  const orphanSegment = first.startSegment - 4;
  const orphan: BackupSeed = { name: `base_${walSegmentName(1, orphanSegment)}`, timeline: 1, startSegment: orphanSegment, finishedAt: new Date(first.finishedAt.getTime() - DAY), pgVersion: 160004 };
  const lastSegment = seeds[seeds.length - 1].startSegment + 3;
  await seedWalg(store, keyPrefix, {
    backups: [orphan, ...seeds],
    wal: [{ timeline: 1, from: orphanSegment, count: lastSegment - orphanSegment + 1 }],
    compression: 'lz4',
  });
  // Beside the tutorial's cluster: a bucket path with a WAL gap and one with a timeline switch (sandboxWal.ts).
  await seedWalStories(server, store, ns, storage);
  world.objects = {
    keyPrefix,
    baseBackups: [orphan, ...seeds].map((s) => s.name),
    orphan: orphan.name,
    wal: { first: walSegmentName(1, orphanSegment), last: walSegmentName(1, lastSegment) },
  };
  return world;
}

/**
 * The fixture workspace's SGObjectStorage and Secret, as if applied: the suite's manifests then name objects
 * that exist (live checks find them), with the Secret's values replaced by placeholders.
 */
function applyFixtureWorkspace(server: KubeServer): void {
  const dir = join(REPO_ROOT, 'test', 'fixtures', 'workspace');
  const storage = parse(readFileSync(join(dir, 'storage.yaml'), 'utf8')) as { metadata: { name: string; namespace: string }; spec: Rec };
  server.seed.objectStorage(storage.metadata.namespace, storage.metadata.name, storage.spec);
  const secret = parse(readFileSync(join(dir, 'secret.yaml'), 'utf8')) as { metadata: { name: string; namespace: string }; stringData?: Rec; data?: Rec };
  server.seed.secret(secret.metadata.namespace, secret.metadata.name, Object.keys({ ...secret.data, ...secret.stringData }));
}

/**
 * While the sandbox runs: a backup on a storage of this RGW that turns Completed gets its base backup and WAL
 * up to it written; a deleted Completed backup (retention, the delete command) has its base backup removed.
 */
function mirrorBackups(server: KubeServer, rgw: Rgw, store: ObjectStore, line: (s: string) => void): () => Promise<void> {
  const lastWal = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  const track = (what: string, work: Promise<unknown>): void => {
    const p = work.then(
      () => line(`mirror: ${what}`),
      (err: unknown) => line(`mirror: ${what} FAILED: ${err instanceof Error ? err.message : String(err)}`),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const locate = (o: KubeObject): { keyPrefix: string; base: { timeline: number; segment: number }; internalName: string } | undefined => {
    const spec = get(o, 'status', 'sgBackupConfig', 'storage');
    if (get(spec, 's3Compatible', 'endpoint') !== rgw.endpoint || get(spec, 's3Compatible', 'bucket') !== rgw.bucket) return undefined;
    const internalName = get(o, 'status', 'internalName');
    const base = typeof internalName === 'string' ? parseBaseName(internalName) : undefined;
    const location = storageLocation(spec, get(o, 'status', 'backupPath') as string | undefined);
    if (!base || !location.ok) return undefined;
    return { keyPrefix: location.value.keyPrefix, base, internalName: internalName as string };
  };
  // A restore of a backup on this bucket fails as wal-g's would when its sentinel or its first WAL segment is not there.
  server.operator.restoreFault = async (backup) => {
    const where = locate(backup);
    if (!where) return undefined;
    const { keyPrefix, base, internalName } = where;
    const sentinel = `${keyPrefix}${BASEBACKUPS_FOLDER}${internalName}${SENTINEL_SUFFIX}`;
    if (!(await store.list({ prefix: sentinel, maxKeys: 1 })).objects.length) return `ERROR: Backup '${internalName}' does not exist.`;
    const segment = walSegmentName(base.timeline, base.segment);
    if (!(await store.list({ prefix: `${keyPrefix}${WAL_FOLDER}${segment}`, maxKeys: 1 })).objects.length) {
      return `ERROR: Archive '${segment}' does not exist.\nFATAL: could not locate required checkpoint record (WAL segment ${segment} is missing in the bucket)`;
    }
    return undefined;
  };
  const unsubscribe = server.store.subscribe((e) => {
    if (e.storeKey !== 'stackgres.io/sgbackups') return;
    const completed = (o: KubeObject | undefined) => get(o, 'status', 'process', 'status') === 'Completed';
    if (e.type !== 'DELETED' && completed(e.object) && !completed(e.previous)) {
      const where = locate(e.object);
      if (!where) return;
      const { keyPrefix, base, internalName } = where;
      const end = Date.parse(String(get(e.object, 'status', 'process', 'timing', 'end')));
      const from = (lastWal.get(keyPrefix) ?? base.segment - 1) + 1;
      const to = base.segment + 2;
      lastWal.set(keyPrefix, Math.max(to, lastWal.get(keyPrefix) ?? 0));
      track(
        `wrote ${internalName} for ${e.object.metadata.namespace}/${e.object.metadata.name}`,
        seedWalg(store, keyPrefix, {
          backups: [{ name: internalName, timeline: base.timeline, startSegment: base.segment, finishedAt: new Date(Number.isFinite(end) ? end : Date.now()) }],
          wal: to >= from ? [{ timeline: base.timeline, from, count: to - from + 1 }] : [],
        }),
      );
    } else if (e.type === 'DELETED' && completed(e.object)) {
      const where = locate(e.object);
      if (!where) return;
      const prefix = `${where.keyPrefix}${BASEBACKUPS_FOLDER}${where.internalName}`;
      track(`removed ${where.internalName} of deleted ${e.object.metadata.namespace}/${e.object.metadata.name}`, deletePrefix(store, prefix));
    }
  });
  return async () => {
    unsubscribe();
    server.operator.restoreFault = undefined;
    await Promise.all([...pending]);
  };
}

async function deletePrefix(store: ObjectStore, prefix: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix, cursor, maxKeys: 1000 });
    for (const o of page.objects) await store.delete(o.key);
    cursor = page.nextCursor;
  } while (cursor);
}

/** The test server's knobs over loopback HTTP, for the suite in the extension host (another process). */
async function startControl(server: KubeServer, line: (s: string) => void): Promise<{ url: string; token: string; stop(): Promise<void> }> {
  const token = randomBytes(16).toString('hex');
  const routes: Record<string, (body: Rec) => unknown> = {
    '/faults': (b) => server.faults.inject(b as unknown as FaultRule),
    '/faults/delay': (b) => server.faults.delay(Number(b.ms), { method: b.method as string | undefined, pathPrefix: b.pathPrefix as string | undefined, times: b.times as number | undefined }),
    '/faults/clear': () => server.faults.clear(),
    '/faults/reset-next-watch': (b) => server.faults.resetNextWatch(typeof b.count === 'number' ? b.count : 1),
    '/operator/fail-next': (b) => server.operator.failNext(String(b.message ?? 'Backup failed (injected by the test)')),
    '/operator/hold-next': () => server.operator.holdNext(),
    '/operator/release': () => server.operator.release(),
    '/watches/close-all': () => server.watches.closeAll(),
    '/store/compact': () => server.store.compact(),
  };
  const http: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { error: 'unauthorized' });
      const route = req.method === 'POST' ? routes[req.url ?? ''] : undefined;
      if (!route) return reply(404, { error: `no route ${req.method} ${req.url}; POST one of ${Object.keys(routes).join(', ')}` });
      try {
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Rec) : {};
        route(body);
        line(`control: ${req.url} ${JSON.stringify(body)}`);
        reply(200, { ok: true });
      } catch (err) {
        reply(400, { error: err instanceof Error ? err.message : String(err) });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stop: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
