// The command table against package.json, both ways, without vscode: what the editor offers (ids, titles,
// menus) is what the extension registers, and a command that needs a trusted workspace is never hidden from,
// nor offered to, Restricted Mode by accident; the editor's actions show only on StackGres documents.
import * as assert from 'node:assert/strict';
import { commandTable, type CommandId } from '../../../../client/src/commands/table';
import { english, manifest } from '../../packageManifest';

interface Contributes {
  commands: { command: string; title: string; category?: string }[];
  menus: Record<string, { command: string; when?: string }[]>;
  keybindings?: { command: string; when?: string }[];
}
const contributes = manifest.contributes as Contributes;
const table: Record<string, { title: string; needsTrust: boolean }> = commandTable;
const ids = Object.keys(commandTable) as CommandId[];

/** Every place a command is offered: each menu entry and each keybinding, with where it comes from. */
const offers = [
  ...Object.entries(contributes.menus).flatMap(([menu, entries]) => entries.map((e) => ({ where: menu, command: e.command, when: e.when ?? '' }))),
  ...(contributes.keybindings ?? []).map((k) => ({ where: 'keybindings', command: k.command, when: k.when ?? '' })),
];

/** True when the clause holds only in a trusted workspace: `isWorkspaceTrusted` is one of its `&&` terms and nothing is `||`ed to it. */
function requiresTrust(when: string): boolean {
  return !when.includes('||') && when.split('&&').some((term) => term.trim() === 'isWorkspaceTrusted');
}

describe('The command table and package.json', () => {
  it('contributes every command of the table, and registers every contributed command', () => {
    const contributed = contributes.commands.map((c) => c.command);
    assert.deepEqual([...contributed].sort(), [...ids].sort());
    assert.equal(new Set(contributed).size, contributed.length, 'each command is contributed once');
  });

  it('shows each command under the title the table gives it, in the StackGres category', () => {
    for (const c of contributes.commands) {
      assert.equal(english(c.title), table[c.command]?.title, c.command);
      assert.equal(english(c.category ?? ''), 'StackGres', c.command);
    }
  });

  it('offers in menus and keybindings only commands of the table', () => {
    for (const o of offers) assert.ok(o.command in table, `${o.where}: ${o.command} is not in the command table`);
  });

  // The rule package.json follows: a command is offered in Restricted Mode exactly when it works there. Every
  // menu entry, palette entry and keybinding of a command that needs trust carries `isWorkspaceTrusted` (so
  // Restricted Mode never shows what `guarded` would refuse), and no other command is hidden by it.
  it('hides with isWorkspaceTrusted exactly the commands that need a trusted workspace', () => {
    for (const o of offers) {
      if (o.where === 'commandPalette' && o.when === 'false') continue;
      assert.equal(requiresTrust(o.when), table[o.command]?.needsTrust, `${o.where}: ${o.command} (${o.when || 'no when'}) ${table[o.command]?.needsTrust ? 'needs trust, yet is offered in Restricted Mode' : 'works without trust, yet is hidden in Restricted Mode'}`);
    }
  });

  it('hides every command that needs trust from the Restricted Mode palette', () => {
    const palette = new Map(contributes.menus.commandPalette.map((e) => [e.command, e.when ?? '']));
    for (const id of ids.filter((i) => table[i].needsTrust)) {
      const when = palette.get(id);
      assert.ok(when !== undefined && (when === 'false' || requiresTrust(when)), `commandPalette: ${id} needs trust, yet shows in Restricted Mode (${when ?? 'no entry'})`);
    }
  });

  // Apply and Create Credentials Secret act on a StackGres manifest: on any other YAML file they would only
  // say "no StackGres document here". The editor's and the Explorer's menus and the keybinding test the
  // context keys of editor/stackgresDocuments.ts.
  it('offers the editor and Explorer actions only on StackGres documents', () => {
    const documentOffers = offers.filter((o) => ['editor/title', 'editor/context', 'explorer/context', 'keybindings'].includes(o.where));
    assert.ok(documentOffers.length >= 4);
    for (const o of documentOffers) {
      const terms = o.when.split('&&').map((t) => t.trim());
      assert.ok(!o.when.includes('||'), `${o.where}: ${o.command}: no || in ${o.when}`);
      assert.ok(terms.includes('stackgres.isStackGresDocument') || terms.includes('resourcePath in stackgres.manifestPaths'), `${o.where}: ${o.command} (${o.when}) shows on any YAML file`);
    }
  });
});
