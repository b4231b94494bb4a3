// Draws images/icon.png (128x128): an elephant-blue rounded square with a white database cylinder and
// a green "restore" arrow. Plain zlib + CRC, so it needs no image library. Run: node scripts/draw-icon.mjs
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';

const size = 128;
const px = new Uint8Array(size * size * 4);

const inRoundedSquare = (x, y, r) => {
  const m = 4;
  const cx = Math.min(Math.max(x, m + r), size - m - r);
  const cy = Math.min(Math.max(y, m + r), size - m - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= m && y >= m && x < size - m && y < size - m;
};
const inTriangle = (x, y, a, b, c) => {
  const side = (p, q) => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const s1 = side(a, b), s2 = side(b, c), s3 = side(c, a);
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
};
const inEllipse = (x, y, cx, cy, rx, ry) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;

function colorAt(x, y) {
  if (!inRoundedSquare(x, y, 22)) return [0, 0, 0, 0];
  const blue = [0x1f, 0x4e, 0x8c, 255];
  const white = [0xf5, 0xf7, 0xfa, 255];
  const shade = [0xc9, 0xd6, 0xe6, 255];
  const green = [0x3c, 0xc4, 0x7c, 255];
  // Restore arrow: a ring segment around the lower right, with a head.
  const ax = 88, ay = 88, d = Math.hypot(x - ax, y - ay);
  const angle = Math.atan2(y - ay, x - ax);
  if (d >= 16 && d <= 24 && angle > -Math.PI / 2 + 0.15 && angle < Math.PI) return green;
  if (inTriangle(x, y, [ax - 12, ay - 20], [ax + 2, ay - 32], [ax + 2, ay - 8])) return green;
  // Database: body, bands and top.
  const cx = 56, rx = 30, ry = 10, top = 30, bottom = 92;
  if (inEllipse(x, y, cx, top, rx, ry)) return inEllipse(x, y, cx, top, rx - 4, ry - 3) ? shade : white;
  const inBody = x >= cx - rx && x <= cx + rx && y >= top && y <= bottom;
  if (inBody || inEllipse(x, y, cx, bottom, rx, ry)) {
    for (const band of [51, 72]) {
      if (inEllipse(x, y, cx, band, rx, ry) && !inEllipse(x, y, cx, band - 3, rx, ry) && y > band) return shade;
    }
    return white;
  }
  return blue;
}

for (let y = 0; y < size; y++) {
  for (let x = 0; x < size; x++) px.set(colorAt(x + 0.5, y + 0.5), (y * size + x) * 4);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
};
const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const raw = Buffer.alloc(size * (size * 4 + 1));
for (let y = 0; y < size; y++) Buffer.from(px.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync('images', { recursive: true });
writeFileSync('images/icon.png', png);
console.log(`images/icon.png: ${png.length} bytes`);
