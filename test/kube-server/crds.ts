// Loads the StackGres CustomResourceDefinitions the server serves. Parsing the large CRD files takes
// about a second, so parsed CRDs are cached per process and in a JSON file under the OS temp folder,
// keyed by each file's path, size and modification time.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REFERENCE_CRD_DIR, REFERENCE_MISSING } from '../reference';

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  default?: unknown;
  description?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  jsonPath: string;
  priority?: number;
  description?: string;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  additionalPrinterColumns?: PrinterColumn[];
  subresources?: Record<string, unknown>;
  schema?: { openAPIV3Schema?: JsonSchema };
}

export interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: unknown };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; listKind?: string; plural: string; singular?: string; shortNames?: string[]; categories?: string[] };
    versions: CrdVersion[];
  };
  status?: unknown;
}

/** The upstream StackGres 1.18 CRDs (test/reference.ts finds them; absent in a plain clone). */
export const DEFAULT_CRD_DIR = REFERENCE_CRD_DIR;

const memoryCache = new Map<string, Crd>();

function cacheFile(file: string, stat: fs.Stats): string {
  const key = crypto.createHash('sha1').update(`${path.resolve(file)}|${stat.size}|${stat.mtimeMs}`).digest('hex');
  return path.join(os.tmpdir(), 'stackgres-kube-server-crds', `${key}.json`);
}

function loadCrdFile(file: string): Crd {
  const stat = fs.statSync(file);
  const cachePath = cacheFile(file, stat);
  const cached = memoryCache.get(cachePath);
  if (cached) {
    return cached;
  }
  let crd: Crd | undefined;
  try {
    crd = JSON.parse(fs.readFileSync(cachePath, 'utf8')) as Crd;
  } catch {
    crd = parseYaml(fs.readFileSync(file, 'utf8')) as Crd;
    try {
      fs.mkdirSync(path.dirname(cachePath), { recursive: true });
      const tmp = `${cachePath}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(crd));
      fs.renameSync(tmp, cachePath);
    } catch {
      // The cache only saves time; a read-only temp folder is fine.
    }
  }
  memoryCache.set(cachePath, crd);
  return crd;
}

/** Every CustomResourceDefinition (`*.yaml`) in a folder, sorted by file name. */
export function loadCrds(dir: string | undefined = DEFAULT_CRD_DIR): Crd[] {
  if (!dir) throw new Error(`The test API server serves the upstream StackGres CRDs: ${REFERENCE_MISSING}`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const crds: Crd[] = [];
  for (const f of files) {
    const crd = loadCrdFile(path.join(dir, f));
    if (crd && crd.kind === 'CustomResourceDefinition' && crd.spec?.group) {
      crds.push(crd);
    }
  }
  return crds;
}
