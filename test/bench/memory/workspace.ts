/**
 * Inputs of the memory benchmark: one huge StackGres document, and a GitOps-like workspace where most YAML
 * is plain Kubernetes (Deployments) and a few files hold StackGres objects and Secrets.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The file opened in both workspaces while the scan runs. */
export const OPENED_CLUSTER = `apiVersion: stackgres.io/v1
kind: SGCluster
metadata:
  name: opened
  namespace: team-0
spec:
  instances: 2
  postgres: {version: '16'}
  pods: {persistentVolume: {size: 10Gi}}
  configurations:
    backups:
    - sgObjectStorage: storage-0
      cronSchedule: '0 5 * * *'
      retention: 5
`;

/**
 * One SGCluster made `bytes` long by 2 KB annotations (long values: yaml-language-server's check time grows
 * with the number of nodes, and this measures memory, not that); `editLines` are places in values to type into.
 */
export function hugeDocument(bytes: number): { text: string; editLines: { line: number; character: number }[] } {
  const head = 'apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata:\n  name: huge\n  namespace: prod\n  annotations:\n';
  const tail = "spec:\n  instances: 1\n  postgres: {version: '16'}\n  pods: {persistentVolume: {size: 10Gi}}\n";
  const lines: string[] = [];
  let size = head.length + tail.length;
  for (let i = 0; size < bytes; i++) {
    const line = `    example.com/note-${String(i).padStart(4, '0')}: ${'abcdefghij'.repeat(200)}\n`;
    lines.push(line);
    size += line.length;
  }
  const first = head.split('\n').length - 1;
  const valueAt = lines[0].indexOf(': ') + 2;
  const editLines = Array.from({ length: 100 }, (_, i) => ({ line: first + Math.floor((i * lines.length) / 100), character: valueAt + 1 + (i % 50) }));
  return { text: head + lines.join('') + tail, editLines };
}

function deployment(name: string, ns: string, i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels: {app: ${name}, tier: backend, team: team-${i % 40}}
  annotations:
    deployment.kubernetes.io/revision: "${1 + (i % 9)}"
    argocd.argoproj.io/sync-wave: "${i % 5}"
    example.com/owner: platform-team-${i % 40}@example.com
spec:
  replicas: ${1 + (i % 3)}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}, tier: backend}
    spec:
      containers:
      - name: app
        image: registry.example.com/${name}:1.${i % 50}.${i % 7}
        ports: [{containerPort: 8080, name: http}]
        env:
        - {name: LOG_LEVEL, value: info}
        - {name: DB_HOST, value: ${name}-pg.${ns}.svc}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: 500m, memory: 512Mi}
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 10}
        livenessProbe: {httpGet: {path: /livez, port: http}, periodSeconds: 20, failureThreshold: 6}
        volumeMounts: [{name: config, mountPath: /etc/${name}, readOnly: true}]
      volumes:
      - {name: config, configMap: {name: ${name}-config}}
`;
}

function cluster(i: number, ns: string): string {
  return `apiVersion: stackgres.io/v1
kind: SGCluster
metadata:
  name: pg-${i}
  namespace: ${ns}
spec:
  instances: 2
  postgres: {version: '16'}
  pods: {persistentVolume: {size: 20Gi}}
  configurations:
    backups:
    - sgObjectStorage: storage-${i % 10}
      cronSchedule: '0 ${i % 24} * * *'
      retention: 7
---
apiVersion: v1
kind: Secret
metadata:
  name: pg-${i}-backup-creds
  namespace: ${ns}
stringData:
  accessKeyId: placeholder
  secretAccessKey: placeholder
`;
}

/** 5,000 files: 200 with an SGCluster and its Secret, 4,800 with four Deployments each (~20 MB). */
export function gitOpsWorkspace(root: string): { files: number; bytes: number; clusters: number; secrets: number; deployments: number } {
  let files = 0;
  let bytes = 0;
  let deployments = 0;
  const write = (rel: string, text: string) => {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    files++;
    bytes += text.length;
  };
  write('cluster.yaml', OPENED_CLUSTER);
  for (let i = 0; i < 199; i++) write(`teams/team-${i % 40}/postgres/pg-${i}.yaml`, cluster(i, `team-${i % 40}`));
  for (let i = 0; i < 4800; i++) {
    const ns = `team-${i % 40}`;
    const docs = Array.from({ length: 4 }, (_, k) => deployment(`svc-${i}-${k}`, ns, i * 4 + k));
    deployments += docs.length;
    write(`teams/${ns}/apps/app-${i}/deployments.yaml`, docs.join('---\n'));
  }
  return { files, bytes, clusters: 200, secrets: 199, deployments };
}
