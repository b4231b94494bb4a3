// Builds the bundles and packages the extension as dist/<name>-<version>.vsix with vsce.
// Everything is bundled by esbuild, so node_modules stays out (--no-dependencies). The script then reads
// the VSIX back and fails when it holds anything but the shipped files, or when it is over 3 MB.
// Usage: npm run package            (prints the VSIX path on its last line)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_BYTES = 3 * 1024 * 1024;

/** The paths inside the VSIX's extension/ folder that may ship. */
const SHIPPED = [
  /^package\.json$/,
  /^package\.nls\.json$/,
  /^dist\/[^/]+\.js$/,
  /^schemas\/.+/,
  /^snippets\/.+/,
  /^images\/icon\.png$/,
  /^images\/activitybar\.svg$/,
  /^images\/walkthrough\/[\w-]+\.svg$/,
  /^readme\.md$/i,
  /^changelog\.md$/i,
  /^license(\.txt)?$/i,
];
/** Files vsce writes at the top of every VSIX. */
const VSIX_METADATA = ['extension.vsixmanifest', '[Content_Types].xml'];

function run(step, command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error(`package: ${step} failed (${result.error?.message ?? `exit code ${result.status}`})`);
    process.exit(1);
  }
}

/** Names of the entries in a zip file, read from its central directory. */
function zipEntries(file) {
  const buf = readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    entries.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLength), size: buf.readUInt32LE(at + 24) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, 'dist', `${manifest.name}-${manifest.version}.vsix`);

run('npm run build', 'npm', ['run', 'build']);
mkdirSync(dirname(vsix), { recursive: true });
const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
run('vsce package', process.execPath, [vsce, 'package', '--no-dependencies', '--out', vsix]);

const entries = zipEntries(vsix);
const unexpected = entries
  .map((e) => e.name)
  .filter((name) => !VSIX_METADATA.includes(name))
  .filter((name) => !(name.startsWith('extension/') && SHIPPED.some((re) => re.test(name.slice('extension/'.length)))));
for (const e of entries) console.log(`  ${e.name.padEnd(48)} ${(e.size / 1024).toFixed(1).padStart(8)} KiB`);
const bytes = statSync(vsix).size;
console.log(`VSIX size: ${(bytes / 1024).toFixed(0)} KiB (${bytes} bytes, limit ${MAX_BYTES / 1024 / 1024} MB), ${entries.length} entries`);
if (unexpected.length > 0) {
  console.error(`package: the VSIX holds files that must not ship (fix .vscodeignore):\n  ${unexpected.join('\n  ')}`);
  process.exit(1);
}
if (bytes > MAX_BYTES) {
  console.error(`package: the VSIX is ${(bytes / 1024 / 1024).toFixed(2)} MB, over the 3 MB limit`);
  process.exit(1);
}
console.log(relative(process.cwd(), vsix) || vsix);
