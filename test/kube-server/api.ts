// What the API server does with objects, independent of HTTP: create, update, patch, apply and
// delete through the same pipeline as Kubernetes (mutating admission, structural pruning and
// defaulting, schema validation, validating admission, optimistic concurrency, managedFields).
import * as crypto from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { mutate, validate, type Operation } from './admission';
import type { Clock } from './clock';
import { applyConfig, recordUpdate } from './fieldmanager';
import { jsonPatch, mergePatch } from './patch';
import { NAMESPACES, type KubeObject, type ResourceRegistry, type ResourceType } from './resources';
import { applySchema, validateName } from './schema';
import {
  KubeError,
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  namespaceNotFound,
  notFound,
  successStatus,
  unsupportedMediaType,
  type Status,
  type StatusCause,
} from './status';
import type { Store } from './store';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  force?: boolean;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  created: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** Everything but bookkeeping, to tell real changes from no-op writes. */
function comparable(obj: KubeObject): string {
  const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

function specOf(obj: KubeObject): string {
  const { metadata: _m, ...rest } = obj;
  return JSON.stringify(rest);
}

/** A copy with the schema's defaults filled in, as the API server returns objects read from storage. */
export function withDefaults(type: ResourceType, obj: KubeObject): KubeObject {
  if (!type.schema) {
    return obj;
  }
  const copy = structuredClone(obj);
  applySchema(copy as Record<string, unknown>, type.schema, { prune: false, defaults: true });
  return copy;
}

export class ObjectApi {
  constructor(
    readonly store: Store,
    readonly registry: ResourceRegistry,
    readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock.timestamp();
  }

  namespaceExists(ns: string): boolean {
    return this.store.get(NAMESPACES.storeKey, undefined, ns) !== undefined;
  }

  get(type: ResourceType, ns: string | undefined, name: string): KubeObject {
    const obj = this.store.get(type.storeKey, type.namespaced ? ns : undefined, name);
    if (!obj) {
      throw notFound(type, name);
    }
    return this.present(type, obj);
  }

  /** Objects are stored with their storage apiVersion; served with the requested one. */
  present(type: ResourceType, obj: KubeObject): KubeObject {
    return obj.apiVersion === type.apiVersion ? obj : { ...obj, apiVersion: type.apiVersion };
  }

  private checkBody(type: ResourceType, body: unknown): KubeObject {
    if (!isPlainObject(body)) {
      throw badRequest('the body of the request was in an unknown format');
    }
    const obj = structuredClone(body) as KubeObject;
    if (obj.kind === undefined && obj.apiVersion === undefined && !type.custom) {
      obj.kind = type.kind;
      obj.apiVersion = type.apiVersion;
    }
    if (!obj.kind) {
      throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
    }
    if (!obj.apiVersion) {
      throw badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
    }
    if (obj.kind !== type.kind || obj.apiVersion !== type.apiVersion) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${type.apiVersion}) or the kind (${obj.kind}) does not match ${type.kind}`);
    }
    if (!isPlainObject(obj.metadata)) {
      obj.metadata = {};
    }
    return obj;
  }

  /** Admission, pruning, defaulting and validation shared by every write. Returns pruning warnings. */
  private admit(type: ResourceType, op: Operation, obj: KubeObject, old: KubeObject | undefined, opts: WriteOptions): string[] {
    mutate({ operation: op, type, object: obj, oldObject: old });
    const causes: StatusCause[] = [];
    let unknown: string[] = [];
    const name = obj.metadata.name as string;
    if (op === 'CREATE') {
      causes.push(...validateName(name, type === NAMESPACES));
    }
    if (type.schema) {
      const outcome = applySchema(obj as Record<string, unknown>, type.schema, { prune: true, defaults: true });
      causes.push(...outcome.causes);
      unknown = outcome.unknownFields;
    }
    causes.push(...this.builtinRules(type, obj));
    if (unknown.length > 0 && opts.fieldValidation === 'Strict') {
      throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
    }
    if (causes.length > 0) {
      throw invalid(type, name, causes);
    }
    validate({ operation: op, type, object: obj, oldObject: old });
    return opts.fieldValidation === 'Ignore' ? [] : unknown.map((f) => `unknown field "${f}"`);
  }

  private builtinRules(type: ResourceType, obj: KubeObject): StatusCause[] {
    const causes: StatusCause[] = [];
    if (type === NAMESPACES) {
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name as string };
    }
    if (type.plural === 'secrets' && type.group === '') {
      if (obj.type === undefined) {
        obj.type = 'Opaque';
      }
      const data: Record<string, string> = isPlainObject(obj.data) ? (obj.data as Record<string, string>) : {};
      for (const [k, v] of Object.entries(data)) {
        if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
          causes.push({ field: `data[${k}]`, reason: 'FieldValueInvalid', message: 'Invalid value: "<secret contents redacted>": illegal base64 data' });
        }
      }
      if (isPlainObject(obj.stringData)) {
        for (const [k, v] of Object.entries(obj.stringData)) {
          data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        }
        delete obj.stringData;
      }
      if (Object.keys(data).length > 0) {
        obj.data = data;
      }
    }
    return causes;
  }

  private manager(opts: WriteOptions, userAgent?: string): string {
    return opts.fieldManager ?? (userAgent ? userAgent.split('/')[0] : 'unknown');
  }

  create(type: ResourceType, ns: string | undefined, body: unknown, opts: WriteOptions, userAgent?: string): WriteResult {
    const obj = this.checkBody(type, body);
    const meta = obj.metadata;
    if (type.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ns;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) {
      meta.name = `${meta.generateName}${crypto.randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    if (!meta.name) {
      throw invalid(type, '', [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]);
    }
    return this.createPrepared(type, obj, opts, this.manager(opts, userAgent), undefined);
  }

  private createPrepared(type: ResourceType, obj: KubeObject, opts: WriteOptions, manager: string, applied: KubeObject | undefined): WriteResult {
    const meta = obj.metadata;
    if (type.namespaced && !this.namespaceExists(meta.namespace as string)) {
      throw namespaceNotFound(meta.namespace as string);
    }
    for (const k of SERVER_METADATA) {
      delete meta[k];
    }
    const warnings = this.admit(type, 'CREATE', obj, undefined, opts);
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = this.now();
    if (type.custom) {
      meta.generation = 1;
    }
    if (this.store.get(type.storeKey, meta.namespace, meta.name as string)) {
      throw alreadyExists(type, meta.name as string);
    }
    if (applied) {
      obj.metadata.managedFields = applied.metadata.managedFields;
    } else {
      recordUpdate(undefined, obj, manager, type.apiVersion, meta.creationTimestamp);
    }
    const ordered = this.ordered(type, obj);
    if (!opts.dryRun) {
      this.store.put(type.storeKey, ordered);
    }
    return { object: ordered, warnings, created: true };
  }

  /** apiVersion, kind and metadata first, as the API server writes them. */
  private ordered(type: ResourceType, obj: KubeObject): KubeObject {
    const { apiVersion: _a, kind: _k, metadata, ...rest } = obj;
    return { apiVersion: type.apiVersion, kind: type.kind, metadata, ...rest };
  }

  update(type: ResourceType, ns: string | undefined, name: string, body: unknown, opts: WriteOptions, userAgent?: string): WriteResult {
    const obj = this.checkBody(type, body);
    const existing = this.store.get(type.storeKey, type.namespaced ? ns : undefined, name);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`);
    }
    if (type.namespaced && obj.metadata.namespace !== undefined && obj.metadata.namespace !== '' && obj.metadata.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!existing) {
      throw notFound(type, name);
    }
    const rv = obj.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (type.custom) {
        throw invalid(type, name, [{ field: 'metadata.resourceVersion', reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update' }]);
      }
    } else if (rv !== existing.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    return this.updatePrepared(type, existing, obj, opts, this.manager(opts, userAgent), undefined);
  }

  private updatePrepared(type: ResourceType, stored: KubeObject, obj: KubeObject, opts: WriteOptions, manager: string, applied: KubeObject | undefined): WriteResult {
    // Compare against the stored object as clients see it (defaults filled in), so that defaulting
    // alone never counts as a change or trips the webhooks' immutability checks.
    const existing = withDefaults(type, stored);
    const meta = obj.metadata;
    meta.name = existing.metadata.name;
    if (type.namespaced) {
      meta.namespace = existing.metadata.namespace;
    } else {
      delete meta.namespace;
    }
    for (const k of SERVER_METADATA) {
      delete meta[k];
    }
    meta.uid = existing.metadata.uid;
    meta.creationTimestamp = existing.metadata.creationTimestamp;
    const warnings = this.admit(type, 'UPDATE', obj, existing, opts);
    if (type.custom) {
      meta.generation = (existing.metadata.generation ?? 1) + (specOf(obj) !== specOf(this.ordered(type, existing)) ? 1 : 0);
    }
    const ordered = this.ordered(type, obj);
    if (comparable(ordered) === comparable(this.ordered(type, existing))) {
      return { object: stored, warnings, created: false };
    }
    if (applied) {
      ordered.metadata.managedFields = applied.metadata.managedFields;
    } else {
      ordered.metadata.managedFields = existing.metadata.managedFields;
      recordUpdate(existing, ordered, manager, type.apiVersion, this.now());
    }
    if (!opts.dryRun) {
      this.store.put(type.storeKey, ordered);
    } else {
      ordered.metadata.resourceVersion = existing.metadata.resourceVersion;
    }
    return { object: ordered, warnings, created: false };
  }

  patch(type: ResourceType, ns: string | undefined, name: string, rawBody: string, contentType: string, opts: WriteOptions, userAgent?: string): WriteResult {
    const media = contentType.split(';')[0].trim().toLowerCase();
    if (media === 'application/apply-patch+yaml' || media === 'application/apply-patch+cbor') {
      return this.apply(type, ns, name, rawBody, opts);
    }
    if (opts.force !== undefined) {
      throw badRequest('force flag must be unset for non-apply patch requests');
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const existing = this.store.get(type.storeKey, type.namespaced ? ns : undefined, name);
    if (!existing) {
      throw notFound(type, name);
    }
    let patched: unknown;
    if (media === 'application/json-patch+json') {
      patched = jsonPatch(existing, body);
    } else if (media === 'application/merge-patch+json' || media === 'application/strategic-merge-patch+json') {
      if (!isPlainObject(body)) {
        throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      }
      patched = mergePatch(existing, body);
    } else {
      throw unsupportedMediaType(contentType);
    }
    const obj = this.checkBody(type, patched);
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== existing.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    if (obj.metadata.name !== name) {
      throw invalid(type, name, [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(obj.metadata.name)}: field is immutable` }]);
    }
    return this.updatePrepared(type, existing, obj, opts, this.manager(opts, userAgent), undefined);
  }

  apply(type: ResourceType, ns: string | undefined, name: string, rawBody: string, opts: WriteOptions): WriteResult {
    if (!opts.fieldManager) {
      throw badRequest('PATCH with apply requires the fieldManager parameter: fieldManager is required for apply requests');
    }
    let parsed: unknown;
    try {
      parsed = rawBody.trimStart().startsWith('{') ? JSON.parse(rawBody) : parseYaml(rawBody);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    const config = this.checkBody(type, parsed);
    if (config.metadata.name !== undefined && config.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(config.metadata.name)}) does not match the name on the URL (${name})`);
    }
    if (type.namespaced && config.metadata.namespace !== undefined && config.metadata.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    config.metadata.name = name;
    const existing = this.store.get(type.storeKey, type.namespaced ? ns : undefined, name);
    const rv = config.metadata.resourceVersion;
    if (rv !== undefined && existing && rv !== existing.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    // A uid in the applied object is a precondition, as in kube-apiserver's update path: apply never
    // creates an object in place of the one the caller read, nor changes another one made since.
    const uid = config.metadata.uid;
    if (uid !== undefined && !existing) {
      throw conflict(type, name, `uid mismatch: the provided object specified uid ${String(uid)}, and no existing object was found`);
    }
    if (uid !== undefined && existing && uid !== existing.metadata.uid) {
      throw conflict(type, name, `Precondition failed: UID in precondition: ${String(uid)}, UID in object meta: ${String(existing.metadata.uid)}`);
    }
    const applyBody = structuredClone(config);
    for (const k of SERVER_METADATA) {
      delete applyBody.metadata[k];
    }
    delete applyBody.metadata.name;
    delete applyBody.metadata.namespace;
    const merged = applyConfig(existing, applyBody, opts.fieldManager, opts.force === true, type.apiVersion, this.now());
    merged.metadata.name = name;
    if (type.namespaced) {
      merged.metadata.namespace = ns;
    }
    const managed = { metadata: { managedFields: merged.metadata.managedFields } } as KubeObject;
    if (!existing) {
      return this.createPrepared(type, merged, opts, opts.fieldManager, managed);
    }
    return this.updatePrepared(type, existing, merged, opts, opts.fieldManager, managed);
  }

  delete(type: ResourceType, ns: string | undefined, name: string, body: unknown, opts: WriteOptions): { object: KubeObject | Status } {
    const existing = this.store.get(type.storeKey, type.namespaced ? ns : undefined, name);
    if (!existing) {
      throw notFound(type, name);
    }
    const pre = isPlainObject(body) && isPlainObject(body.preconditions) ? body.preconditions : {};
    if (pre.uid !== undefined && pre.uid !== existing.metadata.uid) {
      throw conflict(type, name, `Precondition failed: UID in precondition: ${String(pre.uid)}, UID in object meta: ${existing.metadata.uid}`);
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${String(pre.resourceVersion)}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`);
    }
    validate({ operation: 'DELETE', type, object: existing });
    if (type === NAMESPACES) {
      const terminating: KubeObject = {
        ...existing,
        metadata: { ...existing.metadata, deletionTimestamp: this.now() },
        status: { phase: 'Terminating' },
      };
      if (!opts.dryRun) {
        for (const t of this.registry.all) {
          if (t.namespaced && this.registry.byStoreKey(t.storeKey) === t) {
            for (const o of this.store.list(t.storeKey, name)) {
              this.store.remove(t.storeKey, name, o.metadata.name as string);
            }
          }
        }
        this.store.remove(type.storeKey, undefined, name);
      }
      return { object: terminating };
    }
    if (!opts.dryRun) {
      this.store.remove(type.storeKey, type.namespaced ? ns : undefined, name);
    }
    if (type.custom) {
      return { object: this.present(type, existing) };
    }
    return { object: successStatus({ name, group: type.group, kind: type.plural, uid: existing.metadata.uid }) };
  }

  /**
   * Writes an object as a controller does, bypassing admission (the simulated operator, seeds).
   * Fills uid, creationTimestamp and generation for new objects; bumps generation on spec changes.
   */
  putInternal(type: ResourceType, obj: KubeObject, manager = 'stackgres-operator'): KubeObject {
    const existing = this.store.get(type.storeKey, obj.metadata.namespace, obj.metadata.name as string);
    const next = this.ordered(type, withDefaults(type, structuredClone(obj)));
    const meta = next.metadata;
    if (existing) {
      meta.uid = existing.metadata.uid;
      meta.creationTimestamp = existing.metadata.creationTimestamp;
      if (type.custom) {
        meta.generation = (existing.metadata.generation ?? 1) + (specOf(next) !== specOf(existing) ? 1 : 0);
      }
      meta.managedFields = existing.metadata.managedFields;
      recordUpdate(existing, next, manager, type.apiVersion, this.now());
    } else {
      meta.uid = meta.uid ?? crypto.randomUUID();
      meta.creationTimestamp = meta.creationTimestamp ?? this.now();
      if (type.custom) {
        meta.generation = meta.generation ?? 1;
      }
      recordUpdate(undefined, next, manager, type.apiVersion, meta.creationTimestamp);
    }
    this.store.put(type.storeKey, next);
    return next;
  }
}

export { KubeError };
