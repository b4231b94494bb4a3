/**
 * The JSON schema of each kind: the bundled one from `schemas/`, or an override (the connected cluster's
 * CRD). `generation` changes whenever a schema changes, so cached results computed with an older schema
 * are not reused.
 *
 * A cluster's CRD is untrusted: one `pattern` can take a regular expression engine minutes on one value,
 * and a regular expression cannot be interrupted on the thread that runs it. So the schema that
 * `text()` gives (the main thread's hover, completion and fallback checks) has the cluster's patterns
 * left out; the whole schema (`clusterText()`) goes only to the worker thread, which is stopped when a
 * check takes too long (schemaChecker.ts).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { convertKind, renderSchema, servedSchema, type JsonSchema } from '@core/crdSchema';
import { kindInfo, KINDS } from '@core/kinds';

export class SchemaStore {
  private readonly texts = new Map<string, string>();
  private readonly parsed = new Map<string, Record<string, unknown>>();
  private readonly overrides = new Map<string, string>();
  /** The cluster's schemas without their patterns, by schema file. */
  private readonly withoutPatterns = new Map<string, string>();
  private gen = 0;

  constructor(private readonly dir: string) {}

  get generation(): number {
    return this.gen;
  }

  /** Schema text for a schema file name from `KindInfo.schemaFile`; safe to use on the main thread. */
  text(file: string): string {
    return this.withoutPatterns.get(file) ?? this.overrides.get(file) ?? this.bundledText(file);
  }

  /** The cluster's whole schema for the kind (patterns included), or undefined when the kind uses ours. */
  clusterText(kind: string): string | undefined {
    const info = kindInfo(kind);
    return info && this.withoutPatterns.has(info.schemaFile) ? this.overrides.get(info.schemaFile) : undefined;
  }

  /** Whether the kind's schema came from the connected cluster (its patterns run only where they can be stopped). */
  fromCluster(kind: string | undefined): boolean {
    const info = kindInfo(kind);
    return info !== undefined && this.withoutPatterns.has(info.schemaFile);
  }

  private bundledText(file: string): string {
    let t = this.texts.get(file);
    if (t === undefined) {
      if (!KINDS.some((k) => k.schemaFile === file)) throw new Error(`No schema named ${file}`);
      t = readFileSync(path.join(this.dir, file), 'utf8');
      this.texts.set(file, t);
    }
    return t;
  }

  schema(kind: string | undefined): Record<string, unknown> | undefined {
    const info = kindInfo(kind);
    if (!info) return undefined;
    let s = this.parsed.get(info.schemaFile);
    if (!s) {
      s = JSON.parse(this.text(info.schemaFile)) as Record<string, unknown>;
      this.parsed.set(info.schemaFile, s);
    }
    return s;
  }

  /**
   * Use the schema of this CRD (as served by a cluster) for its kind, keeping our descriptions; undefined
   * goes back to the bundled schema. Returns what happened, for the log.
   */
  useCrd(kind: string, crd: unknown): 'bundled' | 'cluster' | 'same' | string {
    const info = kindInfo(kind);
    if (!info) return `unknown kind ${kind}`;
    if (crd === undefined || crd === null) {
      this.override(kind, undefined);
      return 'bundled';
    }
    try {
      const bundled = JSON.parse(this.bundledText(info.schemaFile)) as JsonSchema;
      const text = renderSchema(convertKind(info, servedSchema(info, crd), bundled).schema);
      if (text === this.bundledText(info.schemaFile)) {
        this.override(kind, undefined);
        return 'same';
      }
      this.override(kind, text);
      this.withoutPatterns.set(info.schemaFile, JSON.stringify(withoutPatterns(JSON.parse(text))));
      return 'cluster';
    } catch (err) {
      // A CRD from a newer StackGres with constructs we do not convert: keep checking with ours.
      this.override(kind, undefined);
      return `kept the bundled schema (${(err as Error).message})`;
    }
  }

  /** Use this schema for the kind instead of the bundled one; undefined goes back to the bundled one. */
  override(kind: string, schemaText: string | undefined): boolean {
    const info = kindInfo(kind);
    if (!info) return false;
    if (schemaText === undefined) this.overrides.delete(info.schemaFile);
    else this.overrides.set(info.schemaFile, schemaText);
    this.withoutPatterns.delete(info.schemaFile);
    this.parsed.delete(info.schemaFile);
    this.gen++;
    return true;
  }
}

/** Keywords whose value is a schema, or a list or map of schemas. */
const SUBSCHEMAS = new Set(['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', 'contains', 'propertyNames']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependencies']);

/** The schema with every `pattern` keyword (and `patternProperties`) left out; a property named `pattern` stays. */
export function withoutPatterns(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutPatterns);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'pattern' || key === 'patternProperties') continue;
    if (SUBSCHEMAS.has(key)) out[key] = withoutPatterns(value);
    else if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, withoutPatterns(sub)]));
    } else out[key] = value;
  }
  return out;
}
