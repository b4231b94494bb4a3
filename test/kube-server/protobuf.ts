// Just enough of the Kubernetes protobuf encoding to read what kubectl's typed commands send
// (`kubectl create secret|namespace`, `kubectl auth can-i`): the `k8s\0` envelope and the fields of
// Secret, Namespace, ObjectMeta and SelfSubjectAccessReview. Responses are always JSON.

type Fields = Map<number, (bigint | Buffer)[]>;

function varint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      return [result, pos];
    }
    shift += 7n;
  }
}

function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [key, p] = varint(buf, pos);
    pos = p;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Buffer;
    if (wire === 0) {
      [value, pos] = varint(buf, pos);
    } else if (wire === 2) {
      const [len, p2] = varint(buf, pos);
      value = buf.subarray(p2, p2 + Number(len));
      pos = p2 + Number(len);
    } else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
    out.set(no, [...(out.get(no) ?? []), value]);
  }
  return out;
}

const str = (f: Fields, no: number): string | undefined => {
  const v = f.get(no)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const msg = (f: Fields, no: number): Fields | undefined => {
  const v = f.get(no)?.[0];
  return Buffer.isBuffer(v) ? fields(v) : undefined;
};

function map(f: Fields, no: number, asBase64: boolean): Record<string, string> | undefined {
  const entries = f.get(no);
  if (!entries) {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e as Buffer);
    const k = str(kv, 1) ?? '';
    const v = kv.get(2)?.[0];
    out[k] = Buffer.isBuffer(v) ? (asBase64 ? v.toString('base64') : v.toString('utf8')) : '';
  }
  return out;
}

function objectMeta(f: Fields | undefined): Record<string, unknown> {
  if (!f) {
    return {};
  }
  const meta: Record<string, unknown> = {};
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) {
      meta[k] = v;
    }
  };
  set('name', str(f, 1));
  set('generateName', str(f, 2));
  set('namespace', str(f, 3));
  set('labels', map(f, 11, false));
  set('annotations', map(f, 12, false));
  return meta;
}

/** Decodes a `k8s\0`-prefixed body into the JSON shape of the few kinds it knows; undefined otherwise. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> | undefined {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') {
    return undefined;
  }
  const unknown = fields(body.subarray(4));
  const typeMeta = msg(unknown, 1);
  const apiVersion = typeMeta ? str(typeMeta, 1) : undefined;
  const kind = typeMeta ? str(typeMeta, 2) : undefined;
  const raw = unknown.get(2)?.[0];
  if (!Buffer.isBuffer(raw) || !kind) {
    return undefined;
  }
  const f = fields(raw);
  switch (kind) {
    case 'Secret': {
      const out: Record<string, unknown> = { apiVersion, kind, metadata: objectMeta(msg(f, 1)) };
      const data = map(f, 2, true);
      if (data) {
        out.data = data;
      }
      if (str(f, 3)) {
        out.type = str(f, 3);
      }
      const stringData = map(f, 4, false);
      if (stringData) {
        out.stringData = stringData;
      }
      return out;
    }
    case 'Namespace':
      return { apiVersion, kind, metadata: objectMeta(msg(f, 1)) };
    case 'SelfSubjectAccessReview': {
      const spec = msg(f, 2);
      const ra = spec ? msg(spec, 1) : undefined;
      const resourceAttributes = ra
        ? Object.fromEntries(
            (['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'] as const)
              .map((k, i) => [k, str(ra, i + 1)])
              .filter(([, v]) => v !== undefined),
          )
        : undefined;
      return { apiVersion, kind, metadata: {}, spec: resourceAttributes ? { resourceAttributes } : {} };
    }
    default:
      return undefined;
  }
}
