// A small structural-schema engine for CRD openAPIV3Schema: prunes unknown fields, applies defaults
// and validates types, enums, required fields, bounds, lengths and patterns, producing causes and
// messages in the form the Kubernetes API server uses.
import type { JsonSchema } from './crds';
import type { StatusCause } from './status';

export interface SchemaOutcome {
  causes: StatusCause[];
  /** Paths of pruned fields, e.g. `spec.foo`. */
  unknownFields: string[];
}

export interface SchemaOptions {
  prune?: boolean;
  defaults?: boolean;
}

const patternCache = new Map<string, RegExp>();

function compilePattern(p: string): RegExp {
  let re = patternCache.get(p);
  if (!re) {
    try {
      re = new RegExp(p, 'u');
    } catch {
      re = new RegExp(p);
    }
    patternCache.set(p, re);
  }
  return re;
}

function typeName(v: unknown): string {
  if (v === null) {
    return 'null';
  }
  if (Array.isArray(v)) {
    return 'array';
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) ? 'integer' : 'number';
  }
  return typeof v;
}

/** Values printed as the API server prints them: strings quoted, the rest as JSON. */
export function formatValue(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

class Walker {
  readonly causes: StatusCause[] = [];
  readonly unknownFields: string[] = [];
  constructor(private readonly opts: Required<SchemaOptions>) {}

  private add(field: string, reason: string, message: string): void {
    this.causes.push({ reason, message, field });
  }

  private invalid(field: string, value: unknown, detail: string): void {
    this.add(field, 'FieldValueInvalid', `Invalid value: ${formatValue(value)}: ${detail}`);
  }

  checkType(value: unknown, schema: JsonSchema, path: string): boolean {
    const t = schema.type;
    if (value === null) {
      if (schema.nullable) {
        return false;
      }
      if (!t) {
        return false;
      }
      this.add(path, 'FieldValueTypeInvalid', `Invalid value: "null": ${path} in body must be of type ${t}: "null"`);
      return false;
    }
    if (schema['x-kubernetes-int-or-string']) {
      if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
        this.add(path, 'FieldValueTypeInvalid', `Invalid value: "${typeName(value)}": ${path} in body must be of type integer,string: "${typeName(value)}"`);
        return false;
      }
      return true;
    }
    if (!t) {
      return true;
    }
    const actual = typeName(value);
    const ok =
      (t === 'object' && actual === 'object') ||
      (t === 'array' && actual === 'array') ||
      (t === 'string' && actual === 'string') ||
      (t === 'boolean' && actual === 'boolean') ||
      (t === 'integer' && actual === 'integer') ||
      (t === 'number' && (actual === 'integer' || actual === 'number'));
    if (!ok) {
      this.add(path, 'FieldValueTypeInvalid', `Invalid value: "${actual}": ${path} in body must be of type ${t}: "${actual}"`);
    }
    return ok;
  }

  walk(value: unknown, schema: JsonSchema | undefined, path: string): void {
    if (!schema || !this.checkType(value, schema, path)) {
      return;
    }
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
      const supported = schema.enum.map(formatValue).join(', ');
      this.add(path, 'FieldValueNotSupported', `Unsupported value: ${formatValue(value)}: supported values: ${supported}`);
    }
    if (typeof value === 'number') {
      if (schema.minimum !== undefined) {
        if (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum) {
          this.invalid(path, value, `${path} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`);
        }
      }
      if (schema.maximum !== undefined) {
        if (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum) {
          this.invalid(path, value, `${path} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`);
        }
      }
    }
    if (typeof value === 'string') {
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        this.add(path, 'FieldValueTooLong', `Too long: may not be longer than ${schema.maxLength}`);
      }
      if (schema.minLength !== undefined && value.length < schema.minLength) {
        this.invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`);
      }
      if (schema.pattern !== undefined && !compilePattern(schema.pattern).test(value)) {
        this.invalid(path, value, `${path} in body should match '${schema.pattern}'`);
      }
    }
    if (Array.isArray(value)) {
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        this.invalid(path, value.length, `${path} in body should have at least ${schema.minItems} items`);
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        this.add(path, 'FieldValueTooMany', `Too many: ${value.length}: must have at most ${schema.maxItems} items`);
      }
      value.forEach((item, i) => this.walk(item, schema.items, `${path}[${i}]`));
      return;
    }
    if (isPlainObject(value)) {
      this.walkObject(value, schema, path);
    }
  }

  walkObject(value: Record<string, unknown>, schema: JsonSchema, path: string, keep: string[] = []): void {
    const props = schema.properties ?? {};
    const additional = schema.additionalProperties;
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    for (const key of Object.keys(value)) {
      if (keep.includes(key)) {
        continue;
      }
      if (props[key]) {
        this.walk(value[key], props[key], join(path, key));
      } else if (additional && typeof additional === 'object') {
        this.walk(value[key], additional, `${path}[${key}]`);
      } else if (!preserve && additional !== true) {
        this.unknownFields.push(join(path, key));
        if (this.opts.prune) {
          delete value[key];
        }
      }
    }
    if (this.opts.defaults) {
      for (const [key, sub] of Object.entries(props)) {
        if (value[key] === undefined && sub.default !== undefined) {
          value[key] = structuredClone(sub.default);
        }
      }
    }
    for (const req of schema.required ?? []) {
      if (value[req] === undefined || (value[req] === null && !props[req]?.nullable)) {
        this.add(join(path, req), 'FieldValueRequired', 'Required value');
      }
    }
  }
}

/**
 * Validates an object in place against a CRD's openAPIV3Schema. `apiVersion`, `kind` and `metadata`
 * are handled by the server; only `metadata.name` is checked against the schema, as Kubernetes does.
 */
export function applySchema(obj: Record<string, unknown>, schema: JsonSchema, options: SchemaOptions = {}): SchemaOutcome {
  const walker = new Walker({ prune: options.prune ?? true, defaults: options.defaults ?? true });
  const rootSchema: JsonSchema = { ...schema, required: (schema.required ?? []).filter((r) => r !== 'metadata') };
  walker.walkObject(obj, rootSchema, '', ['apiVersion', 'kind', 'metadata']);
  const metaSchema = schema.properties?.metadata;
  const meta = obj.metadata as Record<string, unknown> | undefined;
  if (metaSchema?.properties && meta) {
    for (const key of ['name', 'generateName']) {
      if (meta[key] !== undefined && metaSchema.properties[key]) {
        walker.walk(meta[key], metaSchema.properties[key], `metadata.${key}`);
      }
    }
  }
  return { causes: walker.causes, unknownFields: [...walker.unknownFields].sort() };
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The name checks every object gets (DNS-1123 subdomain; namespaces: DNS-1123 label). */
export function validateName(name: string, label: boolean): StatusCause[] {
  if (label) {
    if (name.length > 63) {
      return [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: must be no more than 63 characters` }];
    }
    if (!DNS1123_LABEL.test(name)) {
      return [
        {
          field: 'metadata.name',
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        },
      ];
    }
    return [];
  }
  if (name.length > 253) {
    return [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: must be no more than 253 characters` }];
  }
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return [
      {
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      },
    ];
  }
  return [];
}
