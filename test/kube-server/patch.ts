// JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Strategic merge patch is treated as a
// merge patch: the StackGres CRDs declare no patch strategies, so lists are replaced either way.
import { KubeError, badRequest } from './status';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) {
    return structuredClone(patch);
  }
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete out[k];
    } else {
      out[k] = mergePatch(out[k], v);
    }
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function pointer(path: string): string[] {
  if (path === '') {
    return [];
  }
  if (!path.startsWith('/')) {
    throw patchError(`invalid JSON pointer: ${JSON.stringify(path)}`);
  }
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function patchError(message: string): KubeError {
  return new KubeError(422, 'Invalid', message, { causes: [{ reason: 'FieldValueInvalid', message }] });
}

function parentOf(doc: unknown, parts: string[], op: string, path: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) {
      cur = cur[Number(p)];
    } else if (isPlainObject(cur)) {
      cur = cur[p];
    } else {
      cur = undefined;
    }
    if (cur === undefined) {
      throw patchError(`jsonpatch ${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}`);
    }
  }
  if (!Array.isArray(cur) && !isPlainObject(cur)) {
    throw patchError(`jsonpatch ${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}`);
  }
  return { parent: cur, key: parts[parts.length - 1] };
}

function getPointer(doc: unknown, path: string, op: string): unknown {
  let cur: unknown = doc;
  for (const p of pointer(path)) {
    if (Array.isArray(cur)) {
      cur = cur[Number(p)];
    } else if (isPlainObject(cur)) {
      cur = Object.prototype.hasOwnProperty.call(cur, p) ? cur[p] : undefined;
    } else {
      cur = undefined;
    }
    if (cur === undefined) {
      throw patchError(`jsonpatch ${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}`);
    }
  }
  return cur;
}

function addAt(doc: unknown, path: string, value: unknown, op: string): unknown {
  const parts = pointer(path);
  if (parts.length === 0) {
    return value;
  }
  const { parent, key } = parentOf(doc, parts, op, path);
  if (Array.isArray(parent)) {
    const idx = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) {
      throw patchError(`jsonpatch ${op} operation does not apply: index out of bounds in ${JSON.stringify(path)}`);
    }
    parent.splice(idx, 0, value);
  } else {
    parent[key] = value;
  }
  return doc;
}

function removeAt(doc: unknown, path: string, op: string): unknown {
  const parts = pointer(path);
  const { parent, key } = parentOf(doc, parts, op, path);
  if (Array.isArray(parent)) {
    const idx = Number(key);
    if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length) {
      throw patchError(`jsonpatch ${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}`);
    }
    return parent.splice(idx, 1)[0];
  }
  if (!Object.prototype.hasOwnProperty.call(parent, key)) {
    throw patchError(`jsonpatch ${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}`);
  }
  const old = parent[key];
  delete parent[key];
  return old;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  let doc = structuredClone(target);
  for (const raw of ops as JsonPatchOp[]) {
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, raw.path, structuredClone(raw.value), 'add');
        break;
      case 'remove':
        removeAt(doc, raw.path, 'remove');
        break;
      case 'replace':
        removeAt(doc, raw.path, 'replace');
        doc = addAt(doc, raw.path, structuredClone(raw.value), 'replace');
        break;
      case 'move': {
        const v = removeAt(doc, raw.from ?? '', 'move');
        doc = addAt(doc, raw.path, v, 'move');
        break;
      }
      case 'copy':
        doc = addAt(doc, raw.path, structuredClone(getPointer(doc, raw.from ?? '', 'copy')), 'copy');
        break;
      case 'test':
        if (JSON.stringify(getPointer(doc, raw.path, 'test')) !== JSON.stringify(raw.value)) {
          throw patchError(`testing value ${JSON.stringify(raw.path)} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${String(raw.op)}`);
    }
  }
  return doc;
}
