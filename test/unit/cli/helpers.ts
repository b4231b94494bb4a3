/** Fixtures and an in-process run of the command line, shared by the CLI's tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../cli/src/main';
import type { CliIo } from '../../../cli/src/io';

export const SCHEMAS = path.resolve(__dirname, '../../../schemas');

export const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: s3-backup-secret
stringData:
  accessKeyId: REPLACE_ME
  secretAccessKey: REPLACE_ME
`;

export const STORAGE = `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata:
  name: objectstorage
spec:
  type: s3
  s3:
    bucket: my-stackgres-bucket
    awsCredentials:
      secretKeySelectors:
        accessKeyId: {name: s3-backup-secret, key: accessKeyId}
        secretAccessKey: {name: s3-backup-secret, key: secretAccessKey}
`;

export const CLUSTER = `apiVersion: stackgres.io/v1
kind: SGCluster
metadata:
  name: db
spec:
  instances: 1
  postgres:
    version: '16'
  pods:
    persistentVolume:
      size: 5Gi
  configurations:
    backups:
    - sgObjectStorage: objectstorage
      cronSchedule: '0 5 * * *'
`;

/** Two errors: no `type` beside an `s3` section (line 5) and a lower-case storage class (line 8). */
export const BAD_STORAGE = STORAGE.replace('  type: s3\n', '').replace('bucket: my-stackgres-bucket', 'bucket: my-stackgres-bucket\n    storageClass: standard_ia').replace('name: objectstorage', 'name: bad');

/** Only a warning: a leading slash in the backups path. */
export const WARNING_ONLY = CLUSTER.replace("cronSchedule: '0 5 * * *'", "cronSchedule: '0 5 * * *'\n      path: /backups");

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function lint(cwd: string, ...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { cwd, stdout: (t) => out.push(t), stderr: (t) => err.push(t), schemasDir: SCHEMAS };
  const code = await main(['lint', ...args], io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

export function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

