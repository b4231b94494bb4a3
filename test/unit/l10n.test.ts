// Every string package.json shows to users comes from package.nls.json (`%key%`), so a translation is one
// file per language; and the English file holds no key nobody uses.
import * as assert from 'node:assert/strict';
import { manifest, manifestText, nls } from './packageManifest';

/** Manifest fields VS Code or the Marketplace shows to users. */
const SHOWN = new Set(['displayName', 'description', 'markdownDescription', 'title', 'label', 'contextualTitle', 'category', 'contents', 'deprecationMessage', 'markdownDeprecationMessage', 'enumDescriptions', 'markdownEnumDescriptions', 'altText']);
/** `name` is shown for views (and walkthrough steps), but is the package's id at the top. */
const SHOWN_NAME_UNDER = /^contributes\.(views\.|walkthroughs)/;

/** Each shown string of the manifest with where it is (`contributes.commands.0.title`). */
function shownStrings(value: unknown, at: string, shown: boolean, out: { at: string; text: string }[]): typeof out {
  if (typeof value === 'string') {
    if (shown) out.push({ at, text: value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => shownStrings(v, `${at}.${i}`, shown, out));
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const where = at ? `${at}.${key}` : key;
      // Inside a setting's JSON schema `title`/`description` are shown too; `default` and `enum` values are not.
      shownStrings(v, where, SHOWN.has(key) || (key === 'name' && SHOWN_NAME_UNDER.test(where)), out);
    }
  }
  return out;
}

describe('Localization of package.json', () => {
  const strings = shownStrings(manifest, '', false, []);

  it('finds the strings it checks (commands, settings, views)', () => {
    for (const at of ['contributes.commands.0.title', 'contributes.configuration.title', 'contributes.views.stackgres.0.name', 'displayName']) {
      assert.ok(strings.some((s) => s.at === at), at);
    }
  });

  it('names every shown string as a %key% of package.nls.json', () => {
    const literal = strings.filter((s) => !/^%[\w.-]+%$/.test(s.text));
    assert.deepEqual(literal.map((s) => `${s.at}: ${s.text}`), [], 'move these into package.nls.json and refer to them as %key%');
    const missing = strings.filter((s) => !(s.text.slice(1, -1) in nls));
    assert.deepEqual(missing.map((s) => `${s.at}: ${s.text}`), [], 'these keys are not in package.nls.json');
  });

  it('uses every key of package.nls.json, each with English text', () => {
    const unused = Object.keys(nls).filter((k) => !manifestText.includes(`"%${k}%"`));
    assert.deepEqual(unused, [], 'remove these from package.nls.json');
    for (const [k, text] of Object.entries(nls)) assert.ok(text.trim().length > 0, k);
  });
});
