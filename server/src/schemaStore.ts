/**
 * The JSON schema of each kind: the bundled one from `schemas/`, or an override (the connected cluster's
 * CRD). `generation` changes whenever a schema changes, so cached results computed with an older schema
 * are not reused.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { convertKind, renderSchema, servedSchema, type JsonSchema } from './domain/crdSchema';
import { kindInfo, KINDS } from './domain/kinds';

export class SchemaStore {
  private readonly texts = new Map<string, string>();
  private readonly parsed = new Map<string, Record<string, unknown>>();
  private readonly overrides = new Map<string, string>();
  private gen = 0;

  constructor(private readonly dir: string) {}

  get generation(): number {
    return this.gen;
  }

  /** Schema text for a schema file name from `KindInfo.schemaFile`. */
  text(file: string): string {
    const override = this.overrides.get(file);
    if (override !== undefined) return override;
    return this.bundledText(file);
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
    this.parsed.delete(info.schemaFile);
    this.gen++;
    return true;
  }
}
