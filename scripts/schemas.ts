/**
 * Builds `schemas/<kind>.schema.json` (draft-07) from the StackGres CRDs in ../shared/reference.
 *
 *   npx tsx scripts/schemas.ts                         write every schema
 *   npx tsx scripts/schemas.ts --check                 exit 1 if a committed schema is out of date
 *   npx tsx scripts/schemas.ts --add-descriptions F    also set descriptions from F, a JSON file
 *                                                      { "<Kind>": { "<path>": "text" } }
 *
 * Descriptions are ours, never upstream's: the committed schemas are their source of truth, and each run
 * carries them over by path (`spec.configurations.backups[].retention`; `[]` = array items, `{}` = map
 * values). Structure, types and constraints always come from the CRD.
 */
import * as fs from 'fs';
import * as path from 'path';
import { KINDS, type KindInfo } from '@core/kinds';

import {
  convertKind, parseCrd, renderSchema, servedSchema, type CrdVersion, type Descriptions, type JsonSchema,
} from '@core/crdSchema';

export * from '@core/crdSchema';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const CRD_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'reference', 'stackgres-1.18', 'crds');
export const SCHEMA_DIR = path.join(REPO_ROOT, 'schemas');
export function readCrd(info: KindInfo, crdDir = CRD_DIR): CrdVersion {
  return servedSchema(info, parseCrd(fs.readFileSync(path.join(crdDir, `${info.kind}.yaml`), 'utf8')));
}

export interface GeneratedFile {
  kind: string;
  file: string;
  text: string;
  dropped: string[];
}

/** Converts every kind in KINDS, keeping the descriptions of the schemas in `schemaDir`. Writes nothing. */
export function generateAll(
  options: { crdDir?: string; schemaDir?: string; added?: Record<string, Descriptions> } = {},
): GeneratedFile[] {
  const schemaDir = options.schemaDir ?? SCHEMA_DIR;
  const unknownKinds = Object.keys(options.added ?? {}).filter((k) => !KINDS.some((i) => i.kind === k));
  if (unknownKinds.length > 0) throw new Error(`descriptions for unknown kinds: ${unknownKinds.join(', ')}`);
  return KINDS.map((info) => {
    const file = path.join(schemaDir, info.schemaFile);
    const existing = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as JsonSchema) : undefined;
    const crd = readCrd(info, options.crdDir);
    const { schema, dropped } = convertKind(info, crd, existing, options.added?.[info.kind]);
    return { kind: info.kind, file, text: renderSchema(schema), dropped };
  });
}

// ---------------------------------------------------------------------------------------------------------

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const addAt = argv.indexOf('--add-descriptions');
  const added = addAt >= 0 ? (JSON.parse(fs.readFileSync(argv[addAt + 1], 'utf8')) as Record<string, Descriptions>) : undefined;
  const files = generateAll({ added });
  let stale = 0;
  for (const f of files) {
    for (const at of f.dropped) console.warn(`${f.kind}: the CRD no longer has ${at}; its description was dropped`);
    const current = fs.existsSync(f.file) ? fs.readFileSync(f.file, 'utf8') : undefined;
    const rel = path.relative(REPO_ROOT, f.file);
    if (current === f.text) continue;
    if (check) {
      console.error(`${rel} is out of date: run npx tsx scripts/schemas.ts`);
      stale++;
    } else {
      fs.mkdirSync(path.dirname(f.file), { recursive: true });
      fs.writeFileSync(f.file, f.text);
      console.log(`wrote ${rel}`);
    }
  }
  return stale > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
