/** Reading our JSON schemas by manifest path. */
import type { PathSegment } from './locate';
import { isRecord } from './manifest';

type Schema = Record<string, unknown>;

export function schemaAt(schema: Schema, path: readonly PathSegment[]): Schema | undefined {
  let s: Schema | undefined = schema;
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === 'number') {
      s = isRecord(s.items) ? (s.items as Schema) : undefined;
    } else {
      const props = isRecord(s.properties) ? (s.properties as Record<string, Schema>) : undefined;
      s = props?.[seg] ?? (isRecord(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined);
    }
  }
  return s;
}

/** Whether the field at `path` is in its parent's `required` list. */
export function isRequired(schema: Schema, path: readonly PathSegment[]): boolean {
  const key = path[path.length - 1];
  const parent = schemaAt(schema, path.slice(0, -1));
  return typeof key === 'string' && Array.isArray(parent?.required) && parent.required.includes(key);
}
