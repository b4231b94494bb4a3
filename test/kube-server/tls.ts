// Self-signed certificates made with node:crypto alone: a tiny DER encoder builds X.509 v3
// certificates (ECDSA P-256), so no openssl binary is needed.
import * as crypto from 'node:crypto';

function len(n: number): Buffer {
  if (n < 0x80) {
    return Buffer.from([n]);
  }
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(content.length), content]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 + n, content);

function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) {
    i++;
  }
  let v = b.subarray(i);
  if (v[0] & 0x80) {
    v = Buffer.concat([Buffer.from([0]), v]);
  }
  return tlv(0x02, v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const enc: number[] = [p & 0x7f];
    let v = p >> 7;
    while (v > 0) {
      enc.unshift((v & 0x7f) | 0x80);
      v >>= 7;
    }
    bytes.push(...enc);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function bitString(b: Buffer, unused = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
}

function utcTime(d: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

const name = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

export interface KeyPair {
  key: crypto.KeyObject;
  cert: string;
  spki: Buffer;
  subject: string;
}

function pem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.trim()}\n-----END CERTIFICATE-----\n`;
}

function keyId(spki: Buffer): Buffer {
  return crypto.createHash('sha1').update(spki).digest();
}

function ipBytes(ip: string): Buffer {
  if (ip.includes(':')) {
    const full = ip === '::1' ? '0:0:0:0:0:0:0:1' : ip;
    return Buffer.from(full.split(':').flatMap((h) => [parseInt(h, 16) >> 8, parseInt(h, 16) & 0xff]));
  }
  return Buffer.from(ip.split('.').map(Number));
}

function sign(tbs: Buffer, issuerKey: crypto.KeyObject): Buffer {
  const signature = crypto.sign('sha256', tbs, issuerKey);
  return seq(tbs, ECDSA_SHA256, bitString(signature));
}

function newKey(): { privateKey: crypto.KeyObject; spki: Buffer } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

function validity(): Buffer {
  const now = Date.now();
  return seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 365 * 86400_000)));
}

export function makeCa(commonName: string): KeyPair {
  const { privateKey, spki } = newKey();
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(crypto.randomBytes(16)),
    ECDSA_SHA256,
    name(commonName),
    validity(),
    name(commonName),
    spki,
    explicit(
      3,
      seq(
        extension('2.5.29.19', true, seq(bool(true))),
        extension('2.5.29.15', true, bitString(Buffer.from([0x86]), 1)),
        extension('2.5.29.14', false, octets(keyId(spki))),
      ),
    ),
  );
  return { key: privateKey, cert: pem(sign(tbs, privateKey)), spki, subject: commonName };
}

/** A server certificate for `localhost`, 127.0.0.1 and ::1, signed by `ca`. */
export function makeServerCert(ca: KeyPair, hosts: string[] = ['localhost', '127.0.0.1', '::1']): { key: string; cert: string } {
  const { privateKey, spki } = newKey();
  const sans = hosts.map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? tlv(0x87, ipBytes(h)) : tlv(0x82, Buffer.from(h, 'ascii'))));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(crypto.randomBytes(16)),
    ECDSA_SHA256,
    name(ca.subject),
    validity(),
    name('kube-apiserver'),
    spki,
    explicit(
      3,
      seq(
        extension('2.5.29.19', true, seq()),
        extension('2.5.29.15', true, bitString(Buffer.from([0xa0]), 5)),
        extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
        extension('2.5.29.35', false, seq(tlv(0x80, keyId(ca.spki)))),
        extension('2.5.29.17', false, seq(...sans)),
      ),
    ),
  );
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: pem(sign(tbs, ca.key)) };
}
