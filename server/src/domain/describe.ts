/** One-line summaries of objects, for completion lists, hovers and tree tooltips. */
import { isRecord } from './manifest';
import { get } from './rules/types';

export function storageSummary(spec: unknown): string {
  if (!isRecord(spec)) return '';
  const type = typeof spec.type === 'string' ? spec.type : 's3Compatible (default)';
  const section = typeof spec.type === 'string' ? spec[spec.type] : spec.s3Compatible;
  const bucket = get(section, ['bucket']);
  return typeof bucket === 'string' ? `${type}, bucket ${bucket}` : type;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** `server_version_num` such as "160004" → "16"; older "90624" → "9.6". */
export function postgresMajor(versionNum: unknown): string | undefined {
  const s = typeof versionNum === 'number' ? String(versionNum) : typeof versionNum === 'string' ? versionNum : undefined;
  if (!s || !/^\d{5,6}$/.test(s)) return undefined;
  return s.length === 6 ? s.slice(0, 2) : `${s[0]}.${Number(s.slice(1, 3))}`;
}

/** The major of an SGCluster's `spec.postgres.version` ("16.4" → "16", "16" → "16", "latest" → undefined). */
export function clusterMajor(version: unknown): string | undefined {
  const s = typeof version === 'number' ? String(version) : typeof version === 'string' ? version : undefined;
  const m = s ? /^(\d+)(\.\d+)?/.exec(s) : null;
  return m ? m[1] : undefined;
}

export function backupSummary(value: unknown): string {
  const status = get(value, ['status', 'process', 'status']);
  const stored = get(value, ['status', 'process', 'timing', 'stored']);
  const size = get(value, ['status', 'backupInformation', 'size', 'compressed']);
  const major = postgresMajor(get(value, ['status', 'backupInformation', 'postgresVersion']));
  const parts = [
    typeof status === 'string' ? status : 'no status',
    typeof stored === 'string' ? stored.replace(/\.\d+Z$/, 'Z') : undefined,
    typeof size === 'number' ? formatBytes(size) : undefined,
    major ? `PG ${major}` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}
