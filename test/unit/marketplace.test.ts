// What the Marketplace and Open VSX show of the extension, and the README pictures the UI checks take.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { UI_CHECKS } from '../e2e/uiChecks';
import { manifest } from './packageManifest';

const root = path.resolve(__dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const SCREENSHOTS = 'images/screenshots';
/** A picture in the README loads with the page: small, as the UI checks crop them. */
const MAX_PICTURE_BYTES = 100 * 1024;

describe('The Marketplace listing', () => {
  it('has the fields the Marketplace and Open VSX show: preview, banner, homepage, issues, license', () => {
    assert.equal(manifest.preview, true);
    const banner = manifest.galleryBanner as { color?: string; theme?: string };
    assert.match(banner.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(banner.theme === 'dark' || banner.theme === 'light', 'galleryBanner.theme is dark or light');
    assert.match(manifest.homepage as string, /^https:\/\//);
    assert.match((manifest.bugs as { url: string }).url, /^https:\/\/.+\/issues$/);
    assert.equal(manifest.license, 'Apache-2.0');
    assert.ok(existsSync(path.join(root, 'LICENSE')), 'LICENSE ships in the VSIX (Open VSX asks for it)');
    assert.ok(existsSync(path.join(root, manifest.icon as string)), 'the icon exists');
    assert.match((manifest.engines as { vscode: string }).vscode, /^\^1\.\d+\.0$/);
  });
});

describe('The README pictures', () => {
  const pictures = [...readme.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)].map((m) => ({ alt: m[1], file: m[2] }));
  const shown = pictures.filter((p) => p.file.startsWith(`${SCREENSHOTS}/`));

  it('shows the tree, a quick fix, the cron hover, the apply review, the recoverable window and a restore drill, each with alt text', () => {
    assert.deepEqual(shown.map((p) => path.basename(p.file)).sort(), ['apply-review.png', 'backup-logs.png', 'cron-hover.png', 'quick-fix.png', 'recoverable-window.png', 'restore-drill.png', 'tree.png']);
    for (const p of shown) assert.ok(p.alt.trim().split(/\s+/).length >= 5, `${p.file} says what it shows (alt text)`);
  });

  it('are the ones the UI checks take, committed small', () => {
    const taken = UI_CHECKS.flatMap((c) => (c.readme ? [c.readme.image] : [])).sort();
    assert.deepEqual(shown.map((p) => path.basename(p.file)).sort(), taken, 'each picture comes from a UI check (npm run screenshots)');
    assert.deepEqual(readdirSync(path.join(root, SCREENSHOTS)).sort(), taken, 'no picture left over in images/screenshots');
    for (const file of taken) {
      const bytes = statSync(path.join(root, SCREENSHOTS, file)).size;
      assert.ok(bytes <= MAX_PICTURE_BYTES, `${file} is ${Math.round(bytes / 1024)} KiB (at most ${MAX_PICTURE_BYTES / 1024})`);
    }
  });

  it('stay out of the VSIX', () => {
    const lines = readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    assert.equal(lines.find((l) => l && !l.startsWith('#')), '**', 'everything is excluded first');
    const letBack = lines.filter((l) => l.startsWith('!'));
    assert.ok(!letBack.some((l) => /^!images\/(\*|screenshots)/.test(l)), `.vscodeignore lets pictures back in: ${letBack.join(' ')}`);
  });
});
